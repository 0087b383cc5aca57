import Foundation
import PosternCore
import PostgresNIO

/// A row of one `directory` table, as the projection folds it in memory.
///
/// Columns are listed in table order with the key first; the loader selects them in that order and the
/// writer binds one array per column for `unnest`.
protocol DirectoryRow: Equatable, Sendable {
    associatedtype Key: Hashable & Sendable
    static var table: String { get }
    static var columns: [DirectoryColumn] { get }
    /// How many leading `columns` make the primary key.
    static var keyColumnCount: Int { get }
    /// Where the batch's working set keeps rows of this table.
    static var rows: ReferenceWritableKeyPath<DirectoryRows, TableRows<Self>> { get }
    var key: Key { get }
    /// The user a row belongs to, for the tables the projection loads per user (codes, aliases, tokens).
    var subject: String? { get }
    static func subject(of key: Key) -> String?
    init(cells: inout RowCells) throws
    /// One array per column, in `columns` order.
    static func columnArrays(_ rows: [Self]) -> [any PostgresThrowingDynamicTypeEncodable]
    /// One array per key column.
    static func keyArrays(_ keys: [Key]) -> [any PostgresThrowingDynamicTypeEncodable]
}

extension DirectoryRow {
    var subject: String? { nil }
    static func subject(of key: Key) -> String? { nil }
    /// PostgreSQL's name for the primary key, which a second insert of a key violates.
    static var primaryKeyConstraint: String { "\(table)_pkey" }
}

/// A column's name and how it travels: `jsonb` as text (cast on the way in and out), the rest as themselves.
struct DirectoryColumn: Sendable {
    enum Kind: Sendable { case text, jsonb, timestamp, integer, boolean }
    var name: String
    var kind: Kind

    init(_ name: String, _ kind: Kind = .text) {
        self.name = name
        self.kind = kind
    }

    /// The array type a parameter of this column is bound as.
    var arrayType: String {
        switch kind {
        case .text, .jsonb: "text[]"
        case .timestamp: "timestamptz[]"
        case .integer: "int8[]"
        case .boolean: "bool[]"
        }
    }

    /// The expression that reads the column (jsonb as its canonical text).
    var selected: String { kind == .jsonb ? "\(name)::text" : name }
}

/// A `user_pools` row.
struct PoolRow: DirectoryRow {
    var poolId: String
    var name: String
    var config: String
    var signingKeys: String
    var createdAt: Timestamp
    var updatedAt: Timestamp

    static let table = "user_pools"
    static let columns = [
        DirectoryColumn("pool_id"), DirectoryColumn("name"), DirectoryColumn("config", .jsonb), DirectoryColumn("signing_keys", .jsonb),
        DirectoryColumn("created_at", .timestamp), DirectoryColumn("updated_at", .timestamp),
    ]
    static let keyColumnCount = 1
    static var rows: ReferenceWritableKeyPath<DirectoryRows, TableRows<PoolRow>> { \.pools }
    var key: String { poolId }

    init(poolId: String, name: String, config: String, signingKeys: String, createdAt: Timestamp, updatedAt: Timestamp) {
        self.poolId = poolId
        self.name = name
        self.config = config
        self.signingKeys = signingKeys
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    init(cells: inout RowCells) throws {
        self.init(
            poolId: try cells.next(), name: try cells.next(), config: try cells.next(), signingKeys: try cells.next(),
            createdAt: try cells.next(), updatedAt: try cells.next())
    }

    static func columnArrays(_ rows: [PoolRow]) -> [any PostgresThrowingDynamicTypeEncodable] {
        [rows.map(\.poolId), rows.map(\.name), rows.map(\.config), rows.map(\.signingKeys), rows.map(\.createdAt), rows.map(\.updatedAt)]
    }

    static func keyArrays(_ keys: [String]) -> [any PostgresThrowingDynamicTypeEncodable] { [keys] }
}

/// A `user_pool_clients` row.
struct ClientRow: DirectoryRow {
    var clientId: String
    var poolId: String
    var name: String
    var config: String
    var sealedSecret: String?
    var createdAt: Timestamp
    var updatedAt: Timestamp

    static let table = "user_pool_clients"
    static let columns = [
        DirectoryColumn("client_id"), DirectoryColumn("pool_id"), DirectoryColumn("name"), DirectoryColumn("config", .jsonb),
        DirectoryColumn("sealed_secret"), DirectoryColumn("created_at", .timestamp), DirectoryColumn("updated_at", .timestamp),
    ]
    static let keyColumnCount = 1
    static var rows: ReferenceWritableKeyPath<DirectoryRows, TableRows<ClientRow>> { \.clients }
    var key: String { clientId }

    init(clientId: String, poolId: String, name: String, config: String, sealedSecret: String?, createdAt: Timestamp, updatedAt: Timestamp) {
        self.clientId = clientId
        self.poolId = poolId
        self.name = name
        self.config = config
        self.sealedSecret = sealedSecret
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    init(cells: inout RowCells) throws {
        self.init(
            clientId: try cells.next(), poolId: try cells.next(), name: try cells.next(), config: try cells.next(),
            sealedSecret: try cells.next(), createdAt: try cells.next(), updatedAt: try cells.next())
    }

    static func columnArrays(_ rows: [ClientRow]) -> [any PostgresThrowingDynamicTypeEncodable] {
        [
            rows.map(\.clientId), rows.map(\.poolId), rows.map(\.name), rows.map(\.config), NullableArray(rows.map(\.sealedSecret)),
            rows.map(\.createdAt), rows.map(\.updatedAt),
        ]
    }

    static func keyArrays(_ keys: [String]) -> [any PostgresThrowingDynamicTypeEncodable] { [keys] }
}

/// A `users` row. `attributes` is held decoded: reducers set single attributes in it, as `jsonb_set` did.
struct UserRow: DirectoryRow {
    var sub: String
    var poolId: String
    var username: String
    var usernameKey: String
    var attributes: [String: String]
    var status: String
    var enabled = true
    var sealedVerifier: String?
    var passwordSetAt: Timestamp?
    var failedAttempts = 0
    var lockedUntil: Timestamp?
    var tokensValidAfter: Timestamp?
    var createdAt: Timestamp
    var updatedAt: Timestamp
    var version: Int
    var mfa: MFAColumn?

    static let table = "users"
    static let columns = [
        DirectoryColumn("sub"), DirectoryColumn("pool_id"), DirectoryColumn("username"), DirectoryColumn("username_key"),
        DirectoryColumn("attributes", .jsonb), DirectoryColumn("status"), DirectoryColumn("enabled", .boolean),
        DirectoryColumn("sealed_verifier"), DirectoryColumn("password_set_at", .timestamp), DirectoryColumn("failed_attempts", .integer),
        DirectoryColumn("locked_until", .timestamp), DirectoryColumn("tokens_valid_after", .timestamp),
        DirectoryColumn("created_at", .timestamp), DirectoryColumn("updated_at", .timestamp), DirectoryColumn("version", .integer),
        DirectoryColumn("mfa", .jsonb),
    ]
    static let keyColumnCount = 1
    static var rows: ReferenceWritableKeyPath<DirectoryRows, TableRows<UserRow>> { \.users }
    var key: String { sub }

    init(
        sub: String, poolId: String, username: String, usernameKey: String, attributes: [String: String], status: String,
        sealedVerifier: String?, passwordSetAt: Timestamp?, createdAt: Timestamp, updatedAt: Timestamp, version: Int
    ) {
        self.sub = sub
        self.poolId = poolId
        self.username = username
        self.usernameKey = usernameKey
        self.attributes = attributes
        self.status = status
        self.sealedVerifier = sealedVerifier
        self.passwordSetAt = passwordSetAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }

    init(cells: inout RowCells) throws {
        sub = try cells.next()
        poolId = try cells.next()
        username = try cells.next()
        usernameKey = try cells.next()
        attributes = try JSONValue.parse(try cells.next(String.self)).decode([String: String].self)
        status = try cells.next()
        enabled = try cells.next()
        sealedVerifier = try cells.next()
        passwordSetAt = try cells.next()
        failedAttempts = try cells.next()
        lockedUntil = try cells.next()
        tokensValidAfter = try cells.next()
        createdAt = try cells.next()
        updatedAt = try cells.next()
        version = try cells.next()
        mfa = try cells.next(String?.self).map { try JSONValue.parse($0).decode(MFAColumn.self) }
    }

    static func columnArrays(_ rows: [UserRow]) -> [any PostgresThrowingDynamicTypeEncodable] {
        [
            rows.map(\.sub), rows.map(\.poolId), rows.map(\.username), rows.map(\.usernameKey), rows.map { jsonText($0.attributes) },
            rows.map(\.status), rows.map(\.enabled), NullableArray(rows.map(\.sealedVerifier)), NullableArray(rows.map(\.passwordSetAt)),
            rows.map(\.failedAttempts), NullableArray(rows.map(\.lockedUntil)), NullableArray(rows.map(\.tokensValidAfter)),
            rows.map(\.createdAt), rows.map(\.updatedAt), rows.map(\.version), NullableArray(rows.map { $0.mfa.map(jsonText) }),
        ]
    }

    static func keyArrays(_ keys: [String]) -> [any PostgresThrowingDynamicTypeEncodable] { [keys] }
}

/// The `users.mfa` column: a user's second factors, their sealed TOTP secrets (ciphertext as the events
/// carried it, under the user's data key) and the last TOTP step used.
public struct MFAColumn: Codable, Equatable, Sendable {
    public var enabled: [MFAFactor] = []
    public var preferred: MFAFactor?
    /// The verified authenticator's secret.
    public var softwareToken: String?
    /// A secret associated and not yet verified.
    public var pendingSoftwareToken: String?
    public var friendlyDeviceName: String?
    public var lastSoftwareTokenStep: Int64?

    /// The write model's view: what sign-in and preference decisions read.
    public var settings: UserMFA {
        UserMFA(
            enabled: Set(enabled), preferred: preferred, hasSoftwareToken: softwareToken != nil, lastSoftwareTokenStep: lastSoftwareTokenStep)
    }
}

/// A `confirmation_codes` row: one live code per user and purpose, with its send and guess counters.
struct CodeRow: DirectoryRow {
    /// A code's key: its user and purpose (`SignUp`, `ForgotPassword`, `Verify:email`, …).
    struct Key: Hashable, Sendable {
        var sub: String
        var purpose: String
    }

    var sub: String
    var purpose: String
    var codeHash: String
    var expiresAt: Timestamp
    var attempts = 0
    var attribute: String?
    var failureWindowStartedAt: Timestamp?
    var issuedCount = 0
    var issueWindowStartedAt: Timestamp?

    static let table = "confirmation_codes"
    static let columns = [
        DirectoryColumn("sub"), DirectoryColumn("purpose"), DirectoryColumn("code_hash"), DirectoryColumn("expires_at", .timestamp),
        DirectoryColumn("attempts", .integer), DirectoryColumn("attribute"), DirectoryColumn("failure_window_started_at", .timestamp),
        DirectoryColumn("issued_count", .integer), DirectoryColumn("issue_window_started_at", .timestamp),
    ]
    static let keyColumnCount = 2
    static var rows: ReferenceWritableKeyPath<DirectoryRows, TableRows<CodeRow>> { \.codes }
    var key: Key { Key(sub: sub, purpose: purpose) }
    var subject: String? { sub }
    static func subject(of key: Key) -> String? { key.sub }

    init(sub: String, purpose: String, codeHash: String, expiresAt: Timestamp, attribute: String?, issuedCount: Int, issueWindowStartedAt: Timestamp?)
    {
        self.sub = sub
        self.purpose = purpose
        self.codeHash = codeHash
        self.expiresAt = expiresAt
        self.attribute = attribute
        self.issuedCount = issuedCount
        self.issueWindowStartedAt = issueWindowStartedAt
    }

    init(cells: inout RowCells) throws {
        sub = try cells.next()
        purpose = try cells.next()
        codeHash = try cells.next()
        expiresAt = try cells.next()
        attempts = try cells.next()
        attribute = try cells.next()
        failureWindowStartedAt = try cells.next()
        issuedCount = try cells.next()
        issueWindowStartedAt = try cells.next()
    }

    static func columnArrays(_ rows: [CodeRow]) -> [any PostgresThrowingDynamicTypeEncodable] {
        [
            rows.map(\.sub), rows.map(\.purpose), rows.map(\.codeHash), rows.map(\.expiresAt), rows.map(\.attempts),
            NullableArray(rows.map(\.attribute)), NullableArray(rows.map(\.failureWindowStartedAt)), rows.map(\.issuedCount),
            NullableArray(rows.map(\.issueWindowStartedAt)),
        ]
    }

    static func keyArrays(_ keys: [Key]) -> [any PostgresThrowingDynamicTypeEncodable] { [keys.map(\.sub), keys.map(\.purpose)] }
}

/// A `refresh_tokens` row.
struct RefreshTokenRow: DirectoryRow {
    var tokenHash: String
    var sub: String
    var poolId: String
    var clientId: String
    var originJti: String
    var authTime: Timestamp
    var issuedAt: Timestamp
    var expiresAt: Timestamp
    var revokedAt: Timestamp?

    static let table = "refresh_tokens"
    static let columns = [
        DirectoryColumn("token_hash"), DirectoryColumn("sub"), DirectoryColumn("pool_id"), DirectoryColumn("client_id"),
        DirectoryColumn("origin_jti"), DirectoryColumn("auth_time", .timestamp), DirectoryColumn("issued_at", .timestamp),
        DirectoryColumn("expires_at", .timestamp), DirectoryColumn("revoked_at", .timestamp),
    ]
    static let keyColumnCount = 1
    static var rows: ReferenceWritableKeyPath<DirectoryRows, TableRows<RefreshTokenRow>> { \.tokens }
    var key: String { tokenHash }
    var subject: String? { sub }

    init(
        tokenHash: String, sub: String, poolId: String, clientId: String, originJti: String, authTime: Timestamp, issuedAt: Timestamp,
        expiresAt: Timestamp, revokedAt: Timestamp?
    ) {
        self.tokenHash = tokenHash
        self.sub = sub
        self.poolId = poolId
        self.clientId = clientId
        self.originJti = originJti
        self.authTime = authTime
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    init(cells: inout RowCells) throws {
        self.init(
            tokenHash: try cells.next(), sub: try cells.next(), poolId: try cells.next(), clientId: try cells.next(),
            originJti: try cells.next(), authTime: try cells.next(), issuedAt: try cells.next(), expiresAt: try cells.next(),
            revokedAt: try cells.next())
    }

    static func columnArrays(_ rows: [RefreshTokenRow]) -> [any PostgresThrowingDynamicTypeEncodable] {
        [
            rows.map(\.tokenHash), rows.map(\.sub), rows.map(\.poolId), rows.map(\.clientId), rows.map(\.originJti), rows.map(\.authTime),
            rows.map(\.issuedAt), rows.map(\.expiresAt), NullableArray(rows.map(\.revokedAt)),
        ]
    }

    static func keyArrays(_ keys: [String]) -> [any PostgresThrowingDynamicTypeEncodable] { [keys] }
}

/// A `devices` row: a device a user signed in from, loaded with the user's other devices.
struct DeviceRow: DirectoryRow {
    var deviceKey: String
    var sub: String
    var poolId: String
    var groupKey: String
    var sealedVerifier: String?
    var sealedName: String?
    var remembered = false
    var createdAt: Timestamp
    var updatedAt: Timestamp
    var lastAuthenticatedAt: Timestamp?
    /// The DEVICE_SRP_AUTH challenge issued for the device and not answered yet, and until when.
    var pendingChallenge: String?
    var pendingExpiresAt: Timestamp?

    static let table = "devices"
    static let columns = [
        DirectoryColumn("device_key"), DirectoryColumn("sub"), DirectoryColumn("pool_id"), DirectoryColumn("group_key"),
        DirectoryColumn("sealed_verifier"), DirectoryColumn("sealed_name"), DirectoryColumn("remembered", .boolean),
        DirectoryColumn("created_at", .timestamp), DirectoryColumn("updated_at", .timestamp),
        DirectoryColumn("last_authenticated_at", .timestamp), DirectoryColumn("pending_challenge"),
        DirectoryColumn("pending_expires_at", .timestamp),
    ]
    static let keyColumnCount = 1
    static var rows: ReferenceWritableKeyPath<DirectoryRows, TableRows<DeviceRow>> { \.devices }
    var key: String { deviceKey }
    var subject: String? { sub }

    init(deviceKey: String, sub: String, poolId: String, groupKey: String, createdAt: Timestamp) {
        self.deviceKey = deviceKey
        self.sub = sub
        self.poolId = poolId
        self.groupKey = groupKey
        self.createdAt = createdAt
        self.updatedAt = createdAt
    }

    init(cells: inout RowCells) throws {
        deviceKey = try cells.next()
        sub = try cells.next()
        poolId = try cells.next()
        groupKey = try cells.next()
        sealedVerifier = try cells.next()
        sealedName = try cells.next()
        remembered = try cells.next()
        createdAt = try cells.next()
        updatedAt = try cells.next()
        lastAuthenticatedAt = try cells.next()
        pendingChallenge = try cells.next()
        pendingExpiresAt = try cells.next()
    }

    static func columnArrays(_ rows: [DeviceRow]) -> [any PostgresThrowingDynamicTypeEncodable] {
        [
            rows.map(\.deviceKey), rows.map(\.sub), rows.map(\.poolId), rows.map(\.groupKey), NullableArray(rows.map(\.sealedVerifier)),
            NullableArray(rows.map(\.sealedName)), rows.map(\.remembered), rows.map(\.createdAt), rows.map(\.updatedAt),
            NullableArray(rows.map(\.lastAuthenticatedAt)), NullableArray(rows.map(\.pendingChallenge)),
            NullableArray(rows.map(\.pendingExpiresAt)),
        ]
    }

    static func keyArrays(_ keys: [String]) -> [any PostgresThrowingDynamicTypeEncodable] { [keys] }
}

/// A `webauthn_credentials` row: one passkey of a user, loaded with the user's others.
struct PasskeyRow: DirectoryRow {
    var credentialId: String
    var sub: String
    var poolId: String
    var publicKey: String
    var signCount: Int
    var relyingPartyId: String
    var sealedName: String?
    var attachment: String?
    var transports: [String]
    var createdAt: Timestamp
    var lastUsedAt: Timestamp?

    static let table = "webauthn_credentials"
    static let columns = [
        DirectoryColumn("credential_id"), DirectoryColumn("sub"), DirectoryColumn("pool_id"), DirectoryColumn("public_key"),
        DirectoryColumn("sign_count", .integer), DirectoryColumn("relying_party_id"), DirectoryColumn("sealed_name"),
        DirectoryColumn("attachment"), DirectoryColumn("transports", .jsonb), DirectoryColumn("created_at", .timestamp),
        DirectoryColumn("last_used_at", .timestamp),
    ]
    static let keyColumnCount = 1
    static var rows: ReferenceWritableKeyPath<DirectoryRows, TableRows<PasskeyRow>> { \.passkeys }
    var key: String { credentialId }
    var subject: String? { sub }

    init(
        credentialId: String, sub: String, poolId: String, publicKey: String, signCount: Int, relyingPartyId: String, sealedName: String?,
        attachment: String?, transports: [String], createdAt: Timestamp
    ) {
        self.credentialId = credentialId
        self.sub = sub
        self.poolId = poolId
        self.publicKey = publicKey
        self.signCount = signCount
        self.relyingPartyId = relyingPartyId
        self.sealedName = sealedName
        self.attachment = attachment
        self.transports = transports
        self.createdAt = createdAt
    }

    init(cells: inout RowCells) throws {
        credentialId = try cells.next()
        sub = try cells.next()
        poolId = try cells.next()
        publicKey = try cells.next()
        signCount = try cells.next()
        relyingPartyId = try cells.next()
        sealedName = try cells.next()
        attachment = try cells.next()
        transports = try JSONValue.parse(try cells.next(String.self)).decode([String].self)
        createdAt = try cells.next()
        lastUsedAt = try cells.next()
    }

    static func columnArrays(_ rows: [PasskeyRow]) -> [any PostgresThrowingDynamicTypeEncodable] {
        [
            rows.map(\.credentialId), rows.map(\.sub), rows.map(\.poolId), rows.map(\.publicKey), rows.map(\.signCount),
            rows.map(\.relyingPartyId), NullableArray(rows.map(\.sealedName)), NullableArray(rows.map(\.attachment)),
            rows.map { jsonText($0.transports) }, rows.map(\.createdAt), NullableArray(rows.map(\.lastUsedAt)),
        ]
    }

    static func keyArrays(_ keys: [String]) -> [any PostgresThrowingDynamicTypeEncodable] { [keys] }
}

/// A `used_sessions` row: a challenge session that was answered and may never be answered again.
struct UsedSessionRow: DirectoryRow {
    var sessionId: String
    var usedAt: Timestamp

    static let table = "used_sessions"
    static let columns = [DirectoryColumn("session_id"), DirectoryColumn("used_at", .timestamp)]
    static let keyColumnCount = 1
    static var rows: ReferenceWritableKeyPath<DirectoryRows, TableRows<UsedSessionRow>> { \.sessions }
    var key: String { sessionId }

    init(sessionId: String, usedAt: Timestamp) {
        self.sessionId = sessionId
        self.usedAt = usedAt
    }

    init(cells: inout RowCells) throws { self.init(sessionId: try cells.next(), usedAt: try cells.next()) }

    static func columnArrays(_ rows: [UsedSessionRow]) -> [any PostgresThrowingDynamicTypeEncodable] {
        [rows.map(\.sessionId), rows.map(\.usedAt)]
    }

    static func keyArrays(_ keys: [String]) -> [any PostgresThrowingDynamicTypeEncodable] { [keys] }
}

/// An `admin_keys` row.
struct AdminKeyRow: DirectoryRow {
    var accessKeyId: String
    var sealedSecret: String
    var description: String
    var createdAt: Timestamp
    var revokedAt: Timestamp?

    static let table = "admin_keys"
    static let columns = [
        DirectoryColumn("access_key_id"), DirectoryColumn("sealed_secret"), DirectoryColumn("description"),
        DirectoryColumn("created_at", .timestamp), DirectoryColumn("revoked_at", .timestamp),
    ]
    static let keyColumnCount = 1
    static var rows: ReferenceWritableKeyPath<DirectoryRows, TableRows<AdminKeyRow>> { \.adminKeys }
    var key: String { accessKeyId }

    init(accessKeyId: String, sealedSecret: String, description: String, createdAt: Timestamp, revokedAt: Timestamp?) {
        self.accessKeyId = accessKeyId
        self.sealedSecret = sealedSecret
        self.description = description
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    init(cells: inout RowCells) throws {
        self.init(
            accessKeyId: try cells.next(), sealedSecret: try cells.next(), description: try cells.next(), createdAt: try cells.next(),
            revokedAt: try cells.next())
    }

    static func columnArrays(_ rows: [AdminKeyRow]) -> [any PostgresThrowingDynamicTypeEncodable] {
        [rows.map(\.accessKeyId), rows.map(\.sealedSecret), rows.map(\.description), rows.map(\.createdAt), NullableArray(rows.map(\.revokedAt))]
    }

    static func keyArrays(_ keys: [String]) -> [any PostgresThrowingDynamicTypeEncodable] { [keys] }
}

/// A `sign_in_aliases` row: a name besides the username that signs its user in, unique per pool.
struct AliasRow: DirectoryRow {
    /// An alias's key: its pool and normalised name.
    struct Key: Hashable, Sendable {
        var poolId: String
        var aliasKey: String
    }

    var poolId: String
    var aliasKey: String
    var sub: String
    var attribute: String

    static let table = "sign_in_aliases"
    static let columns = [DirectoryColumn("pool_id"), DirectoryColumn("alias_key"), DirectoryColumn("sub"), DirectoryColumn("attribute")]
    static let keyColumnCount = 2
    static var rows: ReferenceWritableKeyPath<DirectoryRows, TableRows<AliasRow>> { \.aliases }
    var key: Key { Key(poolId: poolId, aliasKey: aliasKey) }
    var subject: String? { sub }

    init(poolId: String, aliasKey: String, sub: String, attribute: String) {
        self.poolId = poolId
        self.aliasKey = aliasKey
        self.sub = sub
        self.attribute = attribute
    }

    init(cells: inout RowCells) throws {
        self.init(poolId: try cells.next(), aliasKey: try cells.next(), sub: try cells.next(), attribute: try cells.next())
    }

    static func columnArrays(_ rows: [AliasRow]) -> [any PostgresThrowingDynamicTypeEncodable] {
        [rows.map(\.poolId), rows.map(\.aliasKey), rows.map(\.sub), rows.map(\.attribute)]
    }

    static func keyArrays(_ keys: [Key]) -> [any PostgresThrowingDynamicTypeEncodable] { [keys.map(\.poolId), keys.map(\.aliasKey)] }
}

/// JSON text with sorted keys, as the projection has always written jsonb columns.
func jsonText(_ value: some Encodable) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    // Dictionaries of strings and JSONValue trees always encode.
    return String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
}

/// The rows of one table that a batch knows, and what the batch changed in them.
///
/// A key is *known* when the batch loaded it (present or absent), when it belongs to a user whose rows
/// of this table were all loaded, or when a new stream cannot have any yet. Reading an unknown key is a
/// bug in a reducer's `needs` and throws; writing one is fine (the database decides: an INSERT of a
/// taken key fails as it always did).
struct TableRows<Row: DirectoryRow> {
    /// A key's state before the batch changed it.
    enum Prior {
        case present(Row)
        case absent
        case unknown
    }

    private(set) var present: [Row.Key: Row] = [:]
    private var absent: Set<Row.Key> = []
    private var loadedSubjects: Set<String> = []
    private var bySubject: [String: Set<Row.Key>] = [:]
    /// Each changed key's state before its first change since the last flush.
    private var changed: [Row.Key: Prior] = [:]

    var hasChanges: Bool { !changed.isEmpty }

    func state(_ key: Row.Key) -> Prior {
        if let row = present[key] { return .present(row) }
        if absent.contains(key) { return .absent }
        if let subject = Row.subject(of: key), loadedSubjects.contains(subject) { return .absent }
        return .unknown
    }

    func isKnown(_ key: Row.Key) -> Bool {
        if case .unknown = state(key) { return false }
        return true
    }

    func isLoaded(subject: String) -> Bool { loadedSubjects.contains(subject) }

    /// Records rows loaded by key: `keys` not among `rows` are absent.
    mutating func load(_ rows: [Row], keys: some Sequence<Row.Key>) {
        for row in rows { add(row) }
        for key in keys where present[key] == nil { absent.insert(key) }
    }

    /// Records every row of `subjects`.
    mutating func load(_ rows: [Row], subjects: some Sequence<String>) {
        loadedSubjects.formUnion(subjects)
        for row in rows { add(row) }
    }

    /// The row at `key`, nil when it is absent; throws when the batch did not load it.
    func value(_ key: Row.Key) throws -> Row? {
        switch state(key) {
        case .present(let row): return row
        case .absent: return nil
        case .unknown: throw StoreError.corrupt("directory projection read an unloaded \(Row.table) row")
        }
    }

    /// Every row of `subject`; throws when the batch did not load them.
    func rows(of subject: String) throws -> [Row] {
        guard loadedSubjects.contains(subject) else { throw StoreError.corrupt("directory projection read unloaded \(Row.table) rows") }
        return (bySubject[subject] ?? []).compactMap { present[$0] }
    }

    /// Adds a new row; a key known to be taken refuses it as the primary key would.
    mutating func insert(_ row: Row) throws {
        if present[row.key] != nil { throw StoreError.uniqueValueTaken(constraint: Row.primaryKeyConstraint) }
        remember(row.key)
        add(row)
    }

    /// Sets the row at a known key (adding or replacing it).
    mutating func put(_ row: Row) throws {
        guard isKnown(row.key) else { throw StoreError.corrupt("directory projection wrote an unloaded \(Row.table) row") }
        remember(row.key)
        add(row)
    }

    mutating func delete(_ key: Row.Key) {
        remember(key)
        remove(key)
    }

    /// Drops the matching rows without recording a change: a set-based statement already removed them.
    mutating func forget(where matches: (Row) -> Bool) {
        for key in present.compactMap({ matches($0.value) ? $0.key : nil }) { remove(key) }
    }

    /// What changed since the last call: rows to insert, rows that changed in place, keys to delete.
    mutating func takeChanges() -> (inserts: [Row], updates: [Row], deletes: [Row.Key]) {
        var inserts: [Row] = [], updates: [Row] = [], deletes: [Row.Key] = []
        for (key, prior) in changed {
            switch (prior, present[key]) {
            case (.present(let before), let after?): if after != before { updates.append(after) }
            case (.present, nil), (.unknown, nil): deletes.append(key)
            case (.absent, let after?), (.unknown, let after?): inserts.append(after)
            case (.absent, nil): break
            }
        }
        changed = [:]
        return (inserts, updates, deletes)
    }

    mutating func discardChanges() { changed = [:] }

    private mutating func remember(_ key: Row.Key) {
        if changed[key] == nil { changed[key] = state(key) }
    }

    private mutating func add(_ row: Row) {
        let key = row.key
        present[key] = row
        absent.remove(key)
        if let subject = row.subject { bySubject[subject, default: []].insert(key) }
    }

    private mutating func remove(_ key: Row.Key) {
        if let row = present.removeValue(forKey: key), let subject = row.subject { bySubject[subject]?.remove(key) }
        absent.insert(key)
    }
}

/// The working set of one batch: the directory rows its events read and write, and the data keys they open.
final class DirectoryRows {
    var pools = TableRows<PoolRow>()
    var clients = TableRows<ClientRow>()
    var users = TableRows<UserRow>()
    var codes = TableRows<CodeRow>()
    var tokens = TableRows<RefreshTokenRow>()
    var devices = TableRows<DeviceRow>()
    var passkeys = TableRows<PasskeyRow>()
    var sessions = TableRows<UsedSessionRow>()
    var adminKeys = TableRows<AdminKeyRow>()
    var aliases = TableRows<AliasRow>()
    var identityPools = TableRows<IdentityPoolRow>()
    var identities = TableRows<IdentityRow>()
    var identityLogins = TableRows<IdentityLoginRow>()
    var iamRoles = TableRows<IAMRoleRow>()
    var iamPolicies = TableRows<IAMPolicyRow>()
    var iamOpenIDConnectProviders = TableRows<IAMOpenIDConnectProviderRow>()
    var iamSAMLProviders = TableRows<IAMSAMLProviderRow>()
    var groups = TableRows<GroupRow>()
    var groupMembers = TableRows<GroupMemberRow>()
    /// Refresh tokens by `origin_jti`, for the ones loaded or written.
    var tokenByOrigin: [String: String] = [:]
    /// Origins loaded and found to have no token.
    var missingOrigins: Set<String> = []
    /// Wrapped data keys by subject, nil once destroyed (the user was shredded).
    var dataKeys: [String: [UInt8]?] = [:]
    /// `users.version` for users whose row the batch did not load: one UPDATE writes them.
    var versions: [String: Int] = [:]

    /// Records that a stream starts in this batch: it can have no rows yet.
    func markNew(stream: String, entity: String) {
        switch stream.prefix(while: { $0 != "-" }) {
        case "user":
            users.load([], keys: [entity])
            codes.load([], subjects: [entity])
            aliases.load([], subjects: [entity])
            tokens.load([], subjects: [entity])
            devices.load([], subjects: [entity])
            passkeys.load([], subjects: [entity])
            groupMembers.load([], subjects: [entity])
        case "userpool": pools.load([], keys: [entity])
        case "client": clients.load([], keys: [entity])
        case "adminkey": adminKeys.load([], keys: [entity])
        case "identitypool": identityPools.load([], keys: [entity])
        case "iamrole": iamRoles.load([], keys: [entity])
        case "iampolicy": iamPolicies.load([], keys: [entity])
        case "iamoidc": iamOpenIDConnectProviders.load([], keys: [entity])
        case "iamsaml": iamSAMLProviders.load([], keys: [entity])
        case "identity":
            identities.load([], keys: [entity])
            identityLogins.load([], subjects: [entity])
        default: break
        }
    }

    func indexTokens(_ rows: [RefreshTokenRow]) {
        for row in rows { tokenByOrigin[row.originJti] = row.tokenHash }
    }

    /// The refresh token issued with `originJti`; throws when the batch did not load it.
    func token(originJti: String) throws -> RefreshTokenRow? {
        if let hash = tokenByOrigin[originJti] { return try tokens.value(hash) }
        if missingOrigins.contains(originJti) { return nil }
        throw StoreError.corrupt("directory projection read an unloaded refresh token")
    }

    func apply(_ change: DirectoryChange) throws {
        switch change {
        case .insert(let row): try insert(row)
        case .put(let row): try put(row)
        case .delete(let key): delete(key)
        case .deletePool(let pool):
            // The statements ran (DirectoryProjector.flush); drop what the batch knew of the pool.
            let subs = Set(users.present.values.filter { $0.poolId == pool }.map(\.sub))
            codes.forget { subs.contains($0.sub) }
            tokens.forget { $0.poolId == pool }
            devices.forget { $0.poolId == pool }
            passkeys.forget { $0.poolId == pool }
            aliases.forget { $0.poolId == pool }
            groupMembers.forget { $0.poolId == pool }
            groups.forget { $0.poolId == pool }
            users.forget { $0.poolId == pool }
            clients.forget { $0.poolId == pool }
            pools.forget { $0.poolId == pool }
        case .deleteGroupMembers(let pool, let name):
            groupMembers.forget { $0.poolId == pool && $0.groupName == name }
        case .deleteIdentitiesOfPool(let pool):
            identityLogins.forget { $0.identityPoolId == pool }
            identities.forget { $0.identityPoolId == pool }
        }
    }

    private func insert<Row: DirectoryRow>(_ row: Row) throws {
        try self[keyPath: Row.rows].insert(row)
        if let token = row as? RefreshTokenRow { indexTokens([token]) }
    }

    private func put<Row: DirectoryRow>(_ row: Row) throws {
        try self[keyPath: Row.rows].put(row)
        if let token = row as? RefreshTokenRow { indexTokens([token]) }
    }

    private func delete<Key: DirectoryRowKey>(_ key: Key) { self[keyPath: Key.Row.rows].delete(key.rowKey) }
}

/// What a reducer does to the directory: row changes, applied in order before the next event.
enum DirectoryChange: Sendable {
    /// A new row; a key already taken refuses it (`<table>_pkey`), in memory or in the database.
    case insert(any DirectoryRow)
    /// The new state of a row the batch loaded (or knows to be absent).
    case put(any DirectoryRow)
    /// Removes a row, loaded or not.
    case delete(any DirectoryRowKey)
    /// Removes a pool with its clients, groups, users and their codes, tokens and aliases: set-based statements,
    /// since a pool may hold more users than a batch should load.
    case deletePool(String)
    /// Removes a group's memberships: one set-based statement, since a group may hold more members than a
    /// batch should load.
    case deleteGroupMembers(pool: String, name: String)
    /// Removes an identity pool's identities and their logins: set-based statements, as for a user pool.
    case deleteIdentitiesOfPool(String)
}

/// A row key that names its table, so `DirectoryChange.delete` can carry it.
protocol DirectoryRowKey: Sendable {
    associatedtype Row: DirectoryRow
    var rowKey: Row.Key { get }
}

/// The key of a row of `Row`'s table.
struct KeyOf<Row: DirectoryRow>: DirectoryRowKey {
    var rowKey: Row.Key
    init(_ key: Row.Key) { rowKey = key }
}

/// What a reducer reads besides its event: the executor loads all of a batch's needs before reducing.
enum DirectoryNeed: Hashable, Sendable {
    case user(String)
    /// Every code of the user (with the user row).
    case codes(String)
    /// Every sign-in alias of the user.
    case aliases(String)
    /// Every refresh token of the user.
    case tokens(String)
    /// Every tracked device of the user.
    case devices(String)
    /// Every passkey of the user.
    case passkeys(String)
    case token(originJti: String)
    case pool(String)
    case client(String)
    case adminKey(String)
    case identityPool(String)
    case identity(String)
    case iamRole(String)
    case iamPolicy(String)
    case iamOpenIDConnectProvider(String)
    case iamSAMLProvider(String)
    case group(pool: String, name: String)
    /// Every group membership of the user.
    case groupMemberships(String)
    /// Every login of the identity.
    case identityLogins(String)
    /// The data key that opens the subject's sealed profile.
    case dataKey(String)
    /// The sign-in name settings of a pool.
    case signInSettings(pool: String)
    /// The sign-in name settings of the user's pool (known once the user row is loaded).
    case signInSettingsOfUser(String)
}
