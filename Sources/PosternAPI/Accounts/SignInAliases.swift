import Foundation
import PosternCore
import PosternStore

/// The sign-in aliases a change would claim (`SignInNames`), checked before the append so the caller
/// gets Cognito's precise AliasExistsException; the unique key in the append transaction settles races.
extension AliasService {
    /// The appends that move aliases `attributes` would claim away from their current holders
    /// (`ForceAliasCreation`, email and phone number only), or AliasExistsException when an alias is
    /// taken and may not be moved.
    func aliasTransfers(pool: PoolRecord, sub: Sub, attributes: [String: String], force: Bool) async throws -> [AppendBatch.StreamAppend] {
        var transfers: [AppendBatch.StreamAppend] = []
        for alias in pool.settings.signInAliases(attributes: attributes) {
            guard let holder = try await directory.aliasHolder(pool: pool, key: alias.key), holder != sub else { continue }
            guard force, alias.attribute == "email" || alias.attribute == "phone_number",
                let current = try await directory.user(sub: holder.rawValue)
            else { throw DomainError.aliasExists("An account with the given \(alias.attribute) already exists.") }
            let stream = Stream.user(current.sub)
            transfers.append(
                .init(
                    stream: stream, expected: .exact(current.version),
                    events: [NewEvent(streamID: stream, AliasReleased(attribute: alias.attribute, takenBy: sub))]))
        }
        return transfers
    }

    /// In pools that sign in by email or phone number, the new value must not be another user's.
    func requireFreeUsernameKey(pool: PoolRecord, user: UserRecord, attributes: [String: String]) async throws {
        guard !pool.settings.usernameAttributes.isEmpty else { return }
        let key = pool.settings.signInKey(username: user.username, attributes: attributes)
        guard key != user.usernameKey, let other = try await directory.user(pool: pool, login: key), other.sub != user.sub else { return }
        let attribute = AttributeValidator.isEmail(key) ? "email" : "phone_number"
        throw DomainError.aliasExists("An account with the given \(attribute) already exists.")
    }
}
