import PostgresNIO

/// What went wrong in the event store, in terms the command layer can act on.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another command appended to the stream first: reload and decide again.
    case wrongExpectedVersion(stream: String)
    /// A uniqueness constraint of a projection refused the command (e.g. a taken username).
    case uniqueValueTaken(constraint: String)
    /// The database could not be reached or failed unexpectedly.
    case unavailable(String)
    /// A stored row could not be read back (corrupt or from an unknown schema version).
    case corrupt(String)
    /// An event's personal data could not be sealed: its subject has no data key (any more), or the
    /// batch gave none for a stream that holds no subject.
    case unsealable(stream: String)

    public var description: String {
        switch self {
        case .wrongExpectedVersion(let stream): "wrong expected version on \(stream)"
        case .uniqueValueTaken(let constraint): "unique value taken (\(constraint))"
        case .unavailable: "event store unavailable"
        case .corrupt(let detail): "corrupt stored data: \(detail)"
        case .unsealable(let stream): "personal data of \(stream) could not be sealed"
        }
    }

    /// Maps a database error by SQLSTATE and constraint name; the one place that does so.
    static func from(_ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        guard let psql = error as? PSQLError, let info = psql.serverInfo else {
            // `description`, not `debugDescription`: PSQLError's debug text can carry query binds.
            return .unavailable(String(describing: error))
        }
        let constraint = info[.constraintName] ?? ""
        switch info[.sqlState] {
        case "23505" where constraint == "events_stream_version_unique":
            return .wrongExpectedVersion(stream: "")
        case "40001" where constraint == "events_stream_version_gap":
            return .wrongExpectedVersion(stream: "")
        case "23505":
            return .uniqueValueTaken(constraint: constraint)
        default:
            return .unavailable("\(info[.sqlState] ?? "?"): \(info[.message] ?? "")")
        }
    }
}
