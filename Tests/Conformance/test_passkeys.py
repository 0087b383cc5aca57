"""Passkeys: StartWebAuthnRegistration / CompleteWebAuthnRegistration / ListWebAuthnCredentials /
DeleteWebAuthnCredential, and the WEB_AUTHN first factor of USER_AUTH, with a software authenticator
(soft-webauthn over python-fido2) standing in for the browser and the platform authenticator."""
import base64
import json

import pytest
from soft_webauthn import SoftWebauthnDevice

from support import ALL_FLOWS, PASSWORD, claims, expect_error, log_events, sign_up

ORIGIN = "http://localhost:3000"


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture
def passkey_pool(idp, pool_factory):
    pool = pool_factory(AutoVerifiedAttributes=["email"], Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}})
    idp.set_user_pool_mfa_config(UserPoolId=pool["Id"], MfaConfiguration="OFF",
                                 WebAuthnConfiguration={"RelyingPartyId": "localhost", "UserVerification": "preferred"})
    return pool


@pytest.fixture
def passkey_client(client_factory, passkey_pool):
    return client_factory(pool_id=passkey_pool["Id"], ExplicitAuthFlows=ALL_FLOWS + ["ALLOW_USER_AUTH"])


def signed_in(idp, anon_idp, pool, client):
    user = sign_up(anon_idp, pool["Id"], client)
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=user.username)
    access = anon_idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                                    AuthParameters={"USERNAME": user.username, "PASSWORD": PASSWORD})["AuthenticationResult"]["AccessToken"]
    return user, access


def register(anon_idp, access, device, origin=ORIGIN):
    options = anon_idp.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
    public_key = dict(options, challenge=unb64u(options["challenge"]), user=dict(options["user"], id=unb64u(options["user"]["id"])))
    created = device.create({"publicKey": public_key}, origin)
    credential = {"id": b64u(created["rawId"]), "rawId": b64u(created["rawId"]), "type": "public-key",
                  "response": {"clientDataJSON": b64u(created["response"]["clientDataJSON"]),
                               "attestationObject": b64u(created["response"]["attestationObject"]), "transports": ["internal"]}}
    anon_idp.complete_web_authn_registration(AccessToken=access, Credential=credential)
    return options, b64u(created["rawId"])


def assertion(device, challenge_parameters, origin=ORIGIN):
    options = json.loads(challenge_parameters["CREDENTIAL_REQUEST_OPTIONS"])
    got = device.get({"publicKey": {"rpId": options["rpId"], "challenge": unb64u(options["challenge"])}}, origin)
    return json.dumps({"id": b64u(got["rawId"]), "rawId": b64u(got["rawId"]), "type": "public-key",
                       "response": {"clientDataJSON": b64u(got["response"]["clientDataJSON"]),
                                    "authenticatorData": b64u(got["response"]["authenticatorData"]),
                                    "signature": b64u(got["response"]["signature"]),
                                    "userHandle": b64u(got["response"]["userHandle"])}})


def test_register_a_passkey_and_sign_in_with_it(idp, anon_idp, passkey_pool, passkey_client):
    user, access = signed_in(idp, anon_idp, passkey_pool, passkey_client)
    device = SoftWebauthnDevice()
    options, credential_id = register(anon_idp, access, device)
    assert options["rp"]["id"] == "localhost" and {"type": "public-key", "alg": -7} in options["pubKeyCredParams"]
    [listed] = anon_idp.list_web_authn_credentials(AccessToken=access)["Credentials"]
    assert listed["CredentialId"] == credential_id and listed["RelyingPartyId"] == "localhost"
    assert listed["AuthenticatorTransports"] == ["internal"]

    select = anon_idp.initiate_auth(ClientId=passkey_client["ClientId"], AuthFlow="USER_AUTH", AuthParameters={"USERNAME": user.username})
    assert select["AvailableChallenges"] == ["WEB_AUTHN", "PASSWORD", "PASSWORD_SRP"]
    step = anon_idp.initiate_auth(ClientId=passkey_client["ClientId"], AuthFlow="USER_AUTH",
                                  AuthParameters={"USERNAME": user.username, "PREFERRED_CHALLENGE": "WEB_AUTHN"})
    assert step["ChallengeName"] == "WEB_AUTHN"
    answer = assertion(device, step["ChallengeParameters"])
    done = anon_idp.respond_to_auth_challenge(ClientId=passkey_client["ClientId"], ChallengeName="WEB_AUTHN", Session=step["Session"],
                                              ChallengeResponses={"USERNAME": user.username, "CREDENTIAL": answer})
    assert claims(done["AuthenticationResult"]["IdToken"])["sub"] == user.sub
    # The same assertion answers no other challenge.
    again = anon_idp.initiate_auth(ClientId=passkey_client["ClientId"], AuthFlow="USER_AUTH",
                                   AuthParameters={"USERNAME": user.username, "PREFERRED_CHALLENGE": "WEB_AUTHN"})
    with expect_error("NotAuthorizedException", "Incorrect username or password."):
        anon_idp.respond_to_auth_challenge(ClientId=passkey_client["ClientId"], ChallengeName="WEB_AUTHN", Session=again["Session"],
                                           ChallengeResponses={"USERNAME": user.username, "CREDENTIAL": answer})
    assert log_events(f"user-{user.sub}", "SignInFailed")[-1]["data"]["reason"] == "passkey_assertion_failed"

    anon_idp.delete_web_authn_credential(AccessToken=access, CredentialId=credential_id)
    assert anon_idp.list_web_authn_credentials(AccessToken=access)["Credentials"] == []
    select = anon_idp.initiate_auth(ClientId=passkey_client["ClientId"], AuthFlow="USER_AUTH", AuthParameters={"USERNAME": user.username})
    assert "WEB_AUTHN" not in select["AvailableChallenges"]
    with expect_error("ResourceNotFoundException"):
        anon_idp.delete_web_authn_credential(AccessToken=access, CredentialId=credential_id)


def test_registration_checks_the_origin_and_the_challenge(idp, anon_idp, passkey_pool, passkey_client):
    _, access = signed_in(idp, anon_idp, passkey_pool, passkey_client)
    with expect_error("WebAuthnOriginNotAllowedException"):
        register(anon_idp, access, SoftWebauthnDevice(), origin="https://evil.example")
    # A challenge made up by the client is not ours.
    device = SoftWebauthnDevice()
    options = anon_idp.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
    forged = dict(options, challenge=b"\x01" * 32, user=dict(options["user"], id=unb64u(options["user"]["id"])))
    created = device.create({"publicKey": forged}, ORIGIN)
    credential = {"id": b64u(created["rawId"]), "type": "public-key",
                  "response": {"clientDataJSON": b64u(created["response"]["clientDataJSON"]),
                               "attestationObject": b64u(created["response"]["attestationObject"])}}
    with expect_error("WebAuthnChallengeNotFoundException"):
        anon_idp.complete_web_authn_registration(AccessToken=access, Credential=credential)
    assert anon_idp.list_web_authn_credentials(AccessToken=access)["Credentials"] == []


def test_a_pool_without_passkeys_refuses_them(idp, anon_idp, pool, client):
    _, access = signed_in(idp, anon_idp, pool, client)
    with expect_error("WebAuthnNotEnabledException"):
        anon_idp.start_web_authn_registration(AccessToken=access)
