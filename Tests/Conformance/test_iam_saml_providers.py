"""IAM SAML providers: CreateSAMLProvider, GetSAMLProvider, UpdateSAMLProvider, DeleteSAMLProvider,
ListSAMLProviders, TagSAMLProvider, UntagSAMLProvider and ListSAMLProviderTags.

The botocore iam model is the wire spec (shapes, lengths, patterns, errors). The metadata document must be SAML
2.0 metadata for an identity provider (an EntityDescriptor with an IDPSSODescriptor, signing certificates that are
X.509, an SSO endpoint); each test makes its own with a fresh self-signed certificate. Private keys (AddPrivateKey)
are secrets: GetSAMLProvider lists their KeyId and Timestamp only, and the event log holds them sealed.
Assertions are not verified yet (AssumeRoleWithSAML belongs to the federation issue).
"""
from __future__ import annotations

import base64
import datetime
import json
import os
import re
import subprocess

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from support import ACCOUNT_ID, POSTERN_BIN, REPO_ROOT, expect_error, log_events, make_iam, unique

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"


# --- fixtures and helpers ---

def certificate_base64(common_name: str = "idp.example.com") -> str:
    """A fresh self-signed X.509 certificate, base64 DER (as ds:X509Certificate holds it)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650)).sign(key, hashes.SHA256()))
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def metadata(entity_id: str | None = None, *, valid_until: str | None = None, certificate: str | None = None,
             use: str | None = "signing", sso: str = "https://idp.example.com/sso", protocol: str = "urn:oasis:names:tc:SAML:2.0:protocol",
             prologue: str = '<?xml version="1.0" encoding="UTF-8"?>') -> str:
    entity_id = entity_id or f"https://{unique('idp')}.example.com/saml"
    cert = certificate or certificate_base64()
    valid = f' validUntil="{valid_until}"' if valid_until else ""
    use_attr = f' use="{use}"' if use else ""
    return f"""{prologue}
<md:EntityDescriptor xmlns:md="{MD}" xmlns:ds="{DS}" entityID="{entity_id}"{valid}>
  <md:IDPSSODescriptor protocolSupportEnumeration="{protocol}">
    <md:KeyDescriptor{use_attr}>
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{sso}"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{sso}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
"""


def private_key_pem(fmt=serialization.PrivateFormat.PKCS8, encryption=None, bits: int = 2048) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(serialization.Encoding.PEM, fmt, encryption or serialization.NoEncryption()).decode()


def arn_of(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT_ID}:saml-provider/{name}"


def dt(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture
def saml_factory(iam):
    """create(name=None, document=None, **kwargs) -> ARN; every provider is deleted after the test."""
    created: list[str] = []

    def create(name: str | None = None, document: str | None = None, **kwargs) -> str:
        arn = iam.create_saml_provider(Name=name or unique("saml"), SAMLMetadataDocument=document or metadata(), **kwargs)[
            "SAMLProviderArn"]
        created.append(arn)
        return arn

    yield create
    for arn in created:
        try:
            iam.delete_saml_provider(SAMLProviderArn=arn)
        except ClientError:
            pass


# --- the provider's life cycle ---

def test_create_get_list_and_delete_a_provider(iam):
    name = unique("saml")
    document = metadata()
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    created = iam.create_saml_provider(Name=name, SAMLMetadataDocument=document, Tags=[{"Key": "team", "Value": "identity"}])
    arn = created["SAMLProviderArn"]
    try:
        assert arn == arn_of(name)
        assert created["Tags"] == [{"Key": "team", "Value": "identity"}]
        got = iam.get_saml_provider(SAMLProviderArn=arn)
        assert got["SAMLMetadataDocument"] == document
        assert re.fullmatch(r"[A-Z0-9]{22,64}", got["SAMLProviderUUID"])  # privateKeyIdType
        assert got["Tags"] == [{"Key": "team", "Value": "identity"}]
        assert got["AssertionEncryptionMode"] == "Allowed"
        assert got["PrivateKeyList"] == []
        created_at = got["CreateDate"]
        assert before - datetime.timedelta(seconds=5) <= created_at <= datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=5)
        # No validUntil in the metadata: valid a hundred years from the upload (aws-cli get-saml-provider example:
        # CreateDate 2017-03-06T22:29:46, ValidUntil 2117-03-06T22:29:46).
        assert got["ValidUntil"].year == created_at.year + 100
        assert abs((got["ValidUntil"].replace(year=created_at.year) - created_at).total_seconds()) < 5
        listed = [p for p in iam.list_saml_providers()["SAMLProviderList"] if p["Arn"] == arn]
        assert listed == [{"Arn": arn, "ValidUntil": got["ValidUntil"], "CreateDate": created_at}]
    finally:
        iam.delete_saml_provider(SAMLProviderArn=arn)
    assert arn not in [p["Arn"] for p in iam.list_saml_providers()["SAMLProviderList"]]
    with expect_error("NoSuchEntity", status=404):
        iam.get_saml_provider(SAMLProviderArn=arn)
    with expect_error("NoSuchEntity", status=404):
        iam.delete_saml_provider(SAMLProviderArn=arn)


def test_valid_until_comes_from_the_metadata(iam, saml_factory):
    arn = saml_factory(document=metadata(valid_until="2040-05-06T07:08:09Z"))
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["ValidUntil"] == datetime.datetime(2040, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc)


def test_metadata_that_has_expired_is_refused(iam):
    with expect_error("InvalidInput"):
        iam.create_saml_provider(Name=unique("saml"), SAMLMetadataDocument=metadata(valid_until="2001-01-01T00:00:00Z"))


def test_a_name_is_taken_once_regardless_of_case(iam, saml_factory):
    name = unique("Saml")
    saml_factory(name)
    with expect_error("EntityAlreadyExists", status=409):
        saml_factory(name)
    with expect_error("EntityAlreadyExists", status=409):
        saml_factory(name.upper())


@pytest.mark.parametrize("name", ["", "has space", "plus+sign", "x" * 129, "ünicode"])
def test_a_name_outside_the_model_is_a_validation_error(unvalidated_iam, name):
    # SAMLProviderNameType: length 1-128, pattern [\w._-]+.
    with expect_error("ValidationError"):
        unvalidated_iam.create_saml_provider(Name=name, SAMLMetadataDocument=metadata())


def test_required_members_are_validation_errors(unvalidated_iam):
    with expect_error("ValidationError"):
        unvalidated_iam.create_saml_provider(SAMLMetadataDocument=metadata())
    with expect_error("ValidationError"):
        unvalidated_iam.create_saml_provider(Name=unique("saml"))
    with expect_error("ValidationError"):
        unvalidated_iam.get_saml_provider()


def test_a_document_under_1000_characters_is_a_validation_error(unvalidated_iam):
    # SAMLMetadataDocumentType: min 1000, max 10000000.
    with expect_error("ValidationError"):
        unvalidated_iam.create_saml_provider(Name=unique("saml"), SAMLMetadataDocument="<md:EntityDescriptor/>")


@pytest.mark.parametrize("document", [
    "x" * 1200,
    "<html>" + "<p>not metadata</p>" * 80 + "</html>",
    metadata().replace("</md:EntityDescriptor>", ""),                                   # not well-formed
    metadata(protocol="urn:oasis:names:tc:SAML:1.1:protocol"),                          # no SAML 2.0 IdP
    metadata(use="encryption"),                                                          # no signing key
    metadata(certificate="bm90IGEgY2VydGlmaWNhdGU=" * 40),                               # base64, not X.509
    metadata(sso="").replace(' Location=""', ""),                                        # SSO service without a Location
    metadata(prologue='<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'),  # a DTD
], ids=["text", "html", "truncated", "saml1", "no-signing-key", "bad-certificate", "no-location", "dtd"])
def test_a_document_that_is_not_idp_metadata_is_invalid_input(iam, document):
    with expect_error("InvalidInput"):
        iam.create_saml_provider(Name=unique("saml"), SAMLMetadataDocument=document)


def test_a_key_descriptor_without_use_is_a_signing_key(saml_factory):
    saml_factory(document=metadata(use=None))


def test_the_encryption_mode_is_an_enum(unvalidated_iam):
    with expect_error("ValidationError"):
        unvalidated_iam.create_saml_provider(Name=unique("saml"), SAMLMetadataDocument=metadata(), AssertionEncryptionMode="Always")


def test_update_replaces_the_metadata(iam, saml_factory):
    arn = saml_factory()
    newer = metadata(valid_until="2039-01-01T00:00:00Z")
    assert iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument=newer)["SAMLProviderArn"] == arn
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["SAMLMetadataDocument"] == newer
    assert got["ValidUntil"] == datetime.datetime(2039, 1, 1, tzinfo=datetime.timezone.utc)
    with expect_error("InvalidInput"):
        iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument="y" * 1500)
    assert iam.get_saml_provider(SAMLProviderArn=arn)["SAMLMetadataDocument"] == newer


def test_an_update_without_a_change_is_invalid_input(iam, saml_factory):
    arn = saml_factory()
    with expect_error("InvalidInput"):
        iam.update_saml_provider(SAMLProviderArn=arn)


# --- private keys and assertion encryption ---

def test_private_keys_are_added_listed_and_removed_but_never_returned(iam, saml_factory):
    first_pem = private_key_pem()
    arn = saml_factory(AddPrivateKey=first_pem, AssertionEncryptionMode="Required")
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["AssertionEncryptionMode"] == "Required"
    [first] = got["PrivateKeyList"]
    assert re.fullmatch(r"[A-Z0-9]{22,64}", first["KeyId"]) and isinstance(first["Timestamp"], datetime.datetime)
    assert set(first) == {"KeyId", "Timestamp"}
    # Rotation: add the new key, then remove the old one in a second request.
    second_pem = private_key_pem(fmt=serialization.PrivateFormat.TraditionalOpenSSL)
    iam.update_saml_provider(SAMLProviderArn=arn, AddPrivateKey=second_pem)
    keys = iam.get_saml_provider(SAMLProviderArn=arn)["PrivateKeyList"]
    assert [k["KeyId"] for k in keys][0] == first["KeyId"] and len(keys) == 2
    iam.update_saml_provider(SAMLProviderArn=arn, RemovePrivateKey=first["KeyId"])
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert [k["KeyId"] for k in got["PrivateKeyList"]] == [keys[1]["KeyId"]]
    body = json.dumps(got, default=str)
    assert "PRIVATE KEY" not in body and first_pem not in body and second_pem not in body
    # The event log holds them sealed.
    stream = "iamsaml-" + arn.rsplit("/", 1)[1].lower()
    events = log_events(stream)
    logged = json.dumps(events)
    assert "PRIVATE KEY" not in logged
    for pem in (first_pem, second_pem):
        middle = pem.splitlines()[5]
        assert middle not in logged


def test_at_most_two_private_keys(iam, saml_factory):
    arn = saml_factory(AddPrivateKey=private_key_pem())
    iam.update_saml_provider(SAMLProviderArn=arn, AddPrivateKey=private_key_pem())
    with expect_error("LimitExceeded", status=409):
        iam.update_saml_provider(SAMLProviderArn=arn, AddPrivateKey=private_key_pem())


def test_the_same_key_twice_is_invalid_input(iam, saml_factory):
    pem = private_key_pem()
    arn = saml_factory(AddPrivateKey=pem)
    with expect_error("InvalidInput"):
        iam.update_saml_provider(SAMLProviderArn=arn, AddPrivateKey=pem)


def test_adding_and_removing_in_one_request_is_invalid_input(iam, saml_factory):
    arn = saml_factory(AddPrivateKey=private_key_pem())
    [key] = iam.get_saml_provider(SAMLProviderArn=arn)["PrivateKeyList"]
    with expect_error("InvalidInput"):
        iam.update_saml_provider(SAMLProviderArn=arn, AddPrivateKey=private_key_pem(), RemovePrivateKey=key["KeyId"])


def test_required_encryption_needs_a_key(iam, saml_factory):
    with expect_error("InvalidInput"):
        iam.create_saml_provider(Name=unique("saml"), SAMLMetadataDocument=metadata(), AssertionEncryptionMode="Required")
    arn = saml_factory()
    with expect_error("InvalidInput"):
        iam.update_saml_provider(SAMLProviderArn=arn, AssertionEncryptionMode="Required")
    iam.update_saml_provider(SAMLProviderArn=arn, AddPrivateKey=private_key_pem(), AssertionEncryptionMode="Required")
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["AssertionEncryptionMode"] == "Required"
    # The last key cannot go while assertions must be encrypted; switching to Allowed in the same request can.
    key_id = got["PrivateKeyList"][0]["KeyId"]
    with expect_error("InvalidInput"):
        iam.update_saml_provider(SAMLProviderArn=arn, RemovePrivateKey=key_id)
    iam.update_saml_provider(SAMLProviderArn=arn, RemovePrivateKey=key_id, AssertionEncryptionMode="Allowed")
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["AssertionEncryptionMode"] == "Allowed" and got["PrivateKeyList"] == []


@pytest.mark.parametrize("kind", ["garbage", "encrypted", "ec", "public", "small"])
def test_a_private_key_that_is_not_an_unencrypted_rsa_key_is_invalid_input(iam, saml_factory, kind):
    arn = saml_factory()
    pem = {
        "garbage": lambda: "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n",
        "encrypted": lambda: private_key_pem(encryption=serialization.BestAvailableEncryption(b"passphrase")),
        "ec": lambda: ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode(),
        "public": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode(),
        "small": lambda: private_key_pem(bits=1024),
    }[kind]()
    with expect_error("InvalidInput") as caught:
        iam.update_saml_provider(SAMLProviderArn=arn, AddPrivateKey=pem)
    assert "KEY-----" not in caught.value.response["Error"]["Message"]


def test_private_key_members_outside_the_model_are_validation_errors(unvalidated_iam, saml_factory):
    arn = saml_factory()
    # privateKeyType: length 1-16384 (sensitive: the message does not repeat it); privateKeyIdType: [A-Z0-9]{22,64}.
    with expect_error("ValidationError") as caught:
        unvalidated_iam.update_saml_provider(SAMLProviderArn=arn, AddPrivateKey="k" * 16385)
    assert "kkkk" not in caught.value.response["Error"]["Message"]
    with expect_error("ValidationError"):
        unvalidated_iam.update_saml_provider(SAMLProviderArn=arn, RemovePrivateKey="short")
    with expect_error("ValidationError"):
        unvalidated_iam.update_saml_provider(SAMLProviderArn=arn, RemovePrivateKey="lower" * 5)


def test_removing_a_key_the_provider_does_not_have_is_invalid_input(iam, saml_factory):
    arn = saml_factory()
    with expect_error("InvalidInput"):
        iam.update_saml_provider(SAMLProviderArn=arn, RemovePrivateKey="A" * 26)


# --- tags ---

def test_provider_tags(iam, saml_factory):
    arn = saml_factory()
    iam.tag_saml_provider(SAMLProviderArn=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}, {"Key": "c", "Value": "3"}])
    iam.tag_saml_provider(SAMLProviderArn=arn, Tags=[{"Key": "A", "Value": "4"}])
    iam.untag_saml_provider(SAMLProviderArn=arn, TagKeys=["b", "missing"])
    assert iam.list_saml_provider_tags(SAMLProviderArn=arn)["Tags"] == [{"Key": "A", "Value": "4"}, {"Key": "c", "Value": "3"}]
    assert iam.get_saml_provider(SAMLProviderArn=arn)["Tags"] == [{"Key": "A", "Value": "4"}, {"Key": "c", "Value": "3"}]
    first = iam.list_saml_provider_tags(SAMLProviderArn=arn, MaxItems=1)
    assert first["Tags"] == [{"Key": "A", "Value": "4"}] and first["IsTruncated"] is True
    rest = iam.list_saml_provider_tags(SAMLProviderArn=arn, MaxItems=1, Marker=first["Marker"])
    assert rest["Tags"] == [{"Key": "c", "Value": "3"}] and rest["IsTruncated"] is False
    with expect_error("InvalidInput"):
        iam.tag_saml_provider(SAMLProviderArn=arn, Tags=[{"Key": "aws:x", "Value": "1"}])


def test_a_provider_holds_at_most_fifty_tags(iam, saml_factory):
    arn = saml_factory(Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    with expect_error("LimitExceeded", status=409):
        iam.tag_saml_provider(SAMLProviderArn=arn, Tags=[{"Key": "one-more", "Value": "v"}])
    assert len(iam.list_saml_provider_tags(SAMLProviderArn=arn)["Tags"]) == 50


def test_tags_without_a_provider(iam):
    arn = arn_of(unique("none"))
    with expect_error("NoSuchEntity", status=404):
        iam.tag_saml_provider(SAMLProviderArn=arn, Tags=[{"Key": "a", "Value": "1"}])
    with expect_error("NoSuchEntity", status=404):
        iam.untag_saml_provider(SAMLProviderArn=arn, TagKeys=["a"])


# --- ARNs, listing, access, quotas ---

@pytest.mark.parametrize("arn,code,status", [
    (f"arn:aws:iam::{ACCOUNT_ID}:saml-provider/nobody-here", "NoSuchEntity", 404),
    (f"arn:aws:iam::{ACCOUNT_ID}:role/not-a-provider", "InvalidInput", 400),
    (f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/idp.example.com", "InvalidInput", 400),
    ("arn:aws:iam::111122223333:saml-provider/other-account", "NoSuchEntity", 404),
])
def test_an_arn_naming_no_provider(iam, arn, code, status):
    for call in (iam.get_saml_provider, iam.delete_saml_provider, iam.list_saml_provider_tags):
        with expect_error(code, status=status):
            call(SAMLProviderArn=arn)
    with expect_error(code, status=status):
        iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument=metadata())


def test_an_arn_outside_the_model_is_a_validation_error(unvalidated_iam):
    with expect_error("ValidationError"):
        unvalidated_iam.get_saml_provider(SAMLProviderArn="arn:short")


def test_list_saml_providers_has_no_paging(iam, saml_factory):
    # ListSAMLProvidersRequest has no members and the response no Marker/IsTruncated: one answer holds them all.
    assert not iam.can_paginate("list_saml_providers")
    arns = {saml_factory() for _ in range(3)}
    response = iam.list_saml_providers()
    assert arns <= {p["Arn"] for p in response["SAMLProviderList"]}
    assert "Marker" not in response and "IsTruncated" not in response


def test_a_provider_created_again_can_be_changed_again(iam, saml_factory):
    name = unique("saml")
    arn = saml_factory(name)
    iam.tag_saml_provider(SAMLProviderArn=arn, Tags=[{"Key": "first", "Value": "1"}])
    iam.delete_saml_provider(SAMLProviderArn=arn)
    assert saml_factory(name) == arn
    iam.tag_saml_provider(SAMLProviderArn=arn, Tags=[{"Key": "second", "Value": "2"}])
    iam.update_saml_provider(SAMLProviderArn=arn, AddPrivateKey=private_key_pem())
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["Tags"] == [{"Key": "second", "Value": "2"}] and len(got["PrivateKeyList"]) == 1


def test_provider_operations_need_the_admin_keys(saml_factory):
    arn = saml_factory()
    stranger = make_iam("AKIAWRONGWRONGWRONG1", "wrong-secret")
    for call in (lambda: stranger.get_saml_provider(SAMLProviderArn=arn), stranger.list_saml_providers):
        with pytest.raises(ClientError) as caught:
            call()
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_provider_changes_are_events(iam, saml_factory):
    name = unique("saml")
    arn = saml_factory(name)
    iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument=metadata(), AddPrivateKey=private_key_pem(),
                             AssertionEncryptionMode="Required")
    iam.tag_saml_provider(SAMLProviderArn=arn, Tags=[{"Key": "a", "Value": "1"}])
    iam.untag_saml_provider(SAMLProviderArn=arn, TagKeys=["a"])
    key_id = iam.get_saml_provider(SAMLProviderArn=arn)["PrivateKeyList"][0]["KeyId"]
    iam.update_saml_provider(SAMLProviderArn=arn, RemovePrivateKey=key_id, AssertionEncryptionMode="Allowed")
    iam.delete_saml_provider(SAMLProviderArn=arn)
    types = [event["type"] for event in log_events("iamsaml-" + name.lower())]
    assert types == [
        "IAMSAMLProviderCreated", "IAMSAMLProviderMetadataUpdated", "IAMSAMLProviderPrivateKeyAdded",
        "IAMSAMLProviderAssertionEncryptionModeSet", "IAMSAMLProviderTagged", "IAMSAMLProviderUntagged",
        "IAMSAMLProviderPrivateKeyRemoved", "IAMSAMLProviderAssertionEncryptionModeSet", "IAMSAMLProviderDeleted"]


def test_an_account_holds_at_most_a_hundred_providers(iam, saml_factory):
    # IAM quota: SAML providers per account, 100.
    document = metadata()
    existing = len(iam.list_saml_providers()["SAMLProviderList"])
    for _ in range(100 - existing):
        saml_factory(document=document)
    assert len(iam.list_saml_providers()["SAMLProviderList"]) == 100
    with expect_error("LimitExceeded", status=409):
        iam.create_saml_provider(Name=unique("saml"), SAMLMetadataDocument=document)


# --- rebuild ---

def test_a_rebuild_reproduces_the_providers(iam, saml_factory):
    if not os.path.exists(POSTERN_BIN):
        pytest.skip(f"{POSTERN_BIN} not built")
    arn = saml_factory(Tags=[{"Key": "team", "Value": "id"}], AddPrivateKey=private_key_pem())
    iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument=metadata(valid_until="2041-02-03T04:05:06Z"),
                             AssertionEncryptionMode="Required")
    iam.update_saml_provider(SAMLProviderArn=arn, AddPrivateKey=private_key_pem())
    deleted = saml_factory()
    iam.delete_saml_provider(SAMLProviderArn=deleted)

    def state():
        got = iam.get_saml_provider(SAMLProviderArn=arn)
        got.pop("ResponseMetadata")
        listed = iam.list_saml_providers()["SAMLProviderList"]
        return got, sorted(listed, key=lambda p: p["Arn"]), iam.list_saml_provider_tags(SAMLProviderArn=arn)["Tags"]

    before = state()
    proc = subprocess.run([POSTERN_BIN, "projections", "rebuild"], cwd=REPO_ROOT, env=dict(os.environ),
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert state() == before
    assert deleted not in [p["Arn"] for p in before[1]]
    # The provider can still be changed: its row kept the stream's version.
    iam.tag_saml_provider(SAMLProviderArn=arn, Tags=[{"Key": "after", "Value": "rebuild"}])
