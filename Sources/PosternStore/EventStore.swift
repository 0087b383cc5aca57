import Crypto
import Foundation
import Logging
import PosternCore
import PostgresNIO
import Synchronization

/// An event as stored: its global position, writer transaction and place in its stream.
public struct RecordedEvent: Sendable, Equatable {
    public var position: Int64
    public var transactionID: UInt64
    public var streamID: String
    public var streamVersion: Int
    public var type: String
    public var schemaVersion: Int
    public var data: JSONValue
    public var metadata: JSONValue
    public var recordedAt: Date
    public var hash: String

    /// Decodes the payload as `T`, checking the persisted type name.
    public func payload<T: EventPayload>(as type: T.Type) throws -> T {
        guard self.type == T.eventType else { throw StoreError.corrupt("expected \(T.eventType), found \(self.type)") }
        return try data.decode(T.self)
    }

    /// The id part of the stream (`user-<sub>` → `<sub>`).
    public var streamEntityID: String {
        guard let dash = streamID.firstIndex(of: "-") else { return streamID }
        return String(streamID[streamID.index(after: dash)...])
    }
}

/// What an append expects of the stream it writes to (optimistic concurrency).
public enum ExpectedVersion: Sendable, Equatable {
    case noStream
    case exact(Int)
    case any
}

/// Everything one command commits: events on one or more streams, plus the data keys it creates or
/// destroys. It all commits in one transaction together with the inline projections, or not at all.
public struct AppendBatch: Sendable {
    public struct StreamAppend: Sendable {
        public var stream: String
        public var expected: ExpectedVersion
        public var events: [NewEvent]
        /// The key that seals the events' personal data; nil lets the store find the subject's key
        /// (one more round trip, and only when an event holds a plaintext `Sealed` value).
        public var sealingKey: SealingKey?

        public init(stream: String, expected: ExpectedVersion, events: [NewEvent], sealingKey: SealingKey? = nil) {
            self.stream = stream
            self.expected = expected
            self.events = events
            self.sealingKey = sealingKey
        }
    }

    /// The data key of the subject a stream belongs to (`Stream.subject(of:)`).
    public enum SealingKey: Sendable {
        /// The subject's key, wrapped under the master key, as the directory loaded it with the subject.
        case wrapped([UInt8])
        /// The batch brings the subject into being: the store makes its key, stores it with the events and
        /// seals with it.
        case new
    }

    public var appends: [StreamAppend] = []
    public var dataKeysToCreate: [(subject: String, wrappedKey: [UInt8])] = []
    public var dataKeysToDestroy: [String] = []

    public init() {}

    public init(stream: String, expected: ExpectedVersion, events: [NewEvent], sealingKey: SealingKey? = nil) {
        appends = [StreamAppend(stream: stream, expected: expected, events: events, sealingKey: sealingKey)]
    }

    public mutating func append(stream: String, expected: ExpectedVersion, events: [NewEvent], sealingKey: SealingKey? = nil) {
        appends.append(StreamAppend(stream: stream, expected: expected, events: events, sealingKey: sealingKey))
    }
}

/// Applies events to projection tables inside the append transaction (and during a rebuild).
public protocol InlineProjector: Sendable {
    /// Applies `events`, in position order, as one unit: a projector may fold what several events of one
    /// batch do to the same row into one statement.
    func apply(_ events: [RecordedEvent], context: ProjectionContext, on connection: PostgresConnection, logger: Logger) async throws
}

/// Makes subjects' data keys and seals with them; the server's master key wraps every key, so the store
/// only ever holds wrapped ones (implemented by the crypto layer).
public protocol SubjectKeyring: SubjectDataOpener {
    /// A fresh data key for a new subject, wrapped under the master key.
    func newWrappedKey() throws -> [UInt8]
    /// A sealer with the key `wrappedKey` wraps.
    func sealer(wrappedKey: [UInt8]) throws -> any PersonalDataSealer
}

/// What a projector may know about the batch it applies besides its events.
public struct ProjectionContext: Sendable {
    /// Data keys created by this batch's command (subject → wrapped key), so a projector need not read
    /// back what the same transaction just wrote.
    public var newDataKeys: [String: [UInt8]]
    /// The batch replays the log during `projections rebuild`, which holds the rebuild lock alone: a
    /// projector may replace rows rather than update them in place, and need not lock what it reads.
    public var replaying: Bool

    public init(newDataKeys: [String: [UInt8]] = [:], replaying: Bool = false) {
        self.newDataKeys = newDataKeys
        self.replaying = replaying
    }
}

/// Thrown by `DeferredSealer`: the stream's key must be fetched before its events can be written.
struct SealingKeyNeeded: Error {}

/// The sealer of a stream whose key the caller did not give: throws `SealingKeyNeeded` on first use, so
/// the store fetches the key only for events that hold personal data.
struct DeferredSealer: PersonalDataSealer {
    func seal(personalData plaintext: [UInt8]) throws -> String { throw SealingKeyNeeded() }
}

/// Told of the streams an append committed to (and those of them it began), or may have: read caches drop
/// what they hold of them before the append returns, so this server never reads its own writes stale.
public typealias StreamObserver = @Sendable (_ streams: [String], _ began: [String]) -> Void

/// The PostgreSQL event store: append with inline projections, read, and follow the log.
public final class EventStore: Sendable {
    public let client: PostgresClient
    let projector: any InlineProjector
    /// Seals events' personal data; without one, an event holding a plaintext `Sealed` value is refused.
    let keyring: (any SubjectKeyring)?
    let chainKey: SymmetricKey
    let logger: Logger
    /// Told which streams an append touched, before it returns (`StreamObserver`).
    let observer: StreamObserver?
    /// Whether a coalesced notification is about to be sent (`notifySubscribers`).
    private let notificationPending = Mutex(false)

    /// Appenders hold this advisory lock shared; a projection rebuild holds it exclusively.
    static let rebuildLockKey: Int64 = 0x706f_7374_6572_6e02
    public static let notificationChannel = "postern_events"

    /// `chainKey` keys the hash chain and the checkpoints (`MasterKey.chainKey`); it must never be stored
    /// in the database.
    public init(
        client: PostgresClient, projector: any InlineProjector, keyring: (any SubjectKeyring)? = nil, chainKey: SymmetricKey,
        observer: StreamObserver? = nil, logger: Logger
    ) {
        self.observer = observer
        self.client = client
        self.projector = projector
        self.keyring = keyring
        self.chainKey = chainKey
        self.logger = logger
    }

    static let columns = """
        position, transaction_id::text, stream_id, stream_version, event_type, schema_version, data::text, metadata::text, \
        recorded_at, encode(hash, 'hex')
        """

    /// Appends a command's events and applies the inline projections in one transaction.
    ///
    /// Each event gets a keyed hash (`ChainHash`) over its predecessor's hash and its columns as the
    /// database stores them; the first round trip fetches what that needs (the canonical jsonb text, the
    /// time, the predecessors' hashes) together with the rebuild lock, so the keyed chain costs no extra
    /// round trip. Throws `.wrongExpectedVersion` when a stream moved on, `.uniqueValueTaken` when a
    /// projection's unique constraint refuses the result.
    @discardableResult
    public func append(_ batch: AppendBatch, metadata: EventMetadata) async throws(StoreError) -> [RecordedEvent] {
        var batch = batch
        let metadataJSON: String
        // Every event's data as JSON text, personal data sealed; nil for a stream whose key is not at hand yet.
        var eventTexts: [[String]?]
        do {
            metadataJSON = String(decoding: try JSONEncoder().encode(metadata), as: UTF8.self)
            try createSubjectKeys(&batch)
            eventTexts = try batch.appends.map { append in
                try encode(append, sealer: try append.sealingKey.map { key in try sealer(key, stream: append.stream) } ?? DeferredSealer())
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw .corrupt("event not encodable")
        }
        // The predecessors to look up: streams appended at an exact version after their first event.
        let lookups = batch.appends.compactMap { append -> (String, Int)? in
            if case .exact(let version) = append.expected, version > 0 { return (append.stream, version) }
            return nil
        }
        let recorded: [RecordedEvent]
        do {
            recorded = try await client.withConnection { connection in
                try await connection.transaction(logger: logger) { connection in
                    try await encodeWithStoredKeys(batch, &eventTexts, connection)
                    let texts = [metadataJSON] + eventTexts.flatMap { $0 ?? [] }
                    // One round trip: the projections' schema, the rebuild lock (shared), the time, jsonb's
                    // canonical text of every payload and the predecessors' hashes.
                    var canonical: [String] = []
                    var predecessors: [String: [UInt8]] = [:]
                    var recordedAt = ""
                    let prelude = AppendPrelude(texts: texts, lookupStreams: lookups.map(\.0), lookupVersions: lookups.map(\.1))
                    for try await row in try await connection.execute(prelude, logger: logger) {
                        recordedAt = row.recordedAt
                        canonical = row.canonical
                        for (lookup, hash) in zip(lookups, row.predecessorHashes) {
                            if let bytes = [UInt8](hex: hash), !bytes.isEmpty { predecessors["\(lookup.1)/\(lookup.0)"] = bytes }
                        }
                    }
                    guard canonical.count == texts.count else { throw StoreError.corrupt("payloads not canonicalised") }
                    let metadataText = canonical[0]
                    var next = 1
                    // Every event's row, hash-chained in order; then one INSERT for all of them.
                    var streams: [String] = [], versions: [Int] = [], types: [String] = [], schemas: [Int] = []
                    var payloads: [String] = [], previousHashes: [String] = [], hashes: [String] = []
                    for append in batch.appends {
                        var (version, previous) = try await start(append.stream, append.expected, connection)
                        if version > 0, previous == nil {
                            // No predecessor at that version (neither in the log nor in this batch): the stream is not there yet.
                            guard let hash = predecessors["\(version)/\(append.stream)"] else {
                                throw StoreError.wrongExpectedVersion(stream: append.stream)
                            }
                            previous = hash
                        }
                        for event in append.events {
                            let data = canonical[next]
                            next += 1
                            version += 1
                            let hash = ChainHash(key: chainKey).event(
                                previous: previous, stream: append.stream, version: version, type: event.type,
                                schemaVersion: event.schemaVersion, data: data, metadata: metadataText, recordedAt: recordedAt)
                            streams.append(append.stream)
                            versions.append(version)
                            types.append(event.type)
                            schemas.append(event.schemaVersion)
                            payloads.append(data)
                            previousHashes.append(previous.map(\.hex) ?? "")
                            hashes.append(hash.hex)
                            previous = hash
                            predecessors["\(version)/\(append.stream)"] = hash
                        }
                    }
                    var recorded: [RecordedEvent] = []
                    if !streams.isEmpty || !batch.dataKeysToCreate.isEmpty {
                        let insert = InsertEvents(
                            keySubjects: batch.dataKeysToCreate.map(\.subject), wrappedKeys: batch.dataKeysToCreate.map(\.wrappedKey.hex),
                            metadata: metadataText, recordedAt: recordedAt, streams: streams, versions: versions, types: types,
                            schemaVersions: schemas.map { Int32($0) }, payloads: payloads, previousHashes: previousHashes, hashes: hashes)
                        // The database assigns positions and the writer transaction; the rest is what was sent,
                        // so nothing is read back and parsed twice.
                        var assigned: [String: (position: Int64, transactionID: UInt64, recordedAt: Date)] = [:]
                        for try await row in try await connection.execute(insert, logger: logger) {
                            assigned["\(row.version)/\(row.stream)"] = (row.position, row.transactionID, row.recordedAt)
                        }
                        let metadataValue = try JSONValue.parse(metadataText)
                        for index in streams.indices {
                            guard let given = assigned["\(versions[index])/\(streams[index])"] else { throw StoreError.corrupt("event not recorded") }
                            recorded.append(
                                RecordedEvent(
                                    position: given.position, transactionID: given.transactionID, streamID: streams[index],
                                    streamVersion: versions[index], type: types[index], schemaVersion: schemas[index],
                                    data: try JSONValue.parse(payloads[index]), metadata: metadataValue, recordedAt: given.recordedAt,
                                    hash: hashes[index]))
                        }
                        recorded.sort { $0.position < $1.position }
                    }
                    let context = ProjectionContext(
                        newDataKeys: Dictionary(batch.dataKeysToCreate.map { ($0.subject, $0.wrappedKey) }, uniquingKeysWith: { _, last in last }))
                    try await projector.apply(recorded, context: context, on: connection, logger: logger)
                    for subject in batch.dataKeysToDestroy {
                        _ = try await connection.query("DELETE FROM eventlog.data_keys WHERE subject = \(subject)", logger: logger)
                    }
                    return recorded
                }
            }
        } catch {
            // A conflict means a stream moved on; any other failure may have come after COMMIT reached the
            // server. Either way, what a cache holds of these streams may be old.
            observer?(batch.appends.map(\.stream), [])
            let mapped = StoreError.from(error)
            if case .wrongExpectedVersion = mapped { throw .wrongExpectedVersion(stream: batch.appends.map(\.stream).joined(separator: ",")) }
            throw mapped
        }
        observer?(batch.appends.map(\.stream), recorded.filter { $0.streamVersion == 1 }.map(\.streamID))
        notifySubscribers()
        return recorded
    }

    /// Gives every stream the batch creates (`SealingKey.new`) a fresh data key, stored with the events.
    private func createSubjectKeys(_ batch: inout AppendBatch) throws {
        for index in batch.appends.indices {
            guard case .new = batch.appends[index].sealingKey else { continue }
            let stream = batch.appends[index].stream
            guard let keyring, let subject = Stream.subject(of: stream) else { throw StoreError.unsealable(stream: stream) }
            let wrapped = try keyring.newWrappedKey()
            batch.dataKeysToCreate.append((subject, wrapped))
            batch.appends[index].sealingKey = .wrapped(wrapped)
        }
    }

    private func sealer(_ key: AppendBatch.SealingKey, stream: String) throws -> any PersonalDataSealer {
        guard let keyring, case .wrapped(let wrapped) = key else { throw StoreError.unsealable(stream: stream) }
        do { return try keyring.sealer(wrappedKey: wrapped) } catch { throw StoreError.unsealable(stream: stream) }
    }

    /// The stored texts of one stream's events, or nil when an event needs the subject's key and
    /// `sealer` is the `DeferredSealer`.
    private func encode(_ append: AppendBatch.StreamAppend, sealer: any PersonalDataSealer) throws -> [String]? {
        do {
            return try append.events.map { try $0.storedText(sealer: sealer) }
        } catch is SealingKeyNeeded {
            return nil
        }
    }

    /// Encodes the streams whose subject key the caller did not give, with the keys in `eventlog.data_keys`
    /// (one round trip, inside the append's transaction, only when some stream needs it).
    private func encodeWithStoredKeys(_ batch: AppendBatch, _ texts: inout [[String]?], _ connection: PostgresConnection) async throws {
        let missing = texts.indices.filter { texts[$0] == nil }
        guard !missing.isEmpty else { return }
        var subjects: [String] = []
        for index in missing {
            guard let subject = Stream.subject(of: batch.appends[index].stream) else {
                throw StoreError.unsealable(stream: batch.appends[index].stream)
            }
            subjects.append(subject)
        }
        var keys: [String: [UInt8]] = Dictionary(batch.dataKeysToCreate.map { ($0.subject, $0.wrappedKey) }, uniquingKeysWith: { _, last in last })
        for try await (subject, wrapped) in try await connection.query(
            "SELECT subject, wrapped_key FROM eventlog.data_keys WHERE subject = ANY(\(subjects)::text[])", logger: logger
        ).decode((String, Data).self) {
            keys[subject] = [UInt8](wrapped)
        }
        for (index, subject) in zip(missing, subjects) {
            let append = batch.appends[index]
            guard let wrapped = keys[subject] else { throw StoreError.unsealable(stream: append.stream) }
            guard let encoded = try encode(append, sealer: try sealer(.wrapped(wrapped), stream: append.stream)) else {
                throw StoreError.unsealable(stream: append.stream)
            }
            texts[index] = encoded
        }
    }

    /// The version a stream append starts from and, when the store had to read it, the hash of that event.
    private func start(_ stream: String, _ expected: ExpectedVersion, _ connection: PostgresConnection) async throws -> (Int, [UInt8]?) {
        switch expected {
        case .noStream: return (0, nil)
        case .exact(let version): return (version, nil)
        case .any:
            let rows = try await connection.query(
                "SELECT stream_version, encode(hash, 'hex') FROM eventlog.events WHERE stream_id = \(stream) ORDER BY stream_version DESC LIMIT 1",
                logger: logger)
            for try await (version, hash) in rows.decode((Int, String).self) { return (version, [UInt8](hex: hash)) }
            return (0, nil)
        }
    }

    /// Wakes subscribers. Sent after COMMIT, outside the append transaction, so a slow listener never
    /// holds an append; subscribers also poll, so a lost notification only delays them.
    ///
    /// Coalesced: the append does not wait for it, and the appends of the next millisecond share one
    /// notification (one statement instead of one per append under load).
    private func notifySubscribers() {
        let first = notificationPending.withLock { pending in
            defer { pending = true }
            return !pending
        }
        guard first else { return }
        Task {
            try? await Task.sleep(for: .milliseconds(1))
            notificationPending.withLock { $0 = false }
            try? await client.query("SELECT pg_notify(\(Self.notificationChannel), '')", logger: logger).drain()
        }
    }

    /// The events of one stream in version order.
    public func readStream(_ stream: String) async throws(StoreError) -> [RecordedEvent] {
        try await fetch("SELECT \(unescaped: Self.columns) FROM eventlog.events WHERE stream_id = \(stream) ORDER BY stream_version")
    }

    /// Events in global order, optionally filtered, for auditors (`postern events`).
    public func read(after position: Int64 = 0, stream: String? = nil, type: String? = nil, limit: Int = 1000) async throws(StoreError)
        -> [RecordedEvent]
    {
        try await fetch(
            """
            SELECT \(unescaped: Self.columns) FROM eventlog.events
            WHERE position > \(position) AND (\(stream)::text IS NULL OR stream_id = \(stream))
              AND (\(type)::text IS NULL OR event_type = \(type))
            ORDER BY position LIMIT \(limit)
            """)
    }

    func fetch(_ query: PostgresQuery) async throws(StoreError) -> [RecordedEvent] {
        do {
            var events: [RecordedEvent] = []
            for try await row in try await client.query(query, logger: logger) { events.append(try Self.decode(row)) }
            return events
        } catch {
            throw StoreError.from(error)
        }
    }

    static func decode(_ row: PostgresRow) throws -> RecordedEvent {
        let (position, xid, stream, version, type, schema, data, metadata, recordedAt, hash) = try row.decode(
            (Int64, String, String, Int, String, Int, String, String, Date, String).self)
        return RecordedEvent(
            position: position, transactionID: UInt64(xid) ?? 0, streamID: stream, streamVersion: version, type: type,
            schemaVersion: schema, data: try JSONValue.parse(data),
            metadata: try JSONValue.parse(metadata), recordedAt: recordedAt, hash: hash)
    }
}

extension EventStore {
    /// The current version of a stream (0 when it has no events).
    public func version(of stream: String) async throws(StoreError) -> Int {
        do {
            for try await version in try await client.query(
                "SELECT coalesce(max(stream_version), 0) FROM eventlog.events WHERE stream_id = \(stream)", logger: logger
            ).decode(Int.self) {
                return version
            }
            return 0
        } catch {
            throw StoreError.from(error)
        }
    }
}
