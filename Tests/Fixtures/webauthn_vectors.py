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

print(json.dumps({
    "rpId": RP_ID, "origin": ORIGIN,
    "registration": {"challenge": b64(create_challenge), "credentialId": b64(created["rawId"]),
                     "clientDataJSON": b64(created["response"]["clientDataJSON"]),
                     "attestationObject": b64(created["response"]["attestationObject"])},
    "assertions": assertions,
    "packed": {"challenge": b64(packed_challenge), "clientDataJSON": b64(client_data), "attestationObject": b64(packed),
               "credentialId": b64(credential_id)},
}, indent=2))
