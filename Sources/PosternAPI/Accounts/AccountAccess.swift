import Foundation
import PosternCore
import PosternCrypto
import PosternStore

/// Finding the app client and the user a call names and checking the client's secret; making and
/// opening password verifiers.
extension ClientAccessService {
    /// Loads the client of a public call and its pool.
    func publicClient(_ clientId: String) async throws -> (ClientRecord, PoolRecord) {
        try Validate.clientId(clientId)
        let client = try await directory.client(clientId)
        let pool = try await directory.pool(client.poolId.rawValue)
        return (client, pool)
    }

    /// The client's secret, if it has one.
    func secret(of client: ClientRecord) throws -> String? {
        try client.sealedSecret.map { String(decoding: try master.secrets.open($0), as: UTF8.self) }
    }

    /// Checks `SECRET_HASH` for clients with a secret; any of `usernames` may be the one hashed.
    func checkSecretHash(_ provided: String?, client: ClientRecord, usernames: [String]) throws {
        guard let secret = try secret(of: client) else { return }
        let valid = usernames.contains { SecretHash.isValid(provided, username: $0, clientID: client.id.rawValue, clientSecret: secret) }
        if !valid { throw DomainError.notAuthorized("Unable to verify secret hash for client \(client.id.rawValue)") }
    }

    /// The user, or Cognito's "does not exist" error (NotAuthorized when the client hides user existence).
    func requireUser(pool: PoolRecord, login: String, client: ClientRecord?, cached: Bool = false) async throws -> UserRecord {
        let found = cached ? try await directory.cachedUser(pool: pool, login: login) : try await directory.user(pool: pool, login: login)
        if let user = found { return user }
        if client?.settings.preventUserExistenceErrors == true { throw DomainError.notAuthorized("Incorrect username or password.") }
        throw DomainError.userNotFound
    }

}

extension PasswordService {
    /// The user's password verifier, opened with the user's data key.
    func verifier(of user: UserRecord) async throws -> PasswordVerifier? {
        guard let sealed = user.sealedVerifier, let key = try dataKey(of: user) else { return nil }
        return try key.open(sealed, as: PasswordVerifier.self)
    }

    /// A new verifier for `password`, bound to the pool and the internal username as SRP needs.
    func newVerifier(password: String, pool: PoolRecord, username: String) -> PasswordVerifier {
        PasswordVerifier.make(password: password, poolName: pool.id.poolName, userID: username)
    }
}
