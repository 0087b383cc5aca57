"""ChangePassword: the signed-in user changes their password (access token, unsigned).

The botocore model lists InvalidPasswordException for a proposal the pool's policy refuses and
NotAuthorizedException for a wrong previous password. Cognito's documentation of ChangePassword says nothing
of revoking tokens, and in Cognito the user's other sessions keep their refresh tokens: Postern revokes none.
"""
from support import OTHER_PASSWORD, WEAK_PASSWORD, expect_error, log_events, refresh, sign_in, tokens

WRONG = "Wr0ng-Password!"


def test_the_new_password_replaces_the_old_one(anon_idp, confirmed_user):
    user = confirmed_user
    auth = tokens(anon_idp, user)
    anon_idp.change_password(PreviousPassword=user.password, ProposedPassword=OTHER_PASSWORD, AccessToken=auth["AccessToken"])
    assert "AuthenticationResult" in sign_in(anon_idp, user, OTHER_PASSWORD)
    with expect_error("NotAuthorizedException", "Incorrect username or password."):
        sign_in(anon_idp, user)
    [changed] = log_events(f"user-{user.sub}", "PasswordChanged")
    assert changed["data"]["reason"] == "user_changed" and changed["data"]["status"] == "CONFIRMED"
    assert changed["metadata"]["actor"] == user.sub and changed["metadata"]["clientId"] == user.client_id
    # The verifier is sealed with the user's key, never stored in the clear.
    assert OTHER_PASSWORD not in str(changed)


def test_other_sessions_stay_signed_in(anon_idp, confirmed_user):
    user = confirmed_user
    other_session = tokens(anon_idp, user)
    auth = tokens(anon_idp, user)
    anon_idp.change_password(PreviousPassword=user.password, ProposedPassword=OTHER_PASSWORD, AccessToken=auth["AccessToken"])
    assert anon_idp.get_user(AccessToken=auth["AccessToken"])["Username"] == user.username
    assert anon_idp.get_user(AccessToken=other_session["AccessToken"])["Username"] == user.username
    assert "AuthenticationResult" in refresh(anon_idp, user, other_session["RefreshToken"])
    assert log_events(f"user-{user.sub}", "UserSignedOutGlobally") == []


def test_a_wrong_previous_password_is_a_failed_attempt(anon_idp, confirmed_user):
    user = confirmed_user
    auth = tokens(anon_idp, user)
    with expect_error("NotAuthorizedException", "Incorrect username or password."):
        anon_idp.change_password(PreviousPassword=WRONG, ProposedPassword=OTHER_PASSWORD, AccessToken=auth["AccessToken"])
    [failed] = log_events(f"user-{user.sub}", "SignInFailed")
    assert failed["data"]["flow"] == "ChangePassword" and failed["data"]["reason"] == "incorrect_password"
    assert failed["data"]["failedAttempts"] == 1
    # The password did not change.
    assert "AuthenticationResult" in sign_in(anon_idp, user)
    assert log_events(f"user-{user.sub}", "PasswordChanged") == []


def test_repeated_wrong_previous_passwords_lock_the_account(anon_idp, confirmed_user):
    user = confirmed_user
    auth = tokens(anon_idp, user)
    for _ in range(5):
        with expect_error("NotAuthorizedException", "Incorrect username or password."):
            anon_idp.change_password(PreviousPassword=WRONG, ProposedPassword=OTHER_PASSWORD, AccessToken=auth["AccessToken"])
    # The fifth failure locks the user (one second at first): even the right password is refused meanwhile.
    with expect_error("NotAuthorizedException", "Password attempts exceeded"):
        anon_idp.change_password(PreviousPassword=user.password, ProposedPassword=OTHER_PASSWORD, AccessToken=auth["AccessToken"])
    reasons = [e["data"]["reason"] for e in log_events(f"user-{user.sub}", "SignInFailed")]
    assert reasons == ["incorrect_password"] * 5 + ["locked_out"]


def test_the_proposal_must_satisfy_the_password_policy(anon_idp, confirmed_user):
    user = confirmed_user
    auth = tokens(anon_idp, user)
    with expect_error("InvalidPasswordException", "Password did not conform with policy: Password must have uppercase characters"):
        anon_idp.change_password(PreviousPassword=user.password, ProposedPassword=WEAK_PASSWORD, AccessToken=auth["AccessToken"])
    assert "AuthenticationResult" in sign_in(anon_idp, user)


def test_the_pool_policy_is_the_one_applied(idp, anon_idp, pool_factory, client_factory):
    from support import sign_up

    pool = pool_factory(Policies={"PasswordPolicy": {"MinimumLength": 6, "RequireUppercase": False, "RequireLowercase": True,
                                                      "RequireNumbers": False, "RequireSymbols": False}})
    client = client_factory(pool_id=pool["Id"])
    user = sign_up(anon_idp, pool["Id"], client)
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=user.username)
    auth = tokens(anon_idp, user)
    anon_idp.change_password(PreviousPassword=user.password, ProposedPassword="simple", AccessToken=auth["AccessToken"])
    assert "AuthenticationResult" in sign_in(anon_idp, user, "simple")
    with expect_error("InvalidPasswordException", "Password did not conform with policy: Password not long enough"):
        anon_idp.change_password(PreviousPassword="simple", ProposedPassword="short", AccessToken=auth["AccessToken"])


def test_a_disabled_or_signed_out_user_cannot_change_their_password(idp, anon_idp, confirmed_user):
    user = confirmed_user
    auth = tokens(anon_idp, user)
    idp.admin_user_global_sign_out(UserPoolId=user.pool_id, Username=user.username)
    with expect_error("NotAuthorizedException", "Access Token has been revoked"):
        anon_idp.change_password(PreviousPassword=user.password, ProposedPassword=OTHER_PASSWORD, AccessToken=auth["AccessToken"])
    auth = tokens(anon_idp, user)
    idp.admin_disable_user(UserPoolId=user.pool_id, Username=user.username)
    with expect_error("NotAuthorizedException"):
        anon_idp.change_password(PreviousPassword=user.password, ProposedPassword=OTHER_PASSWORD, AccessToken=auth["AccessToken"])
    assert log_events(f"user-{user.sub}", "PasswordChanged") == []


def test_a_user_whose_password_was_reset_must_confirm_the_reset(idp, anon_idp, confirmed_user):
    user = confirmed_user
    # AdminResetUserPassword needs a verified contact to send the reset code to.
    idp.admin_update_user_attributes(UserPoolId=user.pool_id, Username=user.username,
                                     UserAttributes=[{"Name": "email_verified", "Value": "true"}])
    auth = tokens(anon_idp, user)
    idp.admin_reset_user_password(UserPoolId=user.pool_id, Username=user.username)
    with expect_error("PasswordResetRequiredException"):
        anon_idp.change_password(PreviousPassword=user.password, ProposedPassword=OTHER_PASSWORD, AccessToken=auth["AccessToken"])


def test_an_invalid_access_token_is_refused(anon_idp):
    with expect_error("NotAuthorizedException"):
        anon_idp.change_password(PreviousPassword="Whatever-1!", ProposedPassword=OTHER_PASSWORD, AccessToken="not-a-token")


def test_the_password_history_refuses_recent_passwords(idp, anon_idp, pool_factory, client_factory):
    # PasswordPolicy.PasswordHistorySize (botocore model): users can't set a password that matches any of the
    # last n; the model lists PasswordHistoryPolicyViolationException for ChangePassword.
    from support import PASSWORD, sign_up

    pool = pool_factory(Policies={"PasswordPolicy": {"MinimumLength": 8, "PasswordHistorySize": 2}})
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Policies"]["PasswordPolicy"]["PasswordHistorySize"] == 2
    client = client_factory(pool_id=pool["Id"])
    user = sign_up(anon_idp, pool["Id"], client)
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=user.username)
    auth = tokens(anon_idp, user)
    token = auth["AccessToken"]
    with expect_error("PasswordHistoryPolicyViolationException"):
        anon_idp.change_password(PreviousPassword=PASSWORD, ProposedPassword=PASSWORD, AccessToken=token)
    anon_idp.change_password(PreviousPassword=PASSWORD, ProposedPassword=OTHER_PASSWORD, AccessToken=token)
    # The sign-up password is still one of the last two.
    with expect_error("PasswordHistoryPolicyViolationException"):
        anon_idp.change_password(PreviousPassword=OTHER_PASSWORD, ProposedPassword=PASSWORD, AccessToken=token)
    third = "Th1rd-Password!"
    anon_idp.change_password(PreviousPassword=OTHER_PASSWORD, ProposedPassword=third, AccessToken=token)
    # Three passwords on: the first has left the history of two.
    anon_idp.change_password(PreviousPassword=third, ProposedPassword=PASSWORD, AccessToken=token)
    assert "AuthenticationResult" in sign_in(anon_idp, user, PASSWORD)


def test_without_a_history_a_password_may_be_set_again(anon_idp, confirmed_user):
    user = confirmed_user
    auth = tokens(anon_idp, user)
    anon_idp.change_password(PreviousPassword=user.password, ProposedPassword=user.password, AccessToken=auth["AccessToken"])


def test_the_history_size_is_checked_against_the_model(idp, pool_factory):
    from support import make_idp, unique

    unvalidated = make_idp(parameter_validation=False)  # boto3 itself refuses 25
    message = ("1 validation error detected: Value at 'policies.passwordPolicy.passwordHistorySize' failed to satisfy "
               "constraint: Member must have value between 0 and 24")
    with expect_error("InvalidParameterException", message):
        unvalidated.create_user_pool(PoolName=unique("pool"), Policies={"PasswordPolicy": {"PasswordHistorySize": 25}})
    with expect_error("FeatureUnavailableInTierException"):
        pool_factory(UserPoolTier="LITE", Policies={"PasswordPolicy": {"PasswordHistorySize": 3}})
