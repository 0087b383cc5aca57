"""Generates Tests/Fixtures/webauthn_vectors.json: registrations and assertions made by a software
authenticator (soft-webauthn over python-fido2), for the Swift WebAuthn verification tests. Re-run to
regenerate (the keys are random; the tests only use what the file holds):

    python3 Tests/Fixtures/webauthn_vectors.py > Tests/Fixtures/webauthn_vectors.json
"""
import base64
import hashlib
import json
import os
import struct

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2 import cbor
from soft_webauthn import SoftWebauthnDevice

RP_ID = "auth.example.com"
ORIGIN = "https://auth.example.com"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


device = SoftWebauthnDevice()
create_challenge = os.urandom(32)
created = device.create({"publicKey": {"rp": {"id": RP_ID, "name": "Example"}, "user": {"id": b"user-1", "name": "alice"},
                                       "challenge": create_challenge, "pubKeyCredParams": [{"alg": -7, "type": "public-key"}]}},
                        ORIGIN)
assertions = []
for _ in range(2):
    challenge = os.urandom(32)
    got = device.get({"publicKey": {"rpId": RP_ID, "challenge": challenge}}, ORIGIN)
    assertions.append({"challenge": b64(challenge), "clientDataJSON": b64(got["response"]["clientDataJSON"]),
                       "authenticatorData": b64(got["response"]["authenticatorData"]), "signature": b64(got["response"]["signature"])})

# A packed self-attestation, signed by the new credential's own key (WebAuthn §8.2), made by hand.
key = ec.generate_private_key(ec.SECP256R1())
numbers = key.public_key().public_numbers()
cose = cbor.encode({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})
credential_id = os.urandom(16)
auth_data = (hashlib.sha256(RP_ID.encode()).digest() + bytes([0x45]) + struct.pack(">I", 7) + b"\x11" * 16
             + struct.pack(">H", len(credential_id)) + credential_id + cose)
packed_challenge = os.urandom(32)
client_data = json.dumps({"type": "webauthn.create", "origin": ORIGIN,
                          "challenge": base64.urlsafe_b64encode(packed_challenge).decode().rstrip("=")}).encode()
signature = key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
packed = cbor.encode({"fmt": "packed", "attStmt": {"alg": -7, "sig": signature}, "authData": auth_data})

# An RS256 credential (COSE kty 3, alg -257) with packed self-attestation, and one assertion by it.
from cryptography.hazmat.primitives.asymmetric import padding, rsa  # noqa: E402

rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
rsa_numbers = rsa_key.public_key().public_numbers()
rsa_cose = cbor.encode({1: 3, 3: -257, -1: rsa_numbers.n.to_bytes(256, "big"), -2: rsa_numbers.e.to_bytes(3, "big")})
rsa_id = os.urandom(16)
rsa_auth = (hashlib.sha256(RP_ID.encode()).digest() + bytes([0x45]) + struct.pack(">I", 1) + b"\x22" * 16
            + struct.pack(">H", len(rsa_id)) + rsa_id + rsa_cose)
rsa_challenge = os.urandom(32)
rsa_client = json.dumps({"type": "webauthn.create", "origin": ORIGIN,
                         "challenge": base64.urlsafe_b64encode(rsa_challenge).decode().rstrip("=")}).encode()
rsa_sig = rsa_key.sign(rsa_auth + hashlib.sha256(rsa_client).digest(), padding.PKCS1v15(), hashes.SHA256())
rsa_attestation = cbor.encode({"fmt": "packed", "attStmt": {"alg": -257, "sig": rsa_sig}, "authData": rsa_auth})
get_challenge = os.urandom(32)
get_client = json.dumps({"type": "webauthn.get", "origin": ORIGIN,
                         "challenge": base64.urlsafe_b64encode(get_challenge).decode().rstrip("=")}).encode()
get_auth = hashlib.sha256(RP_ID.encode()).digest() + bytes([0x05]) + struct.pack(">I", 2)
get_sig = rsa_key.sign(get_auth + hashlib.sha256(get_client).digest(), padding.PKCS1v15(), hashes.SHA256())

print(json.dumps({
    "rpId": RP_ID, "origin": ORIGIN,
    "registration": {"challenge": b64(create_challenge), "credentialId": b64(created["rawId"]),
                     "clientDataJSON": b64(created["response"]["clientDataJSON"]),
                     "attestationObject": b64(created["response"]["attestationObject"])},
    "assertions": assertions,
    "packed": {"challenge": b64(packed_challenge), "clientDataJSON": b64(client_data), "attestationObject": b64(packed),
               "credentialId": b64(credential_id)},
    "rs256": {"challenge": b64(rsa_challenge), "clientDataJSON": b64(rsa_client), "attestationObject": b64(rsa_attestation),
              "credentialId": b64(rsa_id)},
    "rs256Assertion": {"challenge": b64(get_challenge), "clientDataJSON": b64(get_client), "authenticatorData": b64(get_auth),
                       "signature": b64(get_sig)},
}, indent=2))
