import Foundation

extension Stream {
    /// An IAM SAML provider: `iamsaml-{name in lower case}` (one provider per name, regardless of case).
    public static func iamSAMLProvider(_ name: String) -> String { "iamsaml-\(name.lowercased())" }
}

/// How a SAML provider's assertions must arrive (`assertionEncryptionModeType`): `Required` refuses plaintext
/// assertions, `Allowed` takes encrypted and plaintext ones.
public enum SAMLAssertionEncryptionMode: String, Codable, Sendable, CaseIterable {
    case required = "Required"
    case allowed = "Allowed"
}

/// A private key that decrypts the provider's encrypted assertions: its id, when it was uploaded, and the key
/// itself sealed under the master key's server-secrets key (never in plaintext in an event or a row).
public struct IAMSAMLPrivateKey: Codable, Equatable, Sendable {
    /// 26 upper-case letters and digits (`privateKeyIdType`), derived from the key's public half.
    public var keyId: String
    public var uploadedAt: Date
    /// The PEM text, sealed (`SAMLKeyMaterial.seal` in PosternCrypto).
    public var sealedKey: String

    public init(keyId: String, uploadedAt: Date, sealedKey: String) {
        self.keyId = keyId
        self.uploadedAt = uploadedAt
        self.sealedKey = sealedKey
    }
}

/// CreateSAMLProvider: the metadata document as given, what it says (`metadata`), and the provider's expiry.
public struct IAMSAMLProviderCreated: EventPayload, Equatable {
    public static let eventType = "IAMSAMLProviderCreated"
    public var name: String
    /// `SAMLProviderUUID`.
    public var providerUUID: String
    public var document: String
    public var metadata: SAMLMetadata
    public var validUntil: Date
    public var assertionEncryptionMode: SAMLAssertionEncryptionMode
    public var privateKeys: [IAMSAMLPrivateKey]
    public var tags: [String: String]
}

/// UpdateSAMLProvider with a new metadata document.
public struct IAMSAMLProviderMetadataUpdated: EventPayload, Equatable {
    public static let eventType = "IAMSAMLProviderMetadataUpdated"
    public var name: String
    public var document: String
    public var metadata: SAMLMetadata
    public var validUntil: Date
}

/// UpdateSAMLProvider with another AssertionEncryptionMode.
public struct IAMSAMLProviderAssertionEncryptionModeSet: EventPayload, Equatable {
    public static let eventType = "IAMSAMLProviderAssertionEncryptionModeSet"
    public var name: String
    public var assertionEncryptionMode: SAMLAssertionEncryptionMode
}

/// UpdateSAMLProvider with AddPrivateKey (the key sealed).
public struct IAMSAMLProviderPrivateKeyAdded: EventPayload, Equatable {
    public static let eventType = "IAMSAMLProviderPrivateKeyAdded"
    public var name: String
    public var privateKey: IAMSAMLPrivateKey
}

/// UpdateSAMLProvider with RemovePrivateKey.
public struct IAMSAMLProviderPrivateKeyRemoved: EventPayload, Equatable {
    public static let eventType = "IAMSAMLProviderPrivateKeyRemoved"
    public var name: String
    public var keyId: String
}

/// TagSAMLProvider: tags added or replaced (a key differing only in case replaces the old one).
public struct IAMSAMLProviderTagged: EventPayload, Equatable {
    public static let eventType = "IAMSAMLProviderTagged"
    public var name: String
    public var tags: [String: String]
}

/// UntagSAMLProvider: the keys removed, matched regardless of case.
public struct IAMSAMLProviderUntagged: EventPayload, Equatable {
    public static let eventType = "IAMSAMLProviderUntagged"
    public var name: String
    public var tagKeys: [String]
}

/// DeleteSAMLProvider. Roles trusting it keep their trust policies.
public struct IAMSAMLProviderDeleted: EventPayload, Equatable {
    public static let eventType = "IAMSAMLProviderDeleted"
    public var name: String
}

/// The write model of an IAM SAML provider (stream `iamsaml-<name>`): the identity provider's metadata (entity
/// id, signing certificates, SSO endpoints) that a SAML assertion verifier reads, the assertion-encryption
/// setting with its private keys (sealed), and tags, decided as IAM decides them.
public struct IAMSAMLProvider: Codable, Equatable, Sendable {
    public var name: String
    public var providerUUID: String
    public var document: String
    public var metadata: SAMLMetadata
    public var validUntil: Date
    public var assertionEncryptionMode: SAMLAssertionEncryptionMode
    public var privateKeys: [IAMSAMLPrivateKey]
    public var tags: [String: String]
    public var version: Int

    /// IAM's quotas: SAML providers per account, private keys per provider (`privateKeyList` holds two at most).
    public static let maxProviders = 100
    public static let maxPrivateKeys = 2
    /// How long a provider whose metadata has no `validUntil` stays valid: IAM answers ValidUntil a hundred years
    /// after the upload (the aws-cli get-saml-provider example shows CreateDate 2017-03-06, ValidUntil 2117-03-06).
    public static let defaultValidityYears = 100

    /// `arn:aws:iam::{account}:saml-provider/{name}`.
    public func arn(account: String) -> String { "arn:aws:iam::\(account):saml-provider/\(name)" }

    public static func evolve(_ state: IAMSAMLProvider?, with event: any EventPayload) -> IAMSAMLProvider? {
        if let created = event as? IAMSAMLProviderCreated {
            return IAMSAMLProvider(
                name: created.name, providerUUID: created.providerUUID, document: created.document, metadata: created.metadata,
                validUntil: created.validUntil, assertionEncryptionMode: created.assertionEncryptionMode, privateKeys: created.privateKeys,
                tags: created.tags, version: 1)
        }
        guard var provider = state else { return nil }
        provider.version += 1
        switch event {
        case let updated as IAMSAMLProviderMetadataUpdated:
            provider.document = updated.document
            provider.metadata = updated.metadata
            provider.validUntil = updated.validUntil
        case let set as IAMSAMLProviderAssertionEncryptionModeSet: provider.assertionEncryptionMode = set.assertionEncryptionMode
        case let added as IAMSAMLProviderPrivateKeyAdded: provider.privateKeys.append(added.privateKey)
        case let removed as IAMSAMLProviderPrivateKeyRemoved: provider.privateKeys.removeAll { $0.keyId == removed.keyId }
        case let tagged as IAMSAMLProviderTagged: provider.tags = IAMTags.merge(provider.tags, tagged.tags)
        case let untagged as IAMSAMLProviderUntagged:
            let keys = Set(untagged.tagKeys.map { $0.lowercased() })
            provider.tags = provider.tags.filter { !keys.contains($0.key.lowercased()) }
        case is IAMSAMLProviderDeleted: return nil
        default: break
        }
        return provider
    }
}

// MARK: - Decisions

extension IAMSAMLProvider {
    /// What a decision cannot make or check itself: the time, a fresh `SAMLProviderUUID`, whether DER bytes are an
    /// X.509 certificate, and the sealing of an uploaded private key (which also checks that it is one and names it).
    public struct Context {
        public var now: Date
        public var providerUUID: String
        public var isCertificate: ([UInt8]) -> Bool
        /// Seals a private key's PEM text; InvalidInput when it is not a private key Postern can use.
        public var sealPrivateKey: (String) throws(IAMError) -> (keyId: String, sealedKey: String)

        public init(
            now: Date, providerUUID: String, isCertificate: @escaping ([UInt8]) -> Bool,
            sealPrivateKey: @escaping (String) throws(IAMError) -> (keyId: String, sealedKey: String)
        ) {
            self.now = now
            self.providerUUID = providerUUID
            self.isCertificate = isCertificate
            self.sealPrivateKey = sealPrivateKey
        }
    }

    /// `SAMLProviderNameType`: 1 to 128 of `[\w._-]` (ASCII letters, digits, `_`, `.`, `-`).
    public static func validateName(_ name: String?) throws(IAMError) {
        guard let name else {
            throw .validation("1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null")
        }
        guard (1...128).contains(name.count) else {
            throw .validation(
                "1 validation error detected: Value '\(name)' at 'name' failed to satisfy constraint: Member must have length \(name.isEmpty ? "greater than or equal to 1" : "less than or equal to 128")"
            )
        }
        guard name.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "_.-".unicodeScalars.contains($0)) })
        else {
            throw .validation(
                #"1 validation error detected: Value '\#(name)' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w._-]+"#
            )
        }
    }

    /// `SAMLMetadataDocumentType` (1,000 to 10,000,000 characters), parsed.
    static func metadata(_ document: String?, context: Context) throws(IAMError) -> (SAMLMetadata, validUntil: Date) {
        guard let document else {
            throw .validation(
                "1 validation error detected: Value null at 'sAMLMetadataDocument' failed to satisfy constraint: Member must not be null")
        }
        guard (1000...10_000_000).contains(document.count) else {
            throw .validation(
                "1 validation error detected: Value at 'sAMLMetadataDocument' failed to satisfy constraint: Member must have length \(document.count < 1000 ? "greater than or equal to 1000" : "less than or equal to 10000000")"
            )
        }
        let metadata = try SAMLMetadata.parse(document, isCertificate: context.isCertificate)
        let now = context.now.wholeSeconds
        if let validUntil = metadata.validUntil, validUntil <= now {
            throw IAMError("InvalidInput", "The metadata document expired at \(validUntil) (its validUntil).", status: 400)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let fallback = calendar.date(byAdding: .year, value: defaultValidityYears, to: now) ?? now.addingTimeInterval(100 * 365.25 * 86400)
        return (metadata, metadata.validUntil ?? fallback)
    }

    static func encryptionMode(_ text: String?) throws(IAMError) -> SAMLAssertionEncryptionMode? {
        guard let text else { return nil }
        guard let mode = SAMLAssertionEncryptionMode(rawValue: text) else {
            throw .validation(
                "1 validation error detected: Value '\(text)' at 'assertionEncryptionMode' failed to satisfy constraint: Member must satisfy enum value set: [Required, Allowed]"
            )
        }
        return mode
    }

    /// `privateKeyType` (1 to 16,384 characters of tab, CR, LF and U+0020…U+00FF), then sealed. The value is
    /// secret, so no message repeats it.
    static func privateKey(_ text: String?, context: Context) throws(IAMError) -> IAMSAMLPrivateKey? {
        guard let text else { return nil }
        guard (1...16384).contains(text.count) else {
            throw .validation(
                "1 validation error detected: Value at 'addPrivateKey' failed to satisfy constraint: Member must have length \(text.isEmpty ? "greater than or equal to 1" : "less than or equal to 16384")"
            )
        }
        guard text.unicodeScalars.allSatisfy({ [0x09, 0x0A, 0x0D].contains($0.value) || (0x20...0xFF).contains($0.value) }) else {
            throw .validation(
                #"1 validation error detected: Value at 'addPrivateKey' failed to satisfy constraint: Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+"#
            )
        }
        let sealed = try context.sealPrivateKey(text)
        return IAMSAMLPrivateKey(keyId: sealed.keyId, uploadedAt: context.now.wholeSeconds, sealedKey: sealed.sealedKey)
    }

    static func requireKey(for mode: SAMLAssertionEncryptionMode, keys: [IAMSAMLPrivateKey]) throws(IAMError) {
        if mode == .required && keys.isEmpty {
            throw IAMError("InvalidInput", "AssertionEncryptionMode Required needs a private key to decrypt assertions with.", status: 400)
        }
    }

    /// CreateSAMLProvider. `existing` is the number of providers the account has.
    public static func create(
        name: String?, document: String?, assertionEncryptionMode: String?, privateKey: String?, tags: [(key: String, value: String)],
        existing: Int, context: Context
    ) throws(IAMError) -> IAMSAMLProviderCreated {
        try validateName(name)
        let (metadata, validUntil) = try Self.metadata(document, context: context)
        let mode = try encryptionMode(assertionEncryptionMode) ?? .allowed
        let key = try Self.privateKey(privateKey, context: context)
        try requireKey(for: mode, keys: key.map { [$0] } ?? [])
        guard tags.count <= IAMTags.maxTags else { throw .limitExceeded("Cannot exceed quota for TagsPerSAMLProvider: \(IAMTags.maxTags).") }
        let tags = try IAMTags.validate(tags)
        guard existing < maxProviders else { throw .limitExceeded("Cannot exceed quota for SAMLProvidersPerAccount: \(maxProviders)") }
        return IAMSAMLProviderCreated(
            name: name ?? "", providerUUID: context.providerUUID, document: document ?? "", metadata: metadata, validUntil: validUntil,
            assertionEncryptionMode: mode, privateKeys: key.map { [$0] } ?? [], tags: tags)
    }

    /// UpdateSAMLProvider: a new metadata document, another encryption mode, a private key added or one removed
    /// (not both: a rotation adds the new key, then removes the old one in a second request). The events of the
    /// changes that change something, in that order; none when nothing changes.
    public func update(
        document: String?, assertionEncryptionMode: String?, addPrivateKey: String?, removePrivateKey: String?, context: Context
    ) throws(IAMError) -> [any EventPayload] {
        guard document != nil || assertionEncryptionMode != nil || addPrivateKey != nil || removePrivateKey != nil else {
            throw IAMError(
                "InvalidInput", "Specify at least one of SAMLMetadataDocument, AssertionEncryptionMode, AddPrivateKey and RemovePrivateKey.",
                status: 400)
        }
        var events: [any EventPayload] = []
        var keys = privateKeys
        if document != nil {
            let (metadata, validUntil) = try Self.metadata(document, context: context)
            events.append(IAMSAMLProviderMetadataUpdated(name: name, document: document ?? "", metadata: metadata, validUntil: validUntil))
        }
        let mode = try Self.encryptionMode(assertionEncryptionMode)
        if let removePrivateKey {
            guard (22...64).contains(removePrivateKey.count),
                removePrivateKey.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || ("0"..."9").contains($0) })
            else {
                throw .validation(
                    "1 validation error detected: Value '\(removePrivateKey)' at 'removePrivateKey' failed to satisfy constraint: Member must have length between 22 and 64 and satisfy regular expression pattern: [A-Z0-9]+"
                )
            }
        }
        if addPrivateKey != nil && removePrivateKey != nil {
            throw IAMError("InvalidInput", "Add the new private key and remove the old one in separate requests.", status: 400)
        }
        if let key = try Self.privateKey(addPrivateKey, context: context) {
            guard !keys.contains(where: { $0.keyId == key.keyId }) else {
                throw IAMError("InvalidInput", "The private key \(key.keyId) is already on this SAML provider.", status: 400)
            }
            guard keys.count < Self.maxPrivateKeys else {
                throw .limitExceeded("Cannot exceed quota for PrivateKeysPerSAMLProvider: \(Self.maxPrivateKeys)")
            }
            keys.append(key)
            events.append(IAMSAMLProviderPrivateKeyAdded(name: name, privateKey: key))
        }
        if let removePrivateKey {
            guard keys.contains(where: { $0.keyId == removePrivateKey }) else {
                throw IAMError("InvalidInput", "The private key \(removePrivateKey) is not on this SAML provider.", status: 400)
            }
            keys.removeAll { $0.keyId == removePrivateKey }
            events.append(IAMSAMLProviderPrivateKeyRemoved(name: name, keyId: removePrivateKey))
        }
        try Self.requireKey(for: mode ?? self.assertionEncryptionMode, keys: keys)
        if let mode, mode != self.assertionEncryptionMode {
            events.append(IAMSAMLProviderAssertionEncryptionModeSet(name: name, assertionEncryptionMode: mode))
        }
        return events
    }

    /// TagSAMLProvider: at most 50 tags once merged.
    public func tag(_ tags: [(key: String, value: String)]) throws(IAMError) -> IAMSAMLProviderTagged {
        guard !tags.isEmpty else { throw .validation("The specified value for tags is invalid. It must not be empty.") }
        guard tags.count <= IAMTags.maxTags else { throw .limitExceeded("Cannot exceed quota for TagsPerSAMLProvider: \(IAMTags.maxTags).") }
        let added = try IAMTags.validate(tags)
        guard IAMTags.merge(self.tags, added).count <= IAMTags.maxTags else {
            throw .limitExceeded("Cannot exceed quota for TagsPerSAMLProvider: \(IAMTags.maxTags).")
        }
        return IAMSAMLProviderTagged(name: name, tags: added)
    }

    /// UntagSAMLProvider: keys it does not have are ignored.
    public func untag(_ keys: [String]) throws(IAMError) -> IAMSAMLProviderUntagged {
        guard keys.count <= IAMTags.maxTags else {
            throw .validation(
                "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to 50")
        }
        for key in keys { try IAMTags.validateKey(key) }
        return IAMSAMLProviderUntagged(name: name, tagKeys: keys)
    }

    public func delete() -> IAMSAMLProviderDeleted { IAMSAMLProviderDeleted(name: name) }
}
