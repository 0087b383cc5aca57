"""The command pipeline (DESIGN.md, "The write path"): when the append of a command conflicts with a
concurrent event on the same stream, the command is loaded and decided again, but a hook whose input did
not change is not run a second time.

The `conflict-once` hook forces the conflict: on its first run it signs the user out (GlobalSignOut with an
access token the test passes through ClientMetadata), so the sign-in that called it holds a stale version of
the user's stream when it appends. The user's stream then shows the sign-out *before* the sign-in that
started earlier — proof that the sign-in's first append was refused and it decided again — while the
hook's run counter shows one run."""
import json
import os
import subprocess

from support import ENDPOINT, PASSWORD, POSTERN_BIN, REPO_ROOT, unique

CONFLICT_ONCE = "arn:aws:lambda:us-east-1:123456789012:function:conflict-once"


def runs(pool_id, username, source):
    path = f"/tmp/postern-hook-runs/{pool_id}-{username}.{source}"
    if not os.path.exists(path):
        return 0
    with open(path) as f:
        return len(f.read().splitlines())


def stream_types(sub):
    out = subprocess.run([POSTERN_BIN, "events", "--stream", f"user-{sub}"], cwd=REPO_ROOT, env=dict(os.environ),
                         capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def user_with_token(idp, anon_idp, pool_id, client_id):
    username = unique("conflict")
    idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}])
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)
    first = anon_idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})
    sub = idp.admin_get_user(UserPoolId=pool_id, Username=username)["UserAttributes"]
    sub = next(a["Value"] for a in sub if a["Name"] == "sub")
    return username, sub, first["AuthenticationResult"]["AccessToken"]


def sign_in_forcing_a_conflict(anon_idp, client_id, username, token):
    return anon_idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        ClientMetadata={"signOutWith": token, "endpoint": ENDPOINT})


def assert_signed_out_before_the_sign_in_that_started_first(sub):
    events = stream_types(sub)
    types = [e["type"] for e in events]
    # The first sign-in (no hooks involved) comes first; then the forced sign-out, then the sign-in that was
    # decided before it but committed after it.
    last_sign_out = max(i for i, t in enumerate(types) if t == "UserSignedOutGlobally")
    last_sign_in = max(i for i, t in enumerate(types) if t == "SignInSucceeded")
    assert last_sign_out < last_sign_in, types
    return events[last_sign_in]


def test_pre_authentication_runs_once_when_the_sign_in_append_conflicts(idp, anon_idp, pool_factory, client_factory):
    pool = pool_factory()
    client = client_factory(pool_id=pool["Id"])
    username, sub, token = user_with_token(idp, anon_idp, pool["Id"], client["ClientId"])
    idp.update_user_pool(UserPoolId=pool["Id"], LambdaConfig={"PreAuthentication": CONFLICT_ONCE})

    result = sign_in_forcing_a_conflict(anon_idp, client["ClientId"], username, token)

    assert result["AuthenticationResult"]["AccessToken"]
    assert runs(pool["Id"], username, "PreAuthentication_Authentication") == 1
    succeeded = assert_signed_out_before_the_sign_in_that_started_first(sub)
    assert [h["triggerSource"] for h in succeeded["data"]["hooks"]] == ["PreAuthentication_Authentication"]
    # The tokens of the re-decided sign-in are good: they came from the sign-in after the sign-out.
    assert idp.get_user(AccessToken=result["AuthenticationResult"]["AccessToken"])["Username"] == username


def test_pre_token_generation_runs_once_when_the_sign_in_append_conflicts(idp, anon_idp, pool_factory, client_factory):
    pool = pool_factory()
    client = client_factory(pool_id=pool["Id"])
    username, sub, token = user_with_token(idp, anon_idp, pool["Id"], client["ClientId"])
    idp.update_user_pool(UserPoolId=pool["Id"], LambdaConfig={"PreTokenGeneration": CONFLICT_ONCE})

    result = sign_in_forcing_a_conflict(anon_idp, client["ClientId"], username, token)

    assert result["AuthenticationResult"]["IdToken"]
    assert runs(pool["Id"], username, "TokenGeneration_Authentication") == 1
    assert_signed_out_before_the_sign_in_that_started_first(sub)


def test_a_hook_whose_input_changed_runs_again_and_the_event_says_so(idp, anon_idp, pool_factory, client_factory):
    """If the reloaded state changes what the hook reads, its first answer is stale: it runs again, and
    the recorded run says why."""
    pool = pool_factory()
    client = client_factory(pool_id=pool["Id"])
    username, sub, token = user_with_token(idp, anon_idp, pool["Id"], client["ClientId"])
    idp.update_user_pool(UserPoolId=pool["Id"], LambdaConfig={"PreAuthentication": CONFLICT_ONCE})
    # ClientMetadata "changeAttribute" makes the hook's GlobalSignOut an UpdateUserAttributes instead:
    # the reloaded user then has another attribute value, so PreAuthentication's input differs.
    result = anon_idp.initiate_auth(
        ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        ClientMetadata={"changeAttributeWith": token, "endpoint": ENDPOINT})

    assert result["AuthenticationResult"]["AccessToken"]
    assert runs(pool["Id"], username, "PreAuthentication_Authentication") == 2
    events = stream_types(sub)
    succeeded = [e for e in events if e["type"] == "SignInSucceeded"][-1]
    assert succeeded["data"]["hooks"][0].get("rerun") == "input_changed"
