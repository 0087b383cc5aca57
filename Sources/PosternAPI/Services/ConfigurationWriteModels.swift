import Foundation
import PosternCore
import PosternStore

/// Loading the write models of configuration aggregates: the directory's row with its stream's version
/// (pools, clients), or a fold of the stream (admin keys).
///
/// A write model is read past `ConfigurationCache`, version first and row second: a row older than its
/// version (another server's change not yet heard of) would let a command decide on stale settings at the
/// current version and silently undo that change; a row newer than the version only costs a conflict,
/// which the pipeline answers by deciding again.
extension EventLogService {
    /// The pool's write model; ResourceNotFoundException as the directory answers when there is none.
    func userPoolConfiguration(_ id: String) async throws -> UserPoolConfiguration {
        let version = try await store.version(of: Stream.userPool(UserPoolID(id)))
        guard let pool = try await directory.loadPool(id) else { throw DomainError.resourceNotFound("User pool \(id) does not exist.") }
        return pool.configuration(version: version)
    }

    /// The write model of a client the directory loaded (reloaded fresh at its current version).
    func appClientConfiguration(_ client: ClientRecord) async throws -> AppClientConfiguration {
        let version = try await store.version(of: Stream.client(client.id))
        guard let fresh = try await directory.loadClient(client.id.rawValue) else {
            throw DomainError.resourceNotFound("User pool client \(client.id.rawValue) does not exist.")
        }
        return fresh.configuration(version: version)
    }

    /// The admin key's write model, folded from its stream; nil for a key that was never created.
    func adminAccessKey(_ accessKeyId: String) async throws -> AdminAccessKey? {
        let recorded = try await store.readStream(Stream.adminKey(accessKeyId))
        var key = AdminAccessKey.fold(
            try recorded.compactMap { event -> (any EventPayload)? in
                switch event.type {
                case AdminKeyCreated.eventType: try event.payload(as: AdminKeyCreated.self)
                case AdminKeyRevoked.eventType: try event.payload(as: AdminKeyRevoked.self)
                default: nil
                }
            })
        // The stream's own count, even if it ever holds an event type the fold does not know.
        if let last = recorded.last { key?.version = last.streamVersion }
        return key
    }
}

extension PoolRecord {
    /// The write model's view of this row, at the pool stream's `version`.
    func configuration(version: Int) -> UserPoolConfiguration {
        UserPoolConfiguration(poolId: id, name: name, settings: settings, version: version)
    }
}

extension ClientRecord {
    /// The write model's view of this row, at the client stream's `version`.
    func configuration(version: Int) -> AppClientConfiguration {
        AppClientConfiguration(clientId: id, poolId: poolId, settings: settings, version: version)
    }
}
