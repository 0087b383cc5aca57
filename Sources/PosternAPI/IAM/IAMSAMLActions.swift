import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// IAM SAML providers (CreateSAMLProvider … ListSAMLProviderTags), admin-signed, on the query protocol: the
/// SAML 2.0 identity providers whose metadata (entity id, signing certificates, SSO endpoints) a role's trust
/// policy can name. Assertions are not verified yet; these actions keep what a verifier will need.
enum IAMSAMLActions {
    static let all: [QueryDispatcher.Action] = [
        .init(service: .iam, name: "CreateSAMLProvider", access: .admin, handle: create),
        .init(service: .iam, name: "GetSAMLProvider", access: .admin, handle: get),
        .init(service: .iam, name: "UpdateSAMLProvider", access: .admin, handle: update),
        .init(service: .iam, name: "DeleteSAMLProvider", access: .admin, handle: delete),
        .init(service: .iam, name: "ListSAMLProviders", access: .admin, handle: list),
        .init(service: .iam, name: "TagSAMLProvider", access: .admin, handle: tag),
        .init(service: .iam, name: "UntagSAMLProvider", access: .admin, handle: untag),
        .init(service: .iam, name: "ListSAMLProviderTags", access: .admin, handle: listTags),
    ]

    /// The provider name a SAML provider ARN of this account carries, or nil.
    static func name(ofArn arn: String, account: String) -> String? {
        let prefix = "arn:aws:iam::\(account):saml-provider/"
        guard arn.hasPrefix(prefix), arn.count > prefix.count else { return nil }
        return String(arn.dropFirst(prefix.count))
    }

    /// The provider `arn` names: ValidationError for text that is too short or long, InvalidInput for text that
    /// is no SAML provider ARN, NoSuchEntity for one naming no provider here.
    static func provider(_ arn: String?, _ postern: Postern) async throws -> IAMSAMLProviderRecord {
        guard let arn else {
            throw IAMError.validation(
                "1 validation error detected: Value null at 'sAMLProviderArn' failed to satisfy constraint: Member must not be null")
        }
        guard (20...2048).contains(arn.count) else {
            throw IAMError.validation(
                "1 validation error detected: Value '\(arn)' at 'sAMLProviderArn' failed to satisfy constraint: Member must have length \(arn.count < 20 ? "greater than or equal to 20" : "less than or equal to 2048")"
            )
        }
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "iam", parts[5].hasPrefix("saml-provider/") else {
            throw IAMError("InvalidInput", "ARN \(arn) is not valid.", status: 400)
        }
        let account = postern.configuration.accountId
        guard let name = name(ofArn: arn, account: account), let record = try await postern.directory.iamSAMLProvider(name),
            record.provider.arn(account: account) == arn
        else { throw IAMError.noSuchEntity("Manifest not found for arn \(arn)") }
        return record
    }

    /// What the decisions take from outside: the time, a new provider UUID, the certificate check and the
    /// sealing of private keys under the master key (the plaintext key goes no further than this closure).
    static func context(_ call: Call, _ postern: Postern) -> IAMSAMLProvider.Context {
        let secrets = postern.master.secrets
        return IAMSAMLProvider.Context(
            now: call.now, providerUUID: UUID().uuidString.replacingOccurrences(of: "-", with: ""),
            isCertificate: SAMLKeyMaterial.isCertificate,
            sealPrivateKey: { pem throws(IAMError) in
                do {
                    return try SAMLKeyMaterial.seal(privateKey: pem, with: secrets)
                } catch CryptoError.invalidKey {
                    throw IAMError(
                        "InvalidInput", "The private key must be an unencrypted PEM RSA private key (PKCS #1 or PKCS #8) of 2048 bits or more.",
                        status: 400)
                } catch {
                    throw IAMError("ServiceFailure", "The private key could not be stored.", status: 500)
                }
            })
    }

    static func commit(_ events: [any EventPayload], provider: IAMSAMLProvider, call: Call, postern: Postern) async throws {
        guard !events.isEmpty else { return }
        let stream = Stream.iamSAMLProvider(provider.name)
        try await postern.commit(
            AppendBatch(stream: stream, expected: .exact(provider.version), events: events.map { NewEvent(streamID: stream, $0) }),
            metadata: call.metadata())
    }

    @Sendable static func create(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        try await postern.retrying {
            let existing = try await postern.directory.iamSAMLProviders()
            let created = try IAMSAMLProvider.create(
                name: query["Name"], document: query["SAMLMetadataDocument"], assertionEncryptionMode: query["AssertionEncryptionMode"],
                privateKey: query["AddPrivateKey"], tags: query.tagList(), existing: existing.count, context: context(call, postern))
            if existing.contains(where: { $0.provider.name.lowercased() == created.name.lowercased() }) {
                throw IAMError.entityAlreadyExists("SAML provider with name \(created.name) already exists.")
            }
            // A provider deleted earlier leaves its stream: creating the name again continues it.
            let stream = Stream.iamSAMLProvider(created.name)
            let version = try await postern.store.version(of: stream)
            try await postern.commit(
                AppendBatch(stream: stream, expected: version == 0 ? .noStream : .exact(version), events: [NewEvent(streamID: stream, created)]),
                metadata: call.metadata())
            var answer: [QueryXML] = [.text("SAMLProviderArn", "arn:aws:iam::\(postern.configuration.accountId):saml-provider/\(created.name)")]
            if !created.tags.isEmpty { answer.append(IAMPolicyActions.tagsXML(created.tags)) }
            return answer
        }
    }

    /// GetSAMLProvider. Private keys are listed by id and upload time only, as IAM lists them.
    @Sendable static func get(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        let record = try await provider(query["SAMLProviderArn"], postern)
        let provider = record.provider
        var answer: [QueryXML] = [
            .text("SAMLProviderUUID", provider.providerUUID), .text("SAMLMetadataDocument", provider.document),
            .text("CreateDate", QueryXML.timestamp(record.createdAt)), .text("ValidUntil", QueryXML.timestamp(provider.validUntil)),
        ]
        if !provider.tags.isEmpty { answer.append(IAMPolicyActions.tagsXML(provider.tags)) }
        answer += [
            .text("AssertionEncryptionMode", provider.assertionEncryptionMode.rawValue),
            .members(
                "PrivateKeyList", provider.privateKeys.map { [.text("KeyId", $0.keyId), .text("Timestamp", QueryXML.timestamp($0.uploadedAt))] }),
        ]
        return answer
    }

    @Sendable static func update(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        try await postern.retrying {
            let record = try await provider(query["SAMLProviderArn"], postern)
            let events = try record.provider.update(
                document: query["SAMLMetadataDocument"], assertionEncryptionMode: query["AssertionEncryptionMode"],
                addPrivateKey: query["AddPrivateKey"], removePrivateKey: query["RemovePrivateKey"], context: context(call, postern))
            try await commit(events, provider: record.provider, call: call, postern: postern)
            return [.text("SAMLProviderArn", record.provider.arn(account: postern.configuration.accountId))]
        }
    }

    @Sendable static func delete(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        try await postern.retrying {
            let record = try await provider(query["SAMLProviderArn"], postern)
            try await commit([record.provider.delete()], provider: record.provider, call: call, postern: postern)
            return []
        }
    }

    /// ListSAMLProviders: every provider, with no paging (the operation has no Marker).
    @Sendable static func list(_: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        let account = postern.configuration.accountId
        let providers = try await postern.directory.iamSAMLProviders()
        return [
            .members(
                "SAMLProviderList",
                providers.map {
                    [
                        .text("Arn", $0.provider.arn(account: account)), .text("ValidUntil", QueryXML.timestamp($0.provider.validUntil)),
                        .text("CreateDate", QueryXML.timestamp($0.createdAt)),
                    ]
                })
        ]
    }

    @Sendable static func tag(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        try await postern.retrying {
            let record = try await provider(query["SAMLProviderArn"], postern)
            try await commit([try record.provider.tag(query.tagList())], provider: record.provider, call: call, postern: postern)
            return []
        }
    }

    @Sendable static func untag(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        try await postern.retrying {
            let record = try await provider(query["SAMLProviderArn"], postern)
            try await commit([try record.provider.untag(query.list("TagKeys"))], provider: record.provider, call: call, postern: postern)
            return []
        }
    }

    @Sendable static func listTags(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        let provider = try await provider(query["SAMLProviderArn"], postern).provider
        return IAMPolicyActions.page(
            provider.tags.sorted { $0.key < $1.key }, key: \.key, marker: query["Marker"], limit: try query.maxItems(),
            { [.text("Key", $0.key), .text("Value", $0.value)] }, into: "Tags")
    }
}
