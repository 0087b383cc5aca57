import Foundation
import PosternCore
import PostgresNIO

/// An `identities` row: an identity of an identity pool, with the version of its stream (the expected
/// version of the next append, as `users.version` is for users).
struct IdentityRow: DirectoryRow {
    var identityId: String
    var identityPoolId: String
    var createdAt: Timestamp
    var updatedAt: Timestamp
    var version: Int

    static let table = "identities"
    static let columns = [
        DirectoryColumn("identity_id"), DirectoryColumn("identity_pool_id"), DirectoryColumn("created_at", .timestamp),
        DirectoryColumn("updated_at", .timestamp), DirectoryColumn("version", .integer),
    ]
    static let keyColumnCount = 1
    static var rows: ReferenceWritableKeyPath<DirectoryRows, TableRows<IdentityRow>> { \.identities }
    var key: String { identityId }

    init(identityId: String, identityPoolId: String, createdAt: Timestamp, updatedAt: Timestamp, version: Int) {
        self.identityId = identityId
        self.identityPoolId = identityPoolId
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }

    init(cells: inout RowCells) throws {
        self.init(
            identityId: try cells.next(), identityPoolId: try cells.next(), createdAt: try cells.next(), updatedAt: try cells.next(),
            version: try cells.next())
    }

    static func columnArrays(_ rows: [IdentityRow]) -> [any PostgresThrowingDynamicTypeEncodable] {
        [rows.map(\.identityId), rows.map(\.identityPoolId), rows.map(\.createdAt), rows.map(\.updatedAt), rows.map(\.version)]
    }

    static func keyArrays(_ keys: [String]) -> [any PostgresThrowingDynamicTypeEncodable] { [keys] }
}

/// An `identity_logins` row: a login linked to an identity, unique per identity pool by provider and the
/// keyed hash of its subject; the subject itself stays sealed with the identity's data key.
struct IdentityLoginRow: DirectoryRow {
    /// The primary key: pool, provider, subject hash.
    struct Key: Hashable, Sendable {
        var identityPoolId: String
        var provider: String
        var subjectKey: String
    }

    var identityPoolId: String
    var provider: String
    var subjectKey: String
    var identityId: String
    var sealedSubject: String
    var linkedAt: Timestamp

    static let table = "identity_logins"
    static let columns = [
        DirectoryColumn("identity_pool_id"), DirectoryColumn("provider"), DirectoryColumn("subject_key"), DirectoryColumn("identity_id"),
        DirectoryColumn("sealed_subject"), DirectoryColumn("linked_at", .timestamp),
    ]
    static let keyColumnCount = 3
    static var rows: ReferenceWritableKeyPath<DirectoryRows, TableRows<IdentityLoginRow>> { \.identityLogins }
    var key: Key { Key(identityPoolId: identityPoolId, provider: provider, subjectKey: subjectKey) }
    /// Loaded per identity (`DirectoryNeed.identityLogins`), as a user's codes are loaded per user.
    var subject: String? { identityId }

    init(identityPoolId: String, provider: String, subjectKey: String, identityId: String, sealedSubject: String, linkedAt: Timestamp) {
        self.identityPoolId = identityPoolId
        self.provider = provider
        self.subjectKey = subjectKey
        self.identityId = identityId
        self.sealedSubject = sealedSubject
        self.linkedAt = linkedAt
    }

    init(cells: inout RowCells) throws {
        self.init(
            identityPoolId: try cells.next(), provider: try cells.next(), subjectKey: try cells.next(), identityId: try cells.next(),
            sealedSubject: try cells.next(), linkedAt: try cells.next())
    }

    static func columnArrays(_ rows: [IdentityLoginRow]) -> [any PostgresThrowingDynamicTypeEncodable] {
        [
            rows.map(\.identityPoolId), rows.map(\.provider), rows.map(\.subjectKey), rows.map(\.identityId), rows.map(\.sealedSubject),
            rows.map(\.linkedAt),
        ]
    }

    static func keyArrays(_ keys: [Key]) -> [any PostgresThrowingDynamicTypeEncodable] {
        [keys.map(\.identityPoolId), keys.map(\.provider), keys.map(\.subjectKey)]
    }
}

extension DirectoryProjector {
    /// The reducers of identity streams' events. Every event moves the row's version, so the row is the
    /// identity's write model; the token issues (credential exchanges) change nothing else.
    static let identityReducers: [String: DirectoryReducer] = [
        IdentityCreated.eventType: .on(IdentityCreated.self) { created, event, _ in
            let at = Timestamp(event.recordedAt)
            return [
                .insert(
                    IdentityRow(
                        identityId: created.identityId.rawValue, identityPoolId: created.identityPoolId.rawValue, createdAt: at, updatedAt: at,
                        version: event.streamVersion))
            ] + (try loginRows(created.logins, of: created.identityId, in: created.identityPoolId, at: at)).map { .insert($0) }
        },
        IdentityLoginsLinked.eventType: .on(IdentityLoginsLinked.self, needs: { linked, _ in [.identity(linked.identityId.rawValue)] }) {
            linked, event, context in
            let at = Timestamp(event.recordedAt)
            return try changingIdentity(linked.identityId, event, context)
                + (try loginRows(linked.logins, of: linked.identityId, in: linked.identityPoolId, at: at)).map { .insert($0) }
        },
        // The logins are loaded so that a login moving to another identity in the same batch (a merge)
        // folds into one UPDATE of its row instead of a DELETE and an INSERT of one key.
        IdentityLoginsUnlinked.eventType: .on(
            IdentityLoginsUnlinked.self,
            needs: { unlinked, _ in [.identity(unlinked.identityId.rawValue), .identityLogins(unlinked.identityId.rawValue)] }
        ) {
            unlinked, event, context in
            try changingIdentity(unlinked.identityId, event, context)
                + unlinked.logins.map {
                    .delete(
                        KeyOf<IdentityLoginRow>(
                            .init(identityPoolId: unlinked.identityPoolId.rawValue, provider: $0.provider, subjectKey: $0.subjectKey)))
                }
        },
        IdentityDeleted.eventType: .on(
            IdentityDeleted.self, needs: { deleted, _ in [.identity(deleted.identityId.rawValue), .identityLogins(deleted.identityId.rawValue)] }
        ) { deleted, _, context in
            try context.rows.identityLogins.rows(of: deleted.identityId.rawValue).map { .delete(KeyOf<IdentityLoginRow>($0.key)) }
                + [.delete(KeyOf<IdentityRow>(deleted.identityId.rawValue))]
        },
        IdentityCredentialsIssued.eventType: .on(IdentityCredentialsIssued.self, needs: { issued, _ in [.identity(issued.identityId.rawValue)] }) {
            issued, event, context in
            try changingIdentity(issued.identityId, event, context, touches: false)
        },
        IdentityCredentialsRefused.eventType: .on(IdentityCredentialsRefused.self, needs: { refused, _ in [.identity(refused.identityId.rawValue)] })
        {
            refused, event, context in
            try changingIdentity(refused.identityId, event, context, touches: false)
        },
        IdentityTokenIssued.eventType: .on(IdentityTokenIssued.self, needs: { issued, _ in [.identity(issued.identityId.rawValue)] }) {
            issued, event, context in
            try changingIdentity(issued.identityId, event, context, touches: false)
        },
    ]

    static func loginRows(_ logins: [IdentityLogin], of identity: IdentityID, in pool: IdentityPoolID, at: Timestamp) throws
        -> [IdentityLoginRow]
    {
        try logins.map { login in
            guard let sealed = login.subject.ciphertext else { throw StoreError.corrupt("a recorded event held a plaintext login subject") }
            return IdentityLoginRow(
                identityPoolId: pool.rawValue, provider: login.provider, subjectKey: login.subjectKey, identityId: identity.rawValue,
                sealedSubject: sealed, linkedAt: at)
        }
    }

    /// Moves an identity's version to the event's (nothing when it is gone) and, when `touches`, its
    /// modification time (DescribeIdentity's LastModifiedDate).
    static func changingIdentity(_ id: IdentityID, _ event: RecordedEvent, _ context: ReducerContext, touches: Bool = true) throws
        -> [DirectoryChange]
    {
        guard var identity = try context.rows.identities.value(id.rawValue) else { return [] }
        identity.version = event.streamVersion
        if touches { identity.updatedAt = Timestamp(event.recordedAt) }
        return [.put(identity)]
    }
}
