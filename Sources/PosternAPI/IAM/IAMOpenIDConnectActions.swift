import Foundation
import PosternCore
import PosternStore

/// IAM OpenID Connect providers (CreateOpenIDConnectProvider … ListOpenIDConnectProviderTags), admin-signed,
/// on the query protocol: the external issuers whose ID tokens STS AssumeRoleWithWebIdentity and identity
/// pools' `OpenIdConnectProviderARNs` accept.
enum IAMOpenIDConnectActions {
    static let all: [QueryDispatcher.Action] = [
        .init(service: .iam, name: "CreateOpenIDConnectProvider", access: .admin, handle: create),
        .init(service: .iam, name: "GetOpenIDConnectProvider", access: .admin, handle: get),
        .init(service: .iam, name: "DeleteOpenIDConnectProvider", access: .admin, handle: delete),
        .init(service: .iam, name: "ListOpenIDConnectProviders", access: .admin, handle: list),
        .init(service: .iam, name: "AddClientIDToOpenIDConnectProvider", access: .admin, handle: addClientID),
        .init(service: .iam, name: "RemoveClientIDFromOpenIDConnectProvider", access: .admin, handle: removeClientID),
        .init(service: .iam, name: "UpdateOpenIDConnectProviderThumbprint", access: .admin, handle: updateThumbprint),
        .init(service: .iam, name: "TagOpenIDConnectProvider", access: .admin, handle: tag),
        .init(service: .iam, name: "UntagOpenIDConnectProvider", access: .admin, handle: untag),
        .init(service: .iam, name: "ListOpenIDConnectProviderTags", access: .admin, handle: listTags),
    ]

    /// The URL (no scheme) an OIDC provider ARN of this account names, or nil.
    static func url(ofArn arn: String, account: String) -> String? {
        let prefix = "arn:aws:iam::\(account):oidc-provider/"
        guard arn.hasPrefix(prefix), arn.count > prefix.count else { return nil }
        return String(arn.dropFirst(prefix.count))
    }

    /// The provider `arn` names: ValidationError for text that is too short or long, InvalidInput for text
    /// that is no OIDC provider ARN, NoSuchEntity for one naming no provider here.
    static func provider(_ arn: String?, _ postern: Postern) async throws -> IAMOpenIDConnectProviderRecord {
        let arn = arn ?? ""
        guard (20...2048).contains(arn.count) else {
            throw IAMError.validation(
                "1 validation error detected: Value '\(arn)' at 'openIDConnectProviderArn' failed to satisfy constraint: Member must have length \(arn.count < 20 ? "greater than or equal to 20" : "less than or equal to 2048")"
            )
        }
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "iam", parts[5].hasPrefix("oidc-provider/") else {
            throw IAMError("InvalidInput", "ARN \(arn) is not valid.", status: 400)
        }
        let account = postern.configuration.accountId
        guard let url = url(ofArn: arn, account: account), let record = try await postern.directory.iamOpenIDConnectProvider(url),
            record.provider.arn(account: account) == arn
        else { throw IAMError.noSuchEntity("OpenIDConnect Provider not found for arn \(arn)") }
        return record
    }

    static func commit(_ event: some EventPayload, provider: IAMOpenIDConnectProvider, call: Call, postern: Postern) async throws {
        let stream = Stream.iamOpenIDConnectProvider(provider.url)
        try await postern.commit(
            AppendBatch(stream: stream, expected: .exact(provider.version), events: [NewEvent(streamID: stream, event)]), metadata: call.metadata())
    }

    @Sendable static func create(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        try await postern.retrying {
            let existing = try await postern.directory.iamOpenIDConnectProviders()
            let created = try IAMOpenIDConnectProvider.create(
                url: query["Url"], clientIds: query.list("ClientIDList"), thumbprints: query.list("ThumbprintList"), tags: query.tagList(),
                existing: existing.count)
            if existing.contains(where: { $0.provider.url.lowercased() == created.url.lowercased() }) {
                throw IAMError.entityAlreadyExists("Provider with url \(created.issuer) already exists.")
            }
            // A provider deleted earlier leaves its stream: registering the URL again continues it.
            let stream = Stream.iamOpenIDConnectProvider(created.url)
            let version = try await postern.store.version(of: stream)
            try await postern.commit(
                AppendBatch(stream: stream, expected: version == 0 ? .noStream : .exact(version), events: [NewEvent(streamID: stream, created)]),
                metadata: call.metadata())
            var answer: [QueryXML] = [
                .text("OpenIDConnectProviderArn", "arn:aws:iam::\(postern.configuration.accountId):oidc-provider/\(created.url)")
            ]
            if !created.tags.isEmpty { answer.append(IAMPolicyActions.tagsXML(created.tags)) }
            return answer
        }
    }

    @Sendable static func get(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        let record = try await provider(query["OpenIDConnectProviderArn"], postern)
        let provider = record.provider
        var answer: [QueryXML] = [
            .text("Url", provider.url), .memberTexts("ClientIDList", provider.clientIds), .memberTexts("ThumbprintList", provider.thumbprints),
            .text("CreateDate", QueryXML.timestamp(record.createdAt)),
        ]
        if !provider.tags.isEmpty { answer.append(IAMPolicyActions.tagsXML(provider.tags)) }
        return answer
    }

    @Sendable static func delete(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        try await postern.retrying {
            let record = try await provider(query["OpenIDConnectProviderArn"], postern)
            try await commit(record.provider.delete(), provider: record.provider, call: call, postern: postern)
            return []
        }
    }

    @Sendable static func list(_: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        let account = postern.configuration.accountId
        let providers = try await postern.directory.iamOpenIDConnectProviders()
        return [.members("OpenIDConnectProviderList", providers.map { [.text("Arn", $0.provider.arn(account: account))] })]
    }

    @Sendable static func addClientID(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        try await postern.retrying {
            let record = try await provider(query["OpenIDConnectProviderArn"], postern)
            if let added = try record.provider.addClientId(query["ClientID"]) {
                try await commit(added, provider: record.provider, call: call, postern: postern)
            }
            return []
        }
    }

    @Sendable static func removeClientID(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        try await postern.retrying {
            let record = try await provider(query["OpenIDConnectProviderArn"], postern)
            if let removed = try record.provider.removeClientId(query["ClientID"]) {
                try await commit(removed, provider: record.provider, call: call, postern: postern)
            }
            return []
        }
    }

    @Sendable static func updateThumbprint(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        try await postern.retrying {
            let record = try await provider(query["OpenIDConnectProviderArn"], postern)
            guard query.parameters["ThumbprintList"] != nil || query.parameters["ThumbprintList.member.1"] != nil else {
                throw IAMError.validation(
                    "1 validation error detected: Value null at 'thumbprintList' failed to satisfy constraint: Member must not be null")
            }
            try await commit(
                try record.provider.updateThumbprints(query.list("ThumbprintList")), provider: record.provider, call: call, postern: postern)
            return []
        }
    }

    @Sendable static func tag(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        try await postern.retrying {
            let record = try await provider(query["OpenIDConnectProviderArn"], postern)
            try await commit(try record.provider.tag(query.tagList()), provider: record.provider, call: call, postern: postern)
            return []
        }
    }

    @Sendable static func untag(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        try await postern.retrying {
            let record = try await provider(query["OpenIDConnectProviderArn"], postern)
            try await commit(try record.provider.untag(query.list("TagKeys")), provider: record.provider, call: call, postern: postern)
            return []
        }
    }

    @Sendable static func listTags(_ query: QueryRequest, _: QueryCaller, call: Call, postern: Postern) async throws -> [QueryXML] {
        let provider = try await provider(query["OpenIDConnectProviderArn"], postern).provider
        return IAMPolicyActions.page(
            provider.tags.sorted { $0.key < $1.key }, key: \.key, marker: query["Marker"], limit: try query.maxItems(),
            { [.text("Key", $0.key), .text("Value", $0.value)] }, into: "Tags")
    }
}
