import Foundation
import PosternCore
import PosternStore

/// cognito-identity's operations, named as AWS names them, kept apart from cognito-idp's (both APIs have
/// a TagResource).
enum IdentityAPI {}

/// What identity-pool administration reads and writes: the log, the directory, and the settings (the
/// account id ARNs carry, the region of new ids).
protocol IdentityPoolService: EventLogService, SettingsService {}

extension Postern: IdentityPoolService {}

extension IdentityPoolService {
    var accountId: String { configuration.accountId }
    var region: String { configuration.region }

    /// The pool's write model, version first and row second (as `userPoolConfiguration` reads a pool);
    /// ResourceNotFoundException with Cognito's wording when there is none.
    func identityPoolConfiguration(_ id: String) async throws -> IdentityPoolConfiguration {
        try IdentityAPI.validatePoolId(id)
        let version = try await store.version(of: Stream.identityPool(IdentityPoolID(id)))
        guard let pool = try await directory.identityPool(id, version: version) else { throw IdentityAPI.poolNotFound(id) }
        return pool.configuration
    }

    /// The pool as the identity operations use it (they never write to its stream): from the
    /// configuration cache, kept consistent from the log as user pools' are.
    func identityPoolInUse(_ id: String) async throws -> IdentityPoolConfiguration {
        try IdentityAPI.validatePoolId(id)
        guard let pool = try await directory.cachedIdentityPool(id) else { throw IdentityAPI.poolNotFound(id) }
        return pool.configuration
    }

    /// Appends one event to the pool's stream at the version the decision was made on.
    func commit(_ event: some EventPayload, to pool: IdentityPoolConfiguration, call: Call) async throws {
        let stream = Stream.identityPool(pool.id)
        try await commit(
            .init(stream: stream, expected: .exact(pool.version), events: [NewEvent(streamID: stream, event)]), metadata: call.metadata())
    }

    /// Whether two user-pool provider names (or `{provider}:{clientId}` keys) name the same thing: a pool is
    /// known by its tokens' issuer without the scheme and by `cognito-idp.{region}.amazonaws.com/{id}`.
    func sameProvider(_ first: String, _ second: String) -> Bool {
        canonicalProvider(first) == canonicalProvider(second)
    }

    /// A user-pool provider name in its AWS form; other names unchanged.
    func canonicalProvider(_ name: String) -> String {
        guard let slash = name.lastIndex(of: "/") else { return name }
        let tail = name[name.index(after: slash)...]
        let poolAndClient = tail.split(separator: ":", maxSplits: 1)
        guard let pool = poolAndClient.first, pool.contains("_") else { return name }
        let region = pool.split(separator: "_").first.map(String.init) ?? ""
        return "cognito-idp.\(region).amazonaws.com/\(tail)"
    }
}

extension IdentityAPI {
    /// IdentityPoolId: 1–55 characters of `[\w-]+:[0-9a-f-]+` (the model).
    static func validatePoolId(_ id: String, member: String = "identityPoolId") throws {
        var validation = ModelValidation()
        validation.string(id, member, length: 1...55, pattern: #"[\w-]+:[0-9a-f-]+"#)
        try validation.check()
    }

    static func poolNotFound(_ id: String) -> DomainError { .resourceNotFound("IdentityPool '\(id)' not found.") }

    /// DescribeIdentityPool's shape: the id, the configuration members, the tags.
    static func describe(_ pool: IdentityPoolConfiguration) -> JSONValue {
        var members = pool.settings.objectValue ?? [:]
        members["IdentityPoolId"] = .string(pool.id.rawValue)
        members["IdentityPoolTags"] = .object(pool.tags.mapValues { .string($0) })
        return .object(members)
    }

    /// The identity pool an `arn:aws:cognito-identity:{region}:{account}:identitypool/{id}` names.
    static func poolId(arn: String, account: String) throws -> String {
        var validation = ModelValidation()
        validation.string(arn, "resourceArn", length: 1...2048)
        try validation.check()
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "cognito-identity", parts[5].hasPrefix("identitypool/") else {
            throw DomainError.invalidParameter("Invalid ARN: \(arn) is not an identity pool ARN.")
        }
        let id = String(parts[5].dropFirst("identitypool/".count))
        guard parts[4] == account, id.hasPrefix("\(parts[3]):") else { throw poolNotFound(id) }
        return id
    }
}
