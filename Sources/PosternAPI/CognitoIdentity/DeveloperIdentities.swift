import Foundation
import PosternCore
import PosternStore

extension IdentityAPI {
    static let unsupportedDeveloperProvider = "This identity pool does not support the specified developer provider."

    /// The pool's developer provider, when `name` (or the request's Logins) names it.
    static func developerProvider(of pool: IdentityPoolConfiguration, named name: String?) throws -> String {
        guard let provider = pool.developerProviderName, name == nil || name == provider else {
            throw DomainError.invalidParameter(unsupportedDeveloperProvider)
        }
        return provider
    }

    /// GetOpenIdTokenForDeveloperIdentity: the backend (signed) vouches for its user id under the pool's
    /// developer provider; the identity is found, made or linked, and gets a token (15 minutes by default,
    /// up to 24 hours) carrying the principal tags.
    enum GetOpenIdTokenForDeveloperIdentity: AWSOperation {
        static let name = "GetOpenIdTokenForDeveloperIdentity"
        typealias Services = any IdentityService
        static func services(_ postern: Postern) -> Services { postern }

        struct Response: Encodable, Sendable {
            var IdentityId: String
            var Token: String
        }

        static func handle(_ request: JSONObject, call: Call, services: Services) async throws -> Response {
            var validation = ModelValidation()
            validation.required(request.members["IdentityPoolId"], "identityPoolId")
            if let id = request.string("IdentityId") { validateIdentityId(id, "identityId", in: &validation) }
            validation.required(request.members["Logins"], "logins")
            validateLogins(request.members["Logins"], "logins", in: &validation)
            let tags = request.members["PrincipalTags"]?.objectValue
            validation.count(tags?.count, "principalTags", 1...50)
            for (key, value) in tags ?? [:] {
                validation.string(key, "principalTags.key", length: 1...128)
                validation.string(value.stringValue ?? "", "principalTags.value", length: 0...256)
            }
            validation.integer(request.members["TokenDuration"]?.intValue, "tokenDuration", range: 1...86400)
            try validation.check()
            let pool = try await services.identityPoolConfiguration(try request.requiredMember("IdentityPoolId"))
            let logins = IdentityAPI.logins(request.members["Logins"])
            guard let provider = pool.developerProviderName, let user = logins.first(where: { $0.0 == provider })?.1 else {
                throw DomainError.notAuthorized(unsupportedDeveloperProvider)
            }
            var userValidation = ModelValidation()
            userValidation.string(user, "logins.\(provider)", length: 1...1024, sensitive: true)
            try userValidation.check()
            let developer = services.developerLogin(pool: pool.id, provider: provider, user: user)
            let others = try await services.verifyLogins(logins, pool: pool, now: call.now, skipping: provider, call: call)
            let lifetime = request.members["TokenDuration"]?.intValue ?? 900
            let principalTags = (tags ?? [:]).compactMapValues(\.stringValue)
            return try await services.resolvingRaces {
                let requested = try await request.string("IdentityId").asyncMap { try await services.existingIdentity($0, in: pool.id) }
                let owners = try await services.directory.identityOwners(pool: pool.id, keys: ([developer] + others.verified).map(\.key))
                let resolution = try IdentityLinking.developer(
                    pool: pool, developer: developer, others: others.verified, requested: requested?.decisionState,
                    owners: owners.mapValues(\.decisionState), newId: IdentityID("\(pool.id.region):\(UUID().uuidString.lowercased())"))
                let amr = ["authenticated", provider, "\(provider):\(pool.id.rawValue):\(user)"] + others.amr
                // The session-tags claim STS reads (AssumeRoleWithWebIdentity's "https://aws.amazon.com/tags").
                let tagClaims: [String: JSONValue] =
                    principalTags.isEmpty
                    ? [:]
                    : ["https://aws.amazon.com/tags": .object(["principal_tags": .object(principalTags.mapValues { .array([.string($0)]) })])]
                let (token, issued) = try await services.openIdToken(
                    for: resolution.identity, pool: pool, amr: amr, lifetime: lifetime, extraClaims: tagClaims, operation: name,
                    providers: [provider] + others.providers, call: call)
                try await services.commit(resolution, extra: [issued], call: call)
                return Response(IdentityId: resolution.identity.rawValue, Token: token)
            }
        }
    }

    /// LookupDeveloperIdentity: a developer user's identity, or an identity's developer users (paged).
    enum LookupDeveloperIdentity: AWSOperation {
        static let name = "LookupDeveloperIdentity"
        typealias Services = any IdentityService
        static func services(_ postern: Postern) -> Services { postern }

        struct Response: Encodable, Sendable {
            var IdentityId: String
            var DeveloperUserIdentifierList: [String]
            var NextToken: String?
        }

        static func handle(_ request: JSONObject, call: Call, services: Services) async throws -> Response {
            var validation = ModelValidation()
            validation.required(request.members["IdentityPoolId"], "identityPoolId")
            if let id = request.string("IdentityId") { validateIdentityId(id, "identityId", in: &validation) }
            validation.string(request.string("DeveloperUserIdentifier"), "developerUserIdentifier", length: 1...1024, sensitive: true)
            validation.integer(request.members["MaxResults"]?.intValue, "maxResults", range: 1...60)
            validation.string(request.string("NextToken"), "nextToken", length: 1...65535, pattern: #"[\S]+"#)
            try validation.check()
            let pool = try await services.identityPoolConfiguration(try request.requiredMember("IdentityPoolId"))
            let identityId = request.string("IdentityId")
            let user = request.string("DeveloperUserIdentifier")
            guard identityId != nil || user != nil else {
                throw DomainError.invalidParameter("Either IdentityID or DeveloperUserIdentifier must not be null.")
            }
            let provider = pool.developerProviderName ?? ""
            let identity: IdentityRecord
            if let user {
                let login = services.developerLogin(pool: pool.id, provider: provider, user: user)
                guard !provider.isEmpty, let owner = try await services.directory.identityOwners(pool: pool.id, keys: [login.key])[login.key]
                else { throw DomainError.resourceNotFound("The developer user identifier was not found.") }
                if let identityId, identityId != owner.id.rawValue {
                    throw DomainError.resourceConflict("The developer user identifier is not linked to this identity.")
                }
                identity = owner
            } else {
                identity = try await services.existingIdentity(identityId ?? "", in: pool.id)
            }
            let users = try services.developerUsers(of: identity, provider: provider)
            let limit = request.members["MaxResults"]?.intValue ?? 60
            let after = try request.string("NextToken").map(pageCursor)
            let rest = users.filter { after == nil || $0 > after! }
            let page = Array(rest.prefix(limit))
            return Response(
                IdentityId: identity.id.rawValue, DeveloperUserIdentifierList: page,
                NextToken: rest.count > limit ? page.last.map(pageToken) : nil)
        }
    }

    /// MergeDeveloperIdentities: the source developer user joins the destination user's identity.
    enum MergeDeveloperIdentities: AWSOperation {
        static let name = "MergeDeveloperIdentities"
        typealias Services = any IdentityService
        static func services(_ postern: Postern) -> Services { postern }

        struct Response: Encodable, Sendable { var IdentityId: String }

        static func handle(_ request: JSONObject, call: Call, services: Services) async throws -> Response {
            var validation = ModelValidation()
            for member in ["SourceUserIdentifier", "DestinationUserIdentifier", "DeveloperProviderName", "IdentityPoolId"] {
                validation.required(request.members[member], member.prefix(1).lowercased() + member.dropFirst())
            }
            validation.string(request.string("SourceUserIdentifier"), "sourceUserIdentifier", length: 1...1024, sensitive: true)
            validation.string(request.string("DestinationUserIdentifier"), "destinationUserIdentifier", length: 1...1024, sensitive: true)
            validation.string(request.string("DeveloperProviderName"), "developerProviderName", length: 1...128, pattern: #"[\w._-]+"#)
            try validation.check()
            let pool = try await services.identityPoolConfiguration(try request.requiredMember("IdentityPoolId"))
            let provider = try developerProvider(of: pool, named: try request.requiredMember("DeveloperProviderName"))
            let source = services.developerLogin(pool: pool.id, provider: provider, user: try request.requiredMember("SourceUserIdentifier"))
            let destination = services.developerLogin(
                pool: pool.id, provider: provider, user: try request.requiredMember("DestinationUserIdentifier"))
            return try await services.retrying {
                let owners = try await services.directory.identityOwners(pool: pool.id, keys: [source.key, destination.key])
                guard let from = owners[source.key], let into = owners[destination.key] else {
                    throw DomainError.resourceNotFound("The developer user identifier was not found.")
                }
                if let (unlinked, linked) = IdentityLinking.merge(source: source, of: from.decisionState, into: into.decisionState, pool: pool) {
                    var batch = AppendBatch()
                    batch.append(
                        stream: Stream.identity(from.id), expected: .exact(from.version),
                        events: [NewEvent(streamID: Stream.identity(from.id), unlinked)])
                    batch.append(
                        stream: Stream.identity(into.id), expected: .exact(into.version),
                        events: [NewEvent(streamID: Stream.identity(into.id), linked)])
                    try await services.commit(batch, metadata: call.metadata())
                }
                return Response(IdentityId: into.id.rawValue)
            }
        }
    }

    /// UnlinkDeveloperIdentity: the developer user leaves the identity; next time it is a new identity.
    enum UnlinkDeveloperIdentity: AWSOperation {
        static let name = "UnlinkDeveloperIdentity"
        typealias Services = any IdentityService
        static func services(_ postern: Postern) -> Services { postern }

        static func handle(_ request: JSONObject, call: Call, services: Services) async throws -> EmptyResponse {
            var validation = ModelValidation()
            validateIdentityId(request.string("IdentityId"), "identityId", in: &validation)
            for member in ["IdentityPoolId", "DeveloperProviderName", "DeveloperUserIdentifier"] {
                validation.required(request.members[member], member.prefix(1).lowercased() + member.dropFirst())
            }
            validation.string(request.string("DeveloperUserIdentifier"), "developerUserIdentifier", length: 1...1024, sensitive: true)
            validation.string(request.string("DeveloperProviderName"), "developerProviderName", length: 1...128, pattern: #"[\w._-]+"#)
            try validation.check()
            let pool = try await services.identityPoolConfiguration(try request.requiredMember("IdentityPoolId"))
            let provider = try developerProvider(of: pool, named: try request.requiredMember("DeveloperProviderName"))
            let login = services.developerLogin(pool: pool.id, provider: provider, user: try request.requiredMember("DeveloperUserIdentifier"))
            try await services.retrying {
                let identity = try await services.existingIdentity(try request.requiredMember("IdentityId"), in: pool.id)
                guard identity.logins.contains(where: { $0.key == login.key }) else {
                    throw DomainError.resourceNotFound("The developer user identifier is not linked to this identity.")
                }
                let stream = Stream.identity(identity.id)
                let unlinked = IdentityLoginsUnlinked(identityId: identity.id, identityPoolId: pool.id, logins: [login.key])
                try await services.commit(
                    AppendBatch(stream: stream, expected: .exact(identity.version), events: [NewEvent(streamID: stream, unlinked)]),
                    metadata: call.metadata())
            }
            return EmptyResponse()
        }
    }
}

extension Optional {
    /// `map` with an async throwing transform.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
