import Foundation
import PosternCore
import PostgresNIO

/// An `iam_saml_providers` row: the provider's write model as JSON (the fold of its stream, version included).
struct IAMSAMLProviderRow: DirectoryRow {
    var providerKey: String
    var provider: String
    var createdAt: Timestamp

    static let table = "iam_saml_providers"
    static let columns = [DirectoryColumn("provider_key"), DirectoryColumn("provider", .jsonb), DirectoryColumn("created_at", .timestamp)]
    static let keyColumnCount = 1
    static var rows: ReferenceWritableKeyPath<DirectoryRows, TableRows<IAMSAMLProviderRow>> { \.iamSAMLProviders }
    var key: String { providerKey }

    init(providerKey: String, provider: String, createdAt: Timestamp) {
        self.providerKey = providerKey
        self.provider = provider
        self.createdAt = createdAt
    }

    init(cells: inout RowCells) throws {
        self.init(providerKey: try cells.next(), provider: try cells.next(), createdAt: try cells.next())
    }

    static func columnArrays(_ rows: [IAMSAMLProviderRow]) -> [any PostgresThrowingDynamicTypeEncodable] {
        [rows.map(\.providerKey), rows.map(\.provider), rows.map(\.createdAt)]
    }

    static func keyArrays(_ keys: [String]) -> [any PostgresThrowingDynamicTypeEncodable] { [keys] }

    /// The write model as the row holds it. Its dates (whole seconds) are epoch seconds, as `JSONValue.decode`
    /// reads them back; `jsonText` would write Foundation's reference-date seconds.
    static func json(_ provider: IAMSAMLProvider) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .secondsSince1970
        return String(decoding: (try? encoder.encode(provider)) ?? Data("null".utf8), as: UTF8.self)
    }
}

extension DirectoryProjector {
    /// The reducers of IAM SAML provider streams: each folds the event into the row's write model
    /// (`IAMSAMLProvider.evolve`).
    static let iamSAMLProviderReducers: [String: DirectoryReducer] = [
        IAMSAMLProviderCreated.eventType: .on(IAMSAMLProviderCreated.self) { created, event, _ in
            guard var provider = IAMSAMLProvider.evolve(nil, with: created) else { return [] }
            // A provider deleted and created again continues its stream: the next write expects the stream's version.
            provider.version = event.streamVersion
            return [
                .insert(
                    IAMSAMLProviderRow(
                        providerKey: created.name.lowercased(), provider: IAMSAMLProviderRow.json(provider), createdAt: Timestamp(event.recordedAt)))
            ]
        },
        IAMSAMLProviderMetadataUpdated.eventType: samlProviderChange(IAMSAMLProviderMetadataUpdated.self) { $0.name },
        IAMSAMLProviderAssertionEncryptionModeSet.eventType: samlProviderChange(IAMSAMLProviderAssertionEncryptionModeSet.self) { $0.name },
        IAMSAMLProviderPrivateKeyAdded.eventType: samlProviderChange(IAMSAMLProviderPrivateKeyAdded.self) { $0.name },
        IAMSAMLProviderPrivateKeyRemoved.eventType: samlProviderChange(IAMSAMLProviderPrivateKeyRemoved.self) { $0.name },
        IAMSAMLProviderTagged.eventType: samlProviderChange(IAMSAMLProviderTagged.self) { $0.name },
        IAMSAMLProviderUntagged.eventType: samlProviderChange(IAMSAMLProviderUntagged.self) { $0.name },
        IAMSAMLProviderDeleted.eventType: .on(IAMSAMLProviderDeleted.self) { deleted, _, _ in
            [.delete(KeyOf<IAMSAMLProviderRow>(deleted.name.lowercased()))]
        },
    ]

    static func samlProviderChange<Payload: EventPayload>(_: Payload.Type, _ name: @escaping @Sendable (Payload) -> String) -> DirectoryReducer {
        .on(Payload.self, needs: { payload, _ in [.iamSAMLProvider(name(payload).lowercased())] }) { payload, event, context in
            guard var row = try context.rows.iamSAMLProviders.value(name(payload).lowercased()) else { return [] }
            let provider = try JSONValue.parse(row.provider).decode(IAMSAMLProvider.self)
            guard var next = IAMSAMLProvider.evolve(provider, with: payload) else { return [] }
            next.version = event.streamVersion
            row.provider = IAMSAMLProviderRow.json(next)
            return [.put(row)]
        }
    }
}
