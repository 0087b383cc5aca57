"""ID and access tokens: RS256 + JWKS, claims, discovery, and forged tokens (tokens.md)."""
import hashlib
import hmac
import json
import time
import uuid

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from support import ENDPOINT, b64url, b64url_decode, expect_error, jwt_header, tokens


def _issuer(pool_id):
    # iss = {base}/{userPoolId}, no trailing slash (tokens.md §2; DESIGN.md compatibility contract).
    return f"{ENDPOINT}/{pool_id}"


def _jwks(pool_id):
    resp = requests.get(f"{_issuer(pool_id)}/.well-known/jwks.json", timeout=10)
    assert resp.status_code == 200
    return resp.json()


def _key_for(token, jwks):
    kid = jwt_header(token)["kid"]
    for k in jwks["keys"]:
        if k["kid"] == kid:
            return jwt.PyJWK.from_dict(k)
    raise AssertionError(f"kid {kid} not in JWKS")


def _verify(token, pool_id, audience=None):
    jwks = _jwks(pool_id)
    return jwt.decode(
        token, _key_for(token, jwks).key, algorithms=["RS256"], issuer=_issuer(pool_id), audience=audience,
        options={"require": ["exp", "iat", "iss", "sub", "token_use"], "verify_aud": audience is not None},
    )


def test_jwks_shape(confirmed_user):
    jwks = _jwks(confirmed_user.pool_id)
    assert jwks["keys"]
    for k in jwks["keys"]:
        # tokens.md §2: {"alg":"RS256","e":"AQAB","kid","kty":"RSA","n","use":"sig"}
        assert k["kty"] == "RSA"
        assert k["alg"] == "RS256"
        assert k["use"] == "sig"
        assert k["e"] == "AQAB"
        assert k["kid"] and k["n"]
        assert "d" not in k and "p" not in k  # public keys only
    assert len({k["kid"] for k in jwks["keys"]}) == len(jwks["keys"])


def test_id_token(anon_idp, confirmed_user):
    user = confirmed_user
    auth = tokens(anon_idp, user)
    header = jwt_header(auth["IdToken"])
    assert header["alg"] == "RS256" and header["kid"]
    c = _verify(auth["IdToken"], user.pool_id, audience=user.client_id)
    # tokens.md §3
    assert c["iss"] == _issuer(user.pool_id)
    assert c["aud"] == user.client_id
    assert c["token_use"] == "id"
    assert c["sub"] == user.sub
    assert c["cognito:username"] == user.username
    assert c["email"] == user.email
    assert c["exp"] - c["iat"] == 3600
    assert abs(c["iat"] - time.time()) < 300
    assert isinstance(c["auth_time"], int)
    uuid.UUID(c["jti"])
    uuid.UUID(c["origin_jti"])


def test_access_token(anon_idp, confirmed_user):
    user = confirmed_user
    auth = tokens(anon_idp, user)
    c = _verify(auth["AccessToken"], user.pool_id)
    # tokens.md §4: client_id and username, no aud.
    assert c["iss"] == _issuer(user.pool_id)
    assert c["token_use"] == "access"
    assert c["sub"] == user.sub
    assert c["client_id"] == user.client_id
    assert c["username"] == user.username
    assert c["scope"] == "aws.cognito.signin.user.admin"
    assert "aud" not in c
    assert c["exp"] - c["iat"] == 3600
    id_claims = _verify(auth["IdToken"], user.pool_id, audience=user.client_id)
    assert c["origin_jti"] == id_claims["origin_jti"]
    assert c["auth_time"] == id_claims["auth_time"]
    assert c["jti"] != id_claims["jti"]


def test_id_and_access_tokens_use_different_keys(anon_idp, confirmed_user):
    # "ID and access tokens are signed with different keys" (tokens.md §2).
    auth = tokens(anon_idp, confirmed_user)
    assert jwt_header(auth["IdToken"])["kid"] != jwt_header(auth["AccessToken"])["kid"]


def test_openid_configuration(confirmed_user):
    issuer = _issuer(confirmed_user.pool_id)
    resp = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10)
    assert resp.status_code == 200
    doc = resp.json()
    assert doc["issuer"] == issuer
    assert doc["jwks_uri"] == f"{issuer}/.well-known/jwks.json"


def test_pools_have_their_own_keys(anon_idp, idp, pool_factory, confirmed_user):
    other = pool_factory()
    own = {k["kid"] for k in _jwks(confirmed_user.pool_id)["keys"]}
    theirs = {k["kid"] for k in _jwks(other["Id"])["keys"]}
    # JWTs are signed per pool (DESIGN.md).
    assert own.isdisjoint(theirs)


# --- forged tokens: GetUser must reject every one of them (tokens.md §5) ---

def _split(token):
    h, p, s = token.split(".")
    return json.loads(b64url_decode(h)), json.loads(b64url_decode(p)), s


def _forge_alg_none(token, jwks):
    header, payload, _ = _split(token)
    header = {"alg": "none", "kid": header["kid"]}
    return f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}."


def _forge_hs256_with_public_key(token, jwks):
    header, payload, _ = _split(token)
    pem = _key_for(token, jwks).key.public_bytes(serialization.Encoding.PEM,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)
    signing_input = f"{b64url(json.dumps({'alg': 'HS256', 'kid': header['kid']}).encode())}." \
                    f"{b64url(json.dumps(payload).encode())}"
    signature = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def _forge_other_rsa_key(token, jwks):
    header, payload, _ = _split(token)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": header["kid"]})


def _forge_tampered_sub(token, jwks):
    h, _, s = token.split(".")
    _, payload, _ = _split(token)
    payload["sub"] = str(uuid.uuid4())
    return f"{h}.{b64url(json.dumps(payload).encode())}.{s}"


def _forge_expired(token, jwks):
    # A validly signed expired token cannot be made within the suite's time budget (min lifetime 5 min):
    # move exp/iat into the past and keep the original signature.
    h, _, s = token.split(".")
    _, payload, _ = _split(token)
    payload["iat"] -= 7200
    payload["exp"] = payload["iat"] + 3600
    return f"{h}.{b64url(json.dumps(payload).encode())}.{s}"


def _forge_unknown_kid(token, jwks):
    _, p, s = token.split(".")
    header, _, _ = _split(token)
    header["kid"] = "not-a-key-id"
    return f"{b64url(json.dumps(header).encode())}.{p}.{s}"


FORGERIES = {
    "alg_none": _forge_alg_none,
    "hs256_with_public_key": _forge_hs256_with_public_key,
    "other_rsa_key": _forge_other_rsa_key,
    "tampered_sub": _forge_tampered_sub,
    "expired": _forge_expired,
    "unknown_kid": _forge_unknown_kid,
}


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_forged_access_token_is_rejected(anon_idp, confirmed_user, forgery):
    auth = tokens(anon_idp, confirmed_user)
    forged = FORGERIES[forgery](auth["AccessToken"], _jwks(confirmed_user.pool_id))
    assert forged != auth["AccessToken"]
    with expect_error("NotAuthorizedException"):
        anon_idp.get_user(AccessToken=forged)
    # The genuine token still works.
    assert anon_idp.get_user(AccessToken=auth["AccessToken"])["Username"] == confirmed_user.username


def test_token_of_another_pool_is_not_valid_there(anon_idp, idp, pool_factory, confirmed_user):
    """A token re-labelled with another pool's issuer keeps the original signature: rejected."""
    other = pool_factory()
    auth = tokens(anon_idp, confirmed_user)
    h, _, s = auth["AccessToken"].split(".")
    _, payload, _ = _split(auth["AccessToken"])
    payload["iss"] = _issuer(other["Id"])
    forged = f"{h}.{b64url(json.dumps(payload).encode())}.{s}"
    with expect_error("NotAuthorizedException"):
        anon_idp.get_user(AccessToken=forged)

