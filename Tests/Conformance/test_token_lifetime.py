"""Access tokens die with their app client, and concurrent changes never surface as a 500."""
from __future__ import annotations

import threading

from support import OTHER_PASSWORD, PASSWORD, expect_error, sign_up, tokens, unique


def test_access_tokens_are_refused_after_their_client_is_deleted(idp, anon_idp, pool, client_factory):
    doomed = client_factory()
    other = client_factory()
    user = sign_up(anon_idp, pool["Id"], doomed)
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=user.username)
    access = tokens(anon_idp, user)["AccessToken"]
    assert anon_idp.get_user(AccessToken=access)["Username"] == user.username
    idp.delete_user_pool_client(UserPoolId=pool["Id"], ClientId=doomed["ClientId"])
    with expect_error("NotAuthorizedException"):
        anon_idp.get_user(AccessToken=access)
    with expect_error("NotAuthorizedException"):
        anon_idp.update_user_attributes(AccessToken=access, UserAttributes=[{"Name": "name", "Value": "x"}])
    # Tokens of the pool's other clients are untouched.
    user.client_id = other["ClientId"]
    assert anon_idp.get_user(AccessToken=tokens(anon_idp, user)["AccessToken"])["Username"] == user.username


def test_new_password_challenge_survives_concurrent_changes_to_the_user(idp, anon_idp, pool, client):
    for _ in range(3):
        username = unique("racer")
        idp.admin_create_user(UserPoolId=pool["Id"], Username=username, TemporaryPassword=PASSWORD, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}])
        challenge = anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                                           AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})
        stop = threading.Event()
        failures: list[Exception] = []

        def churn(n: int):
            i = 0
            while not stop.wait(0.02):
                i += 1
                try:
                    idp.admin_update_user_attributes(UserPoolId=pool["Id"], Username=username,
                                                     UserAttributes=[{"Name": "name", "Value": f"w{n}-{i}"}])
                except Exception as error:  # noqa: BLE001
                    if "ConcurrentModification" not in str(error):
                        failures.append(error)

        workers = [threading.Thread(target=churn, args=(n,)) for n in range(2)]
        for worker in workers:
            worker.start()
        try:
            # Under constant churn the server retries a bounded number of times, then answers
            # ConcurrentModificationException with nothing consumed: the same session works again.
            done = None
            for _ in range(5):
                try:
                    done = anon_idp.respond_to_auth_challenge(
                        ClientId=client["ClientId"], ChallengeName="NEW_PASSWORD_REQUIRED", Session=challenge["Session"],
                        ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": OTHER_PASSWORD})
                    break
                except anon_idp.exceptions.ConcurrentModificationException:
                    continue
        finally:
            stop.set()
            for worker in workers:
                worker.join()
        assert done and done["AuthenticationResult"]["AccessToken"]
        assert not failures, failures
        assert idp.admin_get_user(UserPoolId=pool["Id"], Username=username)["UserStatus"] == "CONFIRMED"
