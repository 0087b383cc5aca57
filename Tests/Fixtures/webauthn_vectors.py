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

# A packed full attestation: an attestation certificate (OU "Authenticator Attestation", not a CA, the
# AAGUID extension) signs the authenticator data and client data hash (WebAuthn §8.2.1).
import datetime  # noqa: E402

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives.serialization import Encoding  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

attestation_key = ec.generate_private_key(ec.SECP256R1())
aaguid = b"\x33" * 16
subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "US"), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example"),
                     x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Authenticator Attestation"),
                     x509.NameAttribute(NameOID.COMMON_NAME, "Example Authenticator")])
now = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(attestation_key.public_key())
               .serial_number(7).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=3650))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.45724.1.1.4"), b"\x04\x10" + aaguid),
                              critical=False)
               .sign(attestation_key, hashes.SHA256()))
full_key = ec.generate_private_key(ec.SECP256R1())
full_numbers = full_key.public_key().public_numbers()
full_cose = cbor.encode({1: 2, 3: -7, -1: 1, -2: full_numbers.x.to_bytes(32, "big"), -3: full_numbers.y.to_bytes(32, "big")})
full_id = os.urandom(16)
full_auth = (hashlib.sha256(RP_ID.encode()).digest() + bytes([0x45]) + struct.pack(">I", 3) + aaguid
             + struct.pack(">H", len(full_id)) + full_id + full_cose)
full_challenge = os.urandom(32)
full_client = json.dumps({"type": "webauthn.create", "origin": ORIGIN,
                          "challenge": base64.urlsafe_b64encode(full_challenge).decode().rstrip("=")}).encode()
full_sig = attestation_key.sign(full_auth + hashlib.sha256(full_client).digest(), ec.ECDSA(hashes.SHA256()))
full_attestation = cbor.encode({"fmt": "packed", "attStmt": {"alg": -7, "sig": full_sig, "x5c": [certificate.public_bytes(Encoding.DER)]},
                                "authData": full_auth})

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
    "packedFull": {"challenge": b64(full_challenge), "clientDataJSON": b64(full_client), "attestationObject": b64(full_attestation),
                   "credentialId": b64(full_id)},
    "rs256Assertion": {"challenge": b64(get_challenge), "clientDataJSON": b64(get_client), "authenticatorData": b64(get_auth),
                       "signature": b64(get_sig)},
}, indent=2))
