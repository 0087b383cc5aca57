import Foundation
import PosternCore
import PosternStore

extension IdentityAPI {
    static let classicFlowDisabled = "Basic (classic) flow is not enabled, please use enhanced flow."
    static let classicFlowWithRoleMappings = "Basic (classic) flow is not supported with RoleMappings, please use enhanced flow."

    /// The identity's description (DescribeIdentity, ListIdentities): id, provider names, dates.
    static func describe(_ identity: IdentityRecord, logins: [String]) -> JSONValue {
        .object([
            "IdentityId": .string(identity.id.rawValue), "Logins": .array(logins.map { .string($0) }),
            "CreationDate": .double(identity.createdAt.timeIntervalSince1970),
            "LastModifiedDate": .double(identity.updatedAt.timeIntervalSince1970),
        ])
    }

    /// GetId: the identity of the call's logins in the pool, made on first sight (a new guest identity for
    /// a call without logins).
    enum GetId: AWSOperation {
        static let name = "GetId"
        typealias Services = any IdentityService
        static func services(_ postern: Postern) -> Services { postern }

        struct Response: Encodable, Sendable { var IdentityId: String }

        static func handle(_ request: JSONObject, call: Call, services: Services) async throws -> Response {
            var validation = ModelValidation()
            validation.required(request.members["IdentityPoolId"], "identityPoolId")
            validation.string(request.string("AccountId"), "accountId", length: 1...15, pattern: #"\d+"#)
            validateLogins(request.members["Logins"], "logins", in: &validation)
            try validation.check()
            let pool = try await services.identityPoolInUse(try request.requiredMember("IdentityPoolId"))
            let logins = try await services.verifyLogins(IdentityAPI.logins(request.members["Logins"]), pool: pool, now: call.now, call: call)
            if let proven = logins.provenBy {
                _ = try await services.existingIdentity(proven.rawValue, in: pool.id)
                return Response(IdentityId: proven.rawValue)
            }
            if logins.verified.isEmpty, pool.allowsGuests {
                // A new guest identity each call: counted per source address (`guestIdentitiesPerAddress`).
                let throttle = services.throttle
                if await throttle.count(throttle.guestIdentityLimits(sourceIp: call.sourceIp), now: call.now) {
                    throw DomainError.rateExceeded
                }
            }
            return try await services.resolvingRaces {
                let owners = try await services.directory.identityOwners(pool: pool.id, keys: logins.verified.map(\.key))
                let resolution = try IdentityLinking.getId(
                    pool: pool, logins: logins.verified, owners: owners.mapValues(\.decisionState),
                    newId: IdentityID("\(pool.id.region):\(UUID().uuidString.lowercased())"))
                try await services.commit(resolution, call: call)
                return Response(IdentityId: resolution.identity.rawValue)
            }
        }
    }

    /// GetOpenIdToken (the basic flow): an identity-pool OpenID token for the identity, valid 10 minutes;
    /// its logins are linked as GetId links them, and the identity returned may be another one.
    enum GetOpenIdToken: AWSOperation {
        static let name = "GetOpenIdToken"
        typealias Services = any IdentityService
        static func services(_ postern: Postern) -> Services { postern }

        struct Response: Encodable, Sendable {
            var IdentityId: String
            var Token: String
        }

        static func handle(_ request: JSONObject, call: Call, services: Services) async throws -> Response {
            var validation = ModelValidation()
            validateIdentityId(request.string("IdentityId"), "identityId", in: &validation)
            validateLogins(request.members["Logins"], "logins", in: &validation)
            try validation.check()
            let identity = try await services.existingIdentity(try request.requiredMember("IdentityId"))
            let pool = try await services.identityPoolInUse(identity.poolId.rawValue)
            guard pool.allowsClassicFlow else { throw DomainError.invalidParameter(classicFlowDisabled) }
            guard (pool.roleMappings.objectValue ?? [:]).isEmpty else { throw DomainError.invalidParameter(classicFlowWithRoleMappings) }
            let logins = try await services.verifyLogins(IdentityAPI.logins(request.members["Logins"]), pool: pool, now: call.now, call: call)
            return try await services.resolvingRaces {
                let current = try await services.existingIdentity(identity.id.rawValue)
                let owners = try await services.directory.identityOwners(pool: pool.id, keys: logins.verified.map(\.key))
                let resolution = try IdentityLinking.use(
                    current.decisionState, pool: pool, logins: logins.verified, provenBy: logins.provenBy,
                    owners: owners.mapValues(\.decisionState))
                let amr = resolution.authenticated ? ["authenticated"] + logins.amr : ["unauthenticated"]
                let (token, issued) = try await services.openIdToken(
                    for: resolution.identity, pool: pool, amr: amr, lifetime: openIdTokenLifetime, operation: name,
                    providers: logins.providers, call: call)
                try await services.commit(resolution, extra: [issued], call: call)
                return Response(IdentityId: resolution.identity.rawValue, Token: token)
            }
        }
    }

    /// DescribeIdentity.
    enum DescribeIdentity: AWSOperation {
        static let name = "DescribeIdentity"
        typealias Services = any IdentityService
        static func services(_ postern: Postern) -> Services { postern }

        static func handle(_ request: JSONObject, call: Call, services: Services) async throws -> JSONValue {
            var validation = ModelValidation()
            validateIdentityId(request.string("IdentityId"), "identityId", in: &validation)
            try validation.check()
            let identity = try await services.existingIdentity(try request.requiredMember("IdentityId"))
            let pool = try await services.directory.identityPool(identity.poolId.rawValue)?.configuration
            return describe(identity, logins: services.displayedProviders(identity, pool: pool))
        }
    }

    /// ListIdentities: the pool's identities in id order, MaxResults 1–60.
    enum ListIdentities: AWSOperation {
        static let name = "ListIdentities"
        typealias Services = any IdentityService
        static func services(_ postern: Postern) -> Services { postern }

        struct Response: Encodable, Sendable {
            var IdentityPoolId: String
            var Identities: [JSONValue]
            var NextToken: String?
        }

        static func handle(_ request: JSONObject, call: Call, services: Services) async throws -> Response {
            var validation = ModelValidation()
            validation.required(request.members["IdentityPoolId"], "identityPoolId")
            validation.required(request.members["MaxResults"], "maxResults")
            validation.integer(request.members["MaxResults"]?.intValue, "maxResults", range: 1...60)
            validation.string(request.string("NextToken"), "nextToken", length: 1...65535, pattern: #"[\S]+"#)
            try validation.check()
            let pool = try await services.identityPoolConfiguration(try request.requiredMember("IdentityPoolId"))
            let limit = request.members["MaxResults"]?.intValue ?? 60
            let after = try request.string("NextToken").map(pageCursor)
            // No identity is ever disabled by Postern (merges move logins, they do not disable), so
            // HideDisabled hides nothing.
            let found = try await services.directory.identities(pool: pool.id, after: after, limit: limit + 1)
            let page = found.prefix(limit)
            return Response(
                IdentityPoolId: pool.id.rawValue, Identities: page.map { describe($0, logins: services.displayedProviders($0, pool: pool)) },
                NextToken: found.count > limit ? page.last.map { pageToken($0.id.rawValue) } : nil)
        }
    }

    /// DeleteIdentities: 1–60 identities removed, their data keys destroyed (an id that does not exist is
    /// nothing to delete).
    enum DeleteIdentities: AWSOperation {
        static let name = "DeleteIdentities"
        typealias Services = any IdentityService
        static func services(_ postern: Postern) -> Services { postern }

        struct Response: Encodable, Sendable { var UnprocessedIdentityIds: [JSONValue] }

        static func handle(_ request: JSONObject, call: Call, services: Services) async throws -> Response {
            var validation = ModelValidation()
            validation.required(request.members["IdentityIdsToDelete"], "identityIdsToDelete")
            let ids = (request.members["IdentityIdsToDelete"]?.arrayValue ?? []).compactMap(\.stringValue)
            validation.count(request.members["IdentityIdsToDelete"]?.arrayValue?.count, "identityIdsToDelete", 1...60)
            for id in ids { validation.string(id, "identityIdsToDelete.member", length: 1...55, pattern: #"[\w-]+:[0-9a-f-]+"#) }
            try validation.check()
            for id in Set(ids).sorted() {
                try await services.retrying {
                    guard let identity = try await services.directory.identity(id) else { return }
                    let stream = Stream.identity(identity.id)
                    var batch = AppendBatch(
                        stream: stream, expected: .exact(identity.version),
                        events: [NewEvent(streamID: stream, IdentityDeleted(identityId: identity.id, identityPoolId: identity.poolId))])
                    batch.dataKeysToDestroy = [identity.id.rawValue]
                    try await services.commit(batch, metadata: call.metadata())
                }
            }
            return Response(UnprocessedIdentityIds: [])
        }
    }

    /// UnlinkIdentity: the caller proves the identity with one of its logins and removes the logins of
    /// the providers named; "unlinked logins will be considered new identities next time they are seen".
    enum UnlinkIdentity: AWSOperation {
        static let name = "UnlinkIdentity"
        typealias Services = any IdentityService
        static func services(_ postern: Postern) -> Services { postern }

        static func handle(_ request: JSONObject, call: Call, services: Services) async throws -> EmptyResponse {
            var validation = ModelValidation()
            validateIdentityId(request.string("IdentityId"), "identityId", in: &validation)
            validation.required(request.members["Logins"], "logins")
            validateLogins(request.members["Logins"], "logins", in: &validation)
            validation.required(request.members["LoginsToRemove"], "loginsToRemove")
            let remove = (request.members["LoginsToRemove"]?.arrayValue ?? []).compactMap(\.stringValue)
            for name in remove { validation.string(name, "loginsToRemove.member", length: 1...128) }
            try validation.check()
            let identity = try await services.existingIdentity(try request.requiredMember("IdentityId"))
            let pool = try await services.identityPoolInUse(identity.poolId.rawValue)
            let logins = try await services.verifyLogins(IdentityAPI.logins(request.members["Logins"]), pool: pool, now: call.now, call: call)
            if let proven = logins.provenBy, proven != identity.id { throw DomainError.notAuthorized(IdentityLinking.loginsDoNotMatch) }
            try await services.retrying {
                let current = try await services.existingIdentity(identity.id.rawValue)
                let state = current.decisionState
                // An identity-pool token of this identity proves it as one of its logins would.
                let proof =
                    logins.provenBy == nil
                    ? logins.verified
                    : logins.verified
                        + state.logins.map {
                            VerifiedLogin(provider: $0.provider, subject: "", subjectKey: $0.subjectKey)
                        }
                guard
                    let unlinked = try IdentityLinking.unlink(
                        state, pool: pool, logins: proof, providers: Set(remove.map(services.canonicalProvider)))
                else { return }
                let stream = Stream.identity(current.id)
                try await services.commit(
                    AppendBatch(stream: stream, expected: .exact(current.version), events: [NewEvent(streamID: stream, unlinked)]),
                    metadata: call.metadata())
            }
            return EmptyResponse()
        }
    }

    /// A NextToken naming the last id (or value) of a page.
    static func pageToken(_ last: String) -> String { Data(last.utf8).base64EncodedString() }

    static func pageCursor(_ token: String) throws -> String {
        guard let data = Data(base64Encoded: token), let cursor = String(data: data, encoding: .utf8) else {
            throw DomainError.invalidParameter("Invalid NextToken.")
        }
        return cursor
    }
}
