"""Remembered devices (spec/auth-flows.md §6–8): NewDeviceMetadata at sign-in in a pool with a
DeviceConfiguration, ConfirmDevice with the verifier pycognito makes (generate_hash_device), device SRP
(DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER) through pycognito's AWSSRP unchanged — which answers without
sessions, as AWS's examples do — and with sessions as Amplify does, a remembered device standing in for
MFA, and the device operations with their admin variants."""
import time

import pyotp
import pytest
from pycognito.aws_srp import AWSSRP, generate_hash_device

from support import PASSWORD, claims, expect_error, log_events, sign_up, unique

TRACK = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False}


@pytest.fixture
def device_pool(idp, pool_factory):
    pool = pool_factory(AutoVerifiedAttributes=["email"], DeviceConfiguration=TRACK)
    idp.set_user_pool_mfa_config(UserPoolId=pool["Id"], MfaConfiguration="OPTIONAL", SoftwareTokenMfaConfiguration={"Enabled": True})
    return pool


@pytest.fixture
def device_client(client_factory, device_pool):
    return client_factory(pool_id=device_pool["Id"])


def confirmed(idp, anon_idp, pool, client):
    user = sign_up(anon_idp, pool["Id"], client)
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=user.username)
    return user


def password_sign_in(anon_idp, user, device_key=None):
    params = {"USERNAME": user.username, "PASSWORD": user.password}
    if device_key:
        params["DEVICE_KEY"] = device_key
    return anon_idp.initiate_auth(ClientId=user.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params)


def remember(anon_idp, result, name="laptop"):
    """ConfirmDevice for the NewDeviceMetadata of `result`; returns (key, group key, device password, answer)."""
    metadata = result["AuthenticationResult"]["NewDeviceMetadata"]
    key, group = metadata["DeviceKey"], metadata["DeviceGroupKey"]
    device_password, config = generate_hash_device(group, key)
    answer = anon_idp.confirm_device(AccessToken=result["AuthenticationResult"]["AccessToken"], DeviceKey=key,
                                     DeviceSecretVerifierConfig=config, DeviceName=name)
    return key, group, device_password, answer


def srp(anon_idp, pool, client, user, key=None, group=None, device_password=None):
    return AWSSRP(username=user.username, password=PASSWORD, pool_id=pool["Id"], client_id=client["ClientId"], client=anon_idp,
                  device_key=key, device_group_key=group, device_password=device_password)


def test_a_sign_in_gets_a_device_key_and_confirming_it_remembers_the_device(idp, anon_idp, device_pool, device_client):
    user = confirmed(idp, anon_idp, device_pool, device_client)
    first = password_sign_in(anon_idp, user)
    metadata = first["AuthenticationResult"]["NewDeviceMetadata"]
    assert metadata["DeviceKey"].startswith("us-east-1_") and metadata["DeviceGroupKey"].startswith("-")
    assert claims(first["AuthenticationResult"]["AccessToken"])["device_key"] == metadata["DeviceKey"]
    key, group, device_password, answer = remember(anon_idp, first)
    assert answer["UserConfirmationNecessary"] is False
    access = first["AuthenticationResult"]["AccessToken"]
    [listed] = anon_idp.list_devices(AccessToken=access)["Devices"]
    assert listed["DeviceKey"] == key
    attributes = {a["Name"]: a["Value"] for a in listed["DeviceAttributes"]}
    assert attributes["device_name"] == "laptop" and attributes["dev:device_remembered_status"] == "remembered"
    assert anon_idp.get_device(AccessToken=access, DeviceKey=key)["Device"]["DeviceKey"] == key
    with expect_error("DeviceKeyExistsException"):
        anon_idp.confirm_device(AccessToken=access, DeviceKey=key, DeviceSecretVerifierConfig=generate_hash_device(group, key)[1])
    # The verifier and the name are sealed in the log.
    [event] = log_events(f"user-{user.sub}", "DeviceConfirmed")
    assert event["data"]["sealedVerifier"].startswith("v1.") and "laptop" not in str(event["data"])


def test_pycognito_signs_in_with_its_remembered_device(idp, anon_idp, device_pool, device_client):
    user = confirmed(idp, anon_idp, device_pool, device_client)
    key, group, device_password, _ = remember(anon_idp, password_sign_in(anon_idp, user))
    tokens = srp(anon_idp, device_pool, device_client, user, key, group, device_password).authenticate_user()["AuthenticationResult"]
    assert claims(tokens["AccessToken"])["device_key"] == key
    assert "NewDeviceMetadata" not in tokens
    [device] = idp.admin_list_devices(UserPoolId=device_pool["Id"], Username=user.username)["Devices"]
    assert device["DeviceLastAuthenticatedDate"]
    stream = f"user-{user.sub}"
    names = [e["data"]["challengeName"] for e in log_events(stream, "ChallengeIssued")]
    assert names[-3:] == ["PASSWORD_VERIFIER", "DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER"]
    succeeded = log_events(stream, "SignInSucceeded")[-1]["data"]
    assert succeeded["deviceKey"] == key and succeeded["deviceAuthenticated"] is True
    # A refresh from the device keeps naming it.
    refreshed = anon_idp.initiate_auth(ClientId=device_client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
                                       AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"], "DEVICE_KEY": key})
    assert claims(refreshed["AuthenticationResult"]["AccessToken"])["device_key"] == key
    # A password sign-in from the remembered device proves it too.
    step = password_sign_in(anon_idp, user, device_key=key)
    assert step["ChallengeName"] == "DEVICE_SRP_AUTH"


def test_a_remembered_device_stands_in_for_mfa_and_a_forgotten_one_does_not(idp, anon_idp, device_pool, device_client):
    user = confirmed(idp, anon_idp, device_pool, device_client)
    first = password_sign_in(anon_idp, user)
    access = first["AuthenticationResult"]["AccessToken"]
    secret = anon_idp.associate_software_token(AccessToken=access)["SecretCode"]
    anon_idp.verify_software_token(AccessToken=access, UserCode=pyotp.TOTP(secret).now())
    anon_idp.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    key, group, device_password, _ = remember(anon_idp, first)
    tokens = srp(anon_idp, device_pool, device_client, user, key, group, device_password).authenticate_user()
    assert "AuthenticationResult" in tokens, "the remembered device skipped MFA"

    anon_idp.update_device_status(AccessToken=access, DeviceKey=key, DeviceRememberedStatus="not_remembered")
    step = srp(anon_idp, device_pool, device_client, user, key, group, device_password).authenticate_user()
    assert step["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    done = anon_idp.respond_to_auth_challenge(
        ClientId=device_client["ClientId"], ChallengeName="SOFTWARE_TOKEN_MFA", Session=step["Session"],
        ChallengeResponses={"USERNAME": user.username, "SOFTWARE_TOKEN_MFA_CODE": pyotp.TOTP(secret).at(time.time() + 30)})
    assert claims(done["AuthenticationResult"]["AccessToken"])["device_key"] == key
    assert "NewDeviceMetadata" not in done["AuthenticationResult"]

    anon_idp.forget_device(AccessToken=access, DeviceKey=key)
    with expect_error("ResourceNotFoundException", "Device does not exist."):
        anon_idp.get_device(AccessToken=access, DeviceKey=key)
    # A forgotten device is a new one: MFA, then a new key.
    step = password_sign_in(anon_idp, user, device_key=key)
    assert step["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_device_srp_with_sessions_as_amplify_sends_them(idp, anon_idp, device_pool, device_client):
    user = confirmed(idp, anon_idp, device_pool, device_client)
    key, group, device_password, _ = remember(anon_idp, password_sign_in(anon_idp, user))
    aws = srp(anon_idp, device_pool, device_client, user, key, group, device_password)
    step = password_sign_in(anon_idp, user, device_key=key)
    assert step["ChallengeName"] == "DEVICE_SRP_AUTH" and step["Session"]
    verifier = anon_idp.respond_to_auth_challenge(
        ClientId=device_client["ClientId"], ChallengeName="DEVICE_SRP_AUTH", Session=step["Session"],
        ChallengeResponses={"USERNAME": user.username, "DEVICE_KEY": key, "SRP_A": format(aws.large_a_value, "x")})
    assert verifier["ChallengeName"] == "DEVICE_PASSWORD_VERIFIER"
    assert verifier["ChallengeParameters"]["DEVICE_KEY"] == key
    responses = aws.process_device_challenge(verifier["ChallengeParameters"])
    done = anon_idp.respond_to_auth_challenge(ClientId=device_client["ClientId"], ChallengeName="DEVICE_PASSWORD_VERIFIER",
                                              ChallengeResponses=responses)
    assert claims(done["AuthenticationResult"]["AccessToken"])["device_key"] == key
    with expect_error("NotAuthorizedException", "Invalid session for the user, session can only be used once."):
        anon_idp.respond_to_auth_challenge(
            ClientId=device_client["ClientId"], ChallengeName="DEVICE_SRP_AUTH", Session=step["Session"],
            ChallengeResponses={"USERNAME": user.username, "DEVICE_KEY": key, "SRP_A": format(aws.large_a_value, "x")})


def test_a_device_cannot_sign_in_without_the_password_first(idp, anon_idp, device_pool, device_client):
    user = confirmed(idp, anon_idp, device_pool, device_client)
    key, group, device_password, _ = remember(anon_idp, password_sign_in(anon_idp, user))
    aws = srp(anon_idp, device_pool, device_client, user, key, group, device_password)
    with expect_error("NotAuthorizedException", "Invalid session for the user."):
        anon_idp.respond_to_auth_challenge(
            ClientId=device_client["ClientId"], ChallengeName="DEVICE_SRP_AUTH",
            ChallengeResponses={"USERNAME": user.username, "DEVICE_KEY": key, "SRP_A": format(aws.large_a_value, "x")})
    # A wrong device password fails the proof.
    step = password_sign_in(anon_idp, user, device_key=key)
    wrong = srp(anon_idp, device_pool, device_client, user, key, group, "not-the-device-password")
    verifier = anon_idp.respond_to_auth_challenge(
        ClientId=device_client["ClientId"], ChallengeName="DEVICE_SRP_AUTH", Session=step["Session"],
        ChallengeResponses={"USERNAME": user.username, "DEVICE_KEY": key, "SRP_A": format(wrong.large_a_value, "x")})
    with expect_error("NotAuthorizedException", "Incorrect username or password."):
        anon_idp.respond_to_auth_challenge(ClientId=device_client["ClientId"], ChallengeName="DEVICE_PASSWORD_VERIFIER",
                                           ChallengeResponses=wrong.process_device_challenge(verifier["ChallengeParameters"]))
    assert log_events(f"user-{user.sub}", "SignInFailed")[-1]["data"]["reason"] == "device_proof_failed"


def test_a_pool_that_asks_the_user_before_remembering(idp, anon_idp, pool_factory, client_factory):
    pool = pool_factory(AutoVerifiedAttributes=["email"],
                        DeviceConfiguration={"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True})
    idp.set_user_pool_mfa_config(UserPoolId=pool["Id"], MfaConfiguration="OPTIONAL", SoftwareTokenMfaConfiguration={"Enabled": True})
    client = client_factory(pool_id=pool["Id"])
    user = confirmed(idp, anon_idp, pool, client)
    first = password_sign_in(anon_idp, user)
    key, group, device_password, answer = remember(anon_idp, first)
    assert answer["UserConfirmationNecessary"] is True
    device = idp.admin_get_device(UserPoolId=pool["Id"], Username=user.username, DeviceKey=key)["Device"]
    assert {a["Name"]: a["Value"] for a in device["DeviceAttributes"]}["dev:device_remembered_status"] == "not_remembered"
    idp.admin_update_device_status(UserPoolId=pool["Id"], Username=user.username, DeviceKey=key, DeviceRememberedStatus="remembered")
    device = idp.admin_get_device(UserPoolId=pool["Id"], Username=user.username, DeviceKey=key)["Device"]
    assert {a["Name"]: a["Value"] for a in device["DeviceAttributes"]}["dev:device_remembered_status"] == "remembered"
    idp.admin_forget_device(UserPoolId=pool["Id"], Username=user.username, DeviceKey=key)
    assert idp.admin_list_devices(UserPoolId=pool["Id"], Username=user.username)["Devices"] == []


def test_listing_pages_and_other_users_devices_are_not_found(idp, anon_idp, device_pool, device_client):
    user = confirmed(idp, anon_idp, device_pool, device_client)
    keys = [password_sign_in(anon_idp, user)["AuthenticationResult"]["NewDeviceMetadata"]["DeviceKey"] for _ in range(3)]
    access = password_sign_in(anon_idp, user, device_key=keys[0])["AuthenticationResult"]["AccessToken"]
    page = anon_idp.list_devices(AccessToken=access, Limit=2)
    assert [d["DeviceKey"] for d in page["Devices"]] == keys[:2] and page["PaginationToken"]
    rest = anon_idp.list_devices(AccessToken=access, Limit=2, PaginationToken=page["PaginationToken"])
    assert [d["DeviceKey"] for d in rest["Devices"]] == keys[2:] and "PaginationToken" not in rest
    other = confirmed(idp, anon_idp, device_pool, device_client)
    other_access = password_sign_in(anon_idp, other)["AuthenticationResult"]["AccessToken"]
    with expect_error("ResourceNotFoundException"):
        anon_idp.get_device(AccessToken=other_access, DeviceKey=keys[0])
    with expect_error("ResourceNotFoundException"):
        anon_idp.forget_device(AccessToken=other_access, DeviceKey=keys[0])


def test_a_pool_without_device_tracking_gives_no_device_keys(idp, anon_idp, pool, client):
    user = confirmed(idp, anon_idp, pool, client)
    result = password_sign_in(anon_idp, user)["AuthenticationResult"]
    assert "NewDeviceMetadata" not in result and "device_key" not in claims(result["AccessToken"])
    with expect_error("InvalidUserPoolConfigurationException"):
        anon_idp.list_devices(AccessToken=result["AccessToken"])
    assert "AuthenticationResult" in AWSSRP(username=user.username, password=PASSWORD, pool_id=pool["Id"], client_id=client["ClientId"],
                                            client=anon_idp, device_key="us-east-1_" + unique("x"), device_group_key="-x",
                                            device_password="p").authenticate_user()
