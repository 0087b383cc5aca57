"""Sign-in names resolve to exactly one user: usernames, aliases and, in pools that sign in by email,
the email itself (spec/user-pools.md "Sign-in attributes"; botocore ForceAliasCreation, AliasExistsException,
UsernameConfiguration)."""
from __future__ import annotations

from support import PASSWORD, attrs, claims, expect_error, unique

EMAIL_ALIAS = "Username cannot be of email format, since user pool is configured for email alias."


def sign_in(anon_idp, client, name, password=PASSWORD):
    return anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                                  AuthParameters={"USERNAME": name, "PASSWORD": password})


def alias_pool(pool_factory, client_factory, **extra):
    pool = pool_factory(AliasAttributes=["email", "preferred_username"], AutoVerifiedAttributes=["email"], **extra)
    return pool, client_factory(pool_id=pool["Id"])


def signed_up(anon_idp, client, outbox, pool, email, username=None, confirm=True, **kwargs):
    username = username or unique("alias")
    anon_idp.sign_up(ClientId=client["ClientId"], Username=username, Password=PASSWORD,
                     UserAttributes=[{"Name": "email", "Value": email}])
    if confirm:
        anon_idp.confirm_sign_up(ClientId=client["ClientId"], Username=username,
                                 ConfirmationCode=outbox.code(pool["Id"], username, kind="SignUp"), **kwargs)
    return username


def test_an_email_format_username_is_refused_in_an_email_alias_pool(idp, anon_idp, pool_factory, client_factory):
    pool, client = alias_pool(pool_factory, client_factory)
    with expect_error("InvalidParameterException", EMAIL_ALIAS):
        anon_idp.sign_up(ClientId=client["ClientId"], Username="ann@example.com", Password=PASSWORD,
                         UserAttributes=[{"Name": "email", "Value": "ann@example.com"}])
    with expect_error("InvalidParameterException", EMAIL_ALIAS):
        idp.admin_create_user(UserPoolId=pool["Id"], Username="ann@example.com", MessageAction="SUPPRESS")


def test_an_unverified_alias_does_not_sign_in(anon_idp, pool_factory, client_factory, outbox):
    pool, client = alias_pool(pool_factory, client_factory)
    email = f"{unique('u')}@example.com"
    username = signed_up(anon_idp, client, outbox, pool, email, confirm=False)
    with expect_error("UserNotFoundException"):
        sign_in(anon_idp, client, email)
    anon_idp.confirm_sign_up(ClientId=client["ClientId"], Username=username,
                             ConfirmationCode=outbox.code(pool["Id"], username, kind="SignUp"))
    assert sign_in(anon_idp, client, email)["AuthenticationResult"]


def test_a_verified_email_belongs_to_one_user_unless_forced_over(idp, anon_idp, pool_factory, client_factory, outbox):
    pool, client = alias_pool(pool_factory, client_factory)
    email = f"{unique('shared')}@example.com"
    first = signed_up(anon_idp, client, outbox, pool, email)
    second = signed_up(anon_idp, client, outbox, pool, email, confirm=False)
    code = outbox.code(pool["Id"], second, kind="SignUp")
    with expect_error("AliasExistsException", "An account with the given email already exists."):
        anon_idp.confirm_sign_up(ClientId=client["ClientId"], Username=second, ConfirmationCode=code)
    assert idp.admin_get_user(UserPoolId=pool["Id"], Username=second)["UserStatus"] == "UNCONFIRMED"
    assert username_of(anon_idp, client, email) == first
    # ForceAliasCreation moves the alias: the email now signs the second user in, and no longer the first.
    anon_idp.confirm_sign_up(ClientId=client["ClientId"], Username=second, ConfirmationCode=code, ForceAliasCreation=True)
    assert username_of(anon_idp, client, email) == second
    first_attributes = attrs(idp.admin_get_user(UserPoolId=pool["Id"], Username=first)["UserAttributes"])
    assert first_attributes["email"] == email and first_attributes["email_verified"] == "false"
    assert sign_in(anon_idp, client, first)["AuthenticationResult"]  # the username still works


def username_of(anon_idp, client, name):
    return claims(sign_in(anon_idp, client, name)["AuthenticationResult"]["IdToken"])["cognito:username"]


def test_preferred_username_is_unique(idp, anon_idp, pool_factory, client_factory, outbox):
    pool, client = alias_pool(pool_factory, client_factory)
    nick = unique("nick")
    idp.admin_create_user(UserPoolId=pool["Id"], Username=unique("a"), MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "preferred_username", "Value": nick}])
    other = unique("b")
    idp.admin_create_user(UserPoolId=pool["Id"], Username=other, MessageAction="SUPPRESS")
    with expect_error("AliasExistsException", "An account with the given preferred_username already exists."):
        idp.admin_update_user_attributes(UserPoolId=pool["Id"], Username=other,
                                         UserAttributes=[{"Name": "preferred_username", "Value": nick}])
    assert "preferred_username" not in attrs(idp.admin_get_user(UserPoolId=pool["Id"], Username=other)["UserAttributes"])


def test_case_insensitive_pools_fold_usernames_and_aliases(idp, anon_idp, pool_factory, client_factory, outbox):
    pool, client = alias_pool(pool_factory, client_factory, UsernameConfiguration={"CaseSensitive": False})
    email = f"{unique('Mixed')}@Example.com"
    username = signed_up(anon_idp, client, outbox, pool, email, username=unique("Carol"))
    assert sign_in(anon_idp, client, username.upper())["AuthenticationResult"]
    assert sign_in(anon_idp, client, email.lower())["AuthenticationResult"]
    with expect_error("UsernameExistsException"):
        anon_idp.sign_up(ClientId=client["ClientId"], Username=username.lower(), Password=PASSWORD)
    sensitive, sensitive_client = alias_pool(pool_factory, client_factory, UsernameConfiguration={"CaseSensitive": True})
    name = signed_up(anon_idp, sensitive_client, outbox, sensitive, f"{unique('s')}@example.com", username=unique("Dora"))
    with expect_error("UserNotFoundException"):
        sign_in(anon_idp, sensitive_client, name.upper())


def test_a_changed_email_becomes_the_sign_in_name(idp, anon_idp, pool_factory, client_factory, outbox):
    pool = pool_factory(UsernameAttributes=["email"], AutoVerifiedAttributes=["email"])
    client = client_factory(pool_id=pool["Id"])
    old, new = f"{unique('old')}@example.com", f"{unique('new')}@example.com"
    idp.admin_create_user(UserPoolId=pool["Id"], Username=old, TemporaryPassword=PASSWORD, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username=old, Password=PASSWORD, Permanent=True)
    idp.admin_update_user_attributes(UserPoolId=pool["Id"], Username=old, UserAttributes=[{"Name": "email", "Value": new}])
    assert sign_in(anon_idp, client, new)["AuthenticationResult"]
    with expect_error("UserNotFoundException"):
        sign_in(anon_idp, client, old)
    # Another user cannot take the name now in use.
    taken = f"{unique('t')}@example.com"
    idp.admin_create_user(UserPoolId=pool["Id"], Username=taken, MessageAction="SUPPRESS")
    with expect_error("AliasExistsException", "An account with the given email already exists."):
        idp.admin_update_user_attributes(UserPoolId=pool["Id"], Username=taken, UserAttributes=[{"Name": "email", "Value": new}])


def test_list_users_pages_by_the_current_sign_in_name(idp, pool_factory):
    pool = pool_factory(UsernameAttributes=["email"])
    emails = sorted(f"{unique('p')}-{i}@example.com" for i in range(5))
    for email in emails:
        idp.admin_create_user(UserPoolId=pool["Id"], Username=email, MessageAction="SUPPRESS")
    # Rename one user to sort first; paging must neither skip nor repeat anyone.
    idp.admin_update_user_attributes(UserPoolId=pool["Id"], Username=emails[3],
                                     UserAttributes=[{"Name": "email", "Value": "0000-first@example.com"}])
    seen, token = [], None
    while True:
        page = idp.list_users(UserPoolId=pool["Id"], Limit=2, **({"PaginationToken": token} if token else {}))
        seen += [attrs(u["Attributes"])["email"] for u in page["Users"]]
        token = page.get("PaginationToken")
        if not token:
            break
    assert sorted(seen) == sorted(["0000-first@example.com"] + emails[:3] + emails[4:])
    assert len(seen) == len(set(seen)) == 5
