import Foundation
import PosternCore
import Testing

/// Metadata documents for the SAML tests: an `EntityDescriptor` with one `IDPSSODescriptor`, whose parts a test
/// can change. The certificate is opaque here (the check is a parameter); PosternCrypto checks real ones.
enum SAMLFixture {
    static let certificate = "MIIC" + String(repeating: "QUJD", count: 120)

    static func document(
        entityId: String = "https://idp.example.com/saml", validUntil: String? = nil, descriptorValidUntil: String? = nil,
        keyUse: String? = "signing", certificates: [String] = [certificate], protocols: String = "urn:oasis:names:tc:SAML:2.0:protocol",
        services: [(String, String)] = [("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect", "https://idp.example.com/sso")],
        extra: String = ""
    ) -> String {
        let keys = certificates.map { certificate in
            """
                <md:KeyDescriptor\(keyUse.map { " use=\"\($0)\"" } ?? "")>
                  <ds:KeyInfo><ds:X509Data><ds:X509Certificate>
                    \(certificate)
                  </ds:X509Certificate></ds:X509Data></ds:KeyInfo>
                </md:KeyDescriptor>
            """
        }.joined(separator: "\n")
        let endpoints = services.map { #"    <md:SingleSignOnService Binding="\#($0.0)" Location="\#($0.1)"/>"# }.joined(separator: "\n")
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" \
            entityID="\(entityId)"\(validUntil.map { " validUntil=\"\($0)\"" } ?? "")>
              \(extra)
              <md:IDPSSODescriptor protocolSupportEnumeration="\(protocols)"\(descriptorValidUntil.map { " validUntil=\"\($0)\"" } ?? "")>
            \(keys)
                <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat>
            \(endpoints)
              </md:IDPSSODescriptor>
            </md:EntityDescriptor>
            """
    }
}

/// SAML metadata as IAM takes it: one EntityDescriptor with an IDPSSODescriptor for SAML 2.0, its entity id,
/// validUntil, signing certificates (use="signing" or none) and SSO endpoints; anything else is InvalidInput.
@Suite struct SAMLMetadataTests {
    func parse(_ document: String, isCertificate: ([UInt8]) -> Bool = { $0.first == 0x30 }) throws(IAMError) -> SAMLMetadata {
        try SAMLMetadata.parse(document, isCertificate: isCertificate)
    }

    func code(_ document: String) -> String? {
        do {
            _ = try parse(document)
            return nil
        } catch {
            return error.code
        }
    }

    @Test func theEntityIdCertificatesAndEndpointsAreRead() throws {
        let metadata = try parse(
            SAMLFixture.document(services: [
                ("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect", "https://idp.example.com/sso/redirect"),
                ("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST", "https://idp.example.com/sso/post"),
            ]))
        #expect(metadata.entityId == "https://idp.example.com/saml")
        #expect(metadata.signingCertificates == [SAMLFixture.certificate])
        #expect(metadata.singleSignOnServices.map(\.location) == ["https://idp.example.com/sso/redirect", "https://idp.example.com/sso/post"])
        #expect(metadata.validUntil == nil)
    }

    @Test func aKeyWithoutUseSignsAndAnEncryptionKeyDoesNot() throws {
        #expect(try parse(SAMLFixture.document(keyUse: nil)).signingCertificates == [SAMLFixture.certificate])
        #expect(code(SAMLFixture.document(keyUse: "encryption")) == "InvalidInput")
    }

    @Test func certificatesAreKeptOnceAndOnlyFromTheIdentityProvidersKeys() throws {
        let other = "MIIC" + String(repeating: "REVG", count: 120)
        // A certificate in the document's own signature is not a signing key of the provider.
        let signature = """
            <ds:Signature><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\(other)</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>
            """
        let metadata = try parse(SAMLFixture.document(certificates: [SAMLFixture.certificate, SAMLFixture.certificate], extra: signature))
        #expect(metadata.signingCertificates == [SAMLFixture.certificate])
    }

    @Test func validUntilIsTheEarlierOfTheEntityAndTheDescriptor() throws {
        let metadata = try parse(SAMLFixture.document(validUntil: "2040-01-01T00:00:00Z", descriptorValidUntil: "2035-06-01T12:00:00.250+02:00"))
        #expect(metadata.validUntil == Date(timeIntervalSince1970: 2_064_304_800))
        #expect(try parse(SAMLFixture.document(validUntil: "2040-01-01T00:00:00")).validUntil == Date(timeIntervalSince1970: 2_208_988_800))
        #expect(code(SAMLFixture.document(validUntil: "next year")) == "InvalidInput")
    }

    @Test(arguments: [
        "not xml at all", "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"x\">",
        "<EntityDescriptor entityID=\"x\"><IDPSSODescriptor/></EntityDescriptor>",
        "<md:EntitiesDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\"/>",
    ])
    func aDocumentThatIsNotMetadataIsRefused(document: String) {
        #expect(code(document) == "InvalidInput")
    }

    @Test func aTruncatedDocumentOrOneWithTrailingContentIsRefused() {
        let document = SAMLFixture.document()
        #expect(code(String(document.dropLast("</md:EntityDescriptor>".count))) == "InvalidInput")
        #expect(code(String(document.dropLast(40))) == "InvalidInput")
        #expect(code(document + "<md:EntityDescriptor/>") == "InvalidInput")
    }

    @Test func aDocumentWithADTDIsRefused() {
        let document = SAMLFixture.document().replacingOccurrences(
            of: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            with: "<?xml version=\"1.0\"?><!DOCTYPE md:EntityDescriptor [<!ENTITY x \"lol\">]>")
        #expect(code(document) == "InvalidInput")
    }

    @Test func theProviderMustSpeakSAML2SignAndHaveAnSSOService() {
        #expect(code(SAMLFixture.document(protocols: "urn:oasis:names:tc:SAML:1.1:protocol")) == "InvalidInput")
        #expect(code(SAMLFixture.document(certificates: [])) == "InvalidInput")
        #expect(code(SAMLFixture.document(services: [])) == "InvalidInput")
        #expect(code(SAMLFixture.document(services: [("", "https://idp.example.com/sso")])) == "InvalidInput")
        #expect(code(SAMLFixture.document(entityId: "")) == "InvalidInput")
    }

    @Test func aCertificateMustBeBase64AndPassTheCheck() {
        #expect(code(SAMLFixture.document(certificates: ["not base64!"])) == "InvalidInput")
        #expect(throws: IAMError.self) { try parse(SAMLFixture.document(), isCertificate: { _ in false }) }
    }
}

/// The IAM SAML provider write model: names, metadata, the encryption mode and its private keys (sealed through
/// the context, at most two, one change per request), tags and quotas; `evolve` folds what the decisions return.
@Suite struct IAMSAMLProviderTests {
    let account = "123456789012"
    static let now = Date(timeIntervalSince1970: 1_800_000_000.75)

    /// A context whose "sealing" names a key by its last character and marks it sealed; nothing here is secret.
    func context(now: Date = Self.now) -> IAMSAMLProvider.Context {
        IAMSAMLProvider.Context(
            now: now, providerUUID: "0123456789ABCDEF0123456789ABCDEF", isCertificate: { $0.first == 0x30 },
            sealPrivateKey: { pem throws(IAMError) in
                guard pem.hasPrefix("-----BEGIN") else { throw IAMError("InvalidInput", "not a key", status: 400) }
                return (keyId: "KEY" + String(repeating: pem.last.map(String.init) ?? "0", count: 23), sealedKey: "sealed")
            })
    }

    func create(
        name: String? = "Okta", document: String? = SAMLFixture.document(), mode: String? = nil, key: String? = nil,
        tags: [(key: String, value: String)] = [], existing: Int = 0
    ) throws(IAMError) -> IAMSAMLProviderCreated {
        try IAMSAMLProvider.create(
            name: name, document: document, assertionEncryptionMode: mode, privateKey: key, tags: tags, existing: existing, context: context())
    }

    func provider(mode: String? = nil, key: String? = nil) throws -> IAMSAMLProvider {
        try #require(IAMSAMLProvider.evolve(nil, with: try create(mode: mode, key: key)))
    }

    func fold(_ provider: IAMSAMLProvider, _ events: [any EventPayload]) throws -> IAMSAMLProvider {
        try #require(events.reduce(provider) { IAMSAMLProvider.evolve($0, with: $1) })
    }

    func error(_ body: () throws -> Void) -> IAMError? {
        do {
            try body()
            return nil
        } catch {
            return error as? IAMError
        }
    }

    @Test func theARNAndStreamCarryTheName() throws {
        let provider = try provider()
        #expect(provider.arn(account: account) == "arn:aws:iam::123456789012:saml-provider/Okta")
        #expect(Stream.iamSAMLProvider(provider.name) == "iamsaml-okta")
        #expect(provider.providerUUID == "0123456789ABCDEF0123456789ABCDEF" && provider.version == 1)
        #expect(provider.metadata.entityId == "https://idp.example.com/saml" && provider.assertionEncryptionMode == .allowed)
    }

    @Test func withoutValidUntilTheProviderIsValidAHundredYears() throws {
        let provider = try provider()
        // 1_800_000_000 is 2027-01-15T08:00:00Z; whole seconds, so the date survives JSON exactly.
        #expect(provider.validUntil == ISO8601DateFormatter().date(from: "2127-01-15T08:00:00Z"))
        let dated = try create(document: SAMLFixture.document(validUntil: "2030-01-01T00:00:00Z"))
        #expect(dated.validUntil == ISO8601DateFormatter().date(from: "2030-01-01T00:00:00Z"))
        #expect(error { _ = try create(document: SAMLFixture.document(validUntil: "2020-01-01T00:00:00Z")) }?.code == "InvalidInput")
    }

    @Test(arguments: [nil, "", String(repeating: "a", count: 129), "has space", "bad+char", "ünï"])
    func namesOutsideTheModelArePatternErrors(name: String?) {
        #expect(error { _ = try create(name: name) }?.code == "ValidationError")
    }

    @Test func namesTakeLettersDigitsAndDotUnderscoreHyphen() throws {
        #expect(try create(name: "My_IdP-1.prod").name == "My_IdP-1.prod")
    }

    @Test func theDocumentHasTheModelsLengthLimits() {
        #expect(error { _ = try create(document: nil) }?.code == "ValidationError")
        #expect(error { _ = try create(document: "<x/>") }?.code == "ValidationError")
        #expect(error { _ = try create(document: String(repeating: "x", count: 1000)) }?.code == "InvalidInput")
    }

    @Test func anAccountHoldsAtMostAHundredProviders() {
        #expect(error { _ = try create(existing: 100) }?.code == "LimitExceeded")
        #expect(error { _ = try create(tags: (0...50).map { ("k\($0)", "v") }) }?.code == "LimitExceeded")
    }

    @Test func theEncryptionModeIsAnEnumAndRequiredNeedsAKey() throws {
        #expect(error { _ = try create(mode: "Sometimes") }?.code == "ValidationError")
        #expect(error { _ = try create(mode: "Required") }?.code == "InvalidInput")
        let provider = try provider(mode: "Required", key: "-----BEGIN PRIVATE KEY-----1")
        #expect(provider.assertionEncryptionMode == .required)
        #expect(
            provider.privateKeys == [
                IAMSAMLPrivateKey(
                    keyId: "KEY" + String(repeating: "1", count: 23), uploadedAt: Self.now.addingTimeInterval(-0.75), sealedKey: "sealed")
            ])
    }

    @Test func aPrivateKeyIsCheckedWithoutRepeatingIt() {
        let refused = error { _ = try create(key: "secret key text") }
        #expect(refused?.code == "InvalidInput")
        let long = error { _ = try create(key: String(repeating: "s", count: 16385)) }
        #expect(long?.code == "ValidationError" && long?.message.contains("sss") == false)
        let binary = error { _ = try create(key: "-----BEGIN\u{0}") }
        #expect(binary?.code == "ValidationError" && binary?.message.contains("BEGIN") == false)
    }

    @Test func keysAreAddedAtMostTwoAndRemovedInSeparateRequests() throws {
        var provider = try provider(key: "-----BEGIN PRIVATE KEY-----1")
        let first = provider.privateKeys[0].keyId
        #expect(
            error {
                _ = try provider.update(
                    document: nil, assertionEncryptionMode: nil, addPrivateKey: "-----BEGIN PRIVATE KEY-----1", removePrivateKey: nil,
                    context: context())
            }?.code == "InvalidInput")
        provider = try fold(
            provider,
            try provider.update(
                document: nil, assertionEncryptionMode: nil, addPrivateKey: "-----BEGIN PRIVATE KEY-----2", removePrivateKey: nil, context: context())
        )
        #expect(provider.privateKeys.count == 2 && provider.version == 2)
        #expect(
            error {
                _ = try provider.update(
                    document: nil, assertionEncryptionMode: nil, addPrivateKey: "-----BEGIN PRIVATE KEY-----3", removePrivateKey: nil,
                    context: context())
            }?.code == "LimitExceeded")
        #expect(
            error {
                _ = try provider.update(
                    document: nil, assertionEncryptionMode: nil, addPrivateKey: "-----BEGIN PRIVATE KEY-----3", removePrivateKey: first,
                    context: context())
            }?.code == "InvalidInput")
        provider = try fold(
            provider,
            try provider.update(document: nil, assertionEncryptionMode: nil, addPrivateKey: nil, removePrivateKey: first, context: context()))
        #expect(provider.privateKeys.map(\.keyId) == ["KEY" + String(repeating: "2", count: 23)])
        #expect(
            error {
                _ = try provider.update(document: nil, assertionEncryptionMode: nil, addPrivateKey: nil, removePrivateKey: first, context: context())
            }?.code == "InvalidInput")
        #expect(
            error {
                _ = try provider.update(
                    document: nil, assertionEncryptionMode: nil, addPrivateKey: nil, removePrivateKey: "short", context: context())
            }?.code == "ValidationError")
    }

    @Test func requiredEncryptionKeepsALastKey() throws {
        var provider = try provider(key: "-----BEGIN PRIVATE KEY-----1")
        let events = try provider.update(
            document: nil, assertionEncryptionMode: "Required", addPrivateKey: nil, removePrivateKey: nil, context: context())
        #expect(events.count == 1)
        provider = try fold(provider, events)
        #expect(provider.assertionEncryptionMode == .required)
        #expect(
            error {
                _ = try provider.update(
                    document: nil, assertionEncryptionMode: nil, addPrivateKey: nil, removePrivateKey: provider.privateKeys[0].keyId,
                    context: context())
            }?.code == "InvalidInput")
        // Allowed again and the key removed in one request is fine; the same mode again changes nothing.
        #expect(
            try provider.update(
                document: nil, assertionEncryptionMode: "Allowed", addPrivateKey: nil, removePrivateKey: provider.privateKeys[0].keyId,
                context: context()
            ).count == 2)
        #expect(
            try provider.update(document: nil, assertionEncryptionMode: "Required", addPrivateKey: nil, removePrivateKey: nil, context: context())
                .isEmpty)
    }

    @Test func anUpdateReplacesTheMetadataAndNeedsSomethingToDo() throws {
        var provider = try provider()
        let later = context(now: Self.now.addingTimeInterval(86400))
        let document = SAMLFixture.document(entityId: "https://other.example.com/idp")
        provider = try fold(
            provider, try provider.update(document: document, assertionEncryptionMode: nil, addPrivateKey: nil, removePrivateKey: nil, context: later)
        )
        #expect(provider.document == document && provider.metadata.entityId == "https://other.example.com/idp")
        #expect(provider.validUntil == ISO8601DateFormatter().date(from: "2127-01-16T08:00:00Z"))
        #expect(
            error { _ = try provider.update(document: nil, assertionEncryptionMode: nil, addPrivateKey: nil, removePrivateKey: nil, context: later) }?
                .code == "InvalidInput")
        #expect(
            error {
                _ = try provider.update(document: "<x/>", assertionEncryptionMode: nil, addPrivateKey: nil, removePrivateKey: nil, context: later)
            }?.code == "ValidationError")
    }

    @Test func tagsMergeRegardlessOfCaseAndUntagIgnoresMissingKeys() throws {
        var provider = try provider()
        provider = try fold(provider, [try provider.tag([("Team", "a")])])
        provider = try fold(provider, [try provider.tag([("team", "b")])])
        #expect(provider.tags == ["team": "b"])
        provider = try fold(provider, [try provider.untag(["TEAM", "missing"])])
        #expect(provider.tags.isEmpty)
        #expect(error { _ = try provider.tag([]) }?.code == "ValidationError")
        #expect(error { _ = try provider.tag([("aws:x", "1")]) }?.code == "InvalidInput")
        provider = try fold(provider, [try provider.tag((0..<50).map { ("k\($0)", "v") })])
        #expect(error { _ = try provider.tag([("one-more", "v")]) }?.code == "LimitExceeded")
    }

    @Test func deletingFoldsToNothing() throws {
        let provider = try provider()
        #expect(IAMSAMLProvider.evolve(provider, with: provider.delete()) == nil)
    }
}
