import Foundation
import PosternCore
import PostgresNIO

/// An `iam_oidc_providers` row: the provider's write model as JSON (the fold of its stream, version included).
struct IAMOpenIDConnectProviderRow: DirectoryRow {
    var providerKey: String
    var provider: String
    var createdAt: Timestamp

    static let table = "iam_oidc_providers"
    static let columns = [DirectoryColumn("provider_key"), DirectoryColumn("provider", .jsonb), DirectoryColumn("created_at", .timestamp)]
    static let keyColumnCount = 1
    static var rows: ReferenceWritableKeyPath<DirectoryRows, TableRows<IAMOpenIDConnectProviderRow>> { \.iamOpenIDConnectProviders }
    var key: String { providerKey }

    init(providerKey: String, provider: String, createdAt: Timestamp) {
        self.providerKey = providerKey
        self.provider = provider
        self.createdAt = createdAt
    }

    init(cells: inout RowCells) throws {
        self.init(providerKey: try cells.next(), provider: try cells.next(), createdAt: try cells.next())
    }

    static func columnArrays(_ rows: [IAMOpenIDConnectProviderRow]) -> [any PostgresThrowingDynamicTypeEncodable] {
        [rows.map(\.providerKey), rows.map(\.provider), rows.map(\.createdAt)]
    }

    static func keyArrays(_ keys: [String]) -> [any PostgresThrowingDynamicTypeEncodable] { [keys] }
}

extension DirectoryProjector {
    /// The reducers of IAM OpenID Connect provider streams: each folds the event into the row's write model
    /// (`IAMOpenIDConnectProvider.evolve`).
    static let iamOpenIDConnectProviderReducers: [String: DirectoryReducer] = [
        IAMOpenIDConnectProviderCreated.eventType: .on(IAMOpenIDConnectProviderCreated.self) { created, event, _ in
            guard var provider = IAMOpenIDConnectProvider.evolve(nil, with: created) else { return [] }
            // A provider deleted and registered again continues its stream: the next write expects the stream's version.
            provider.version = event.streamVersion
            return [
                .insert(
                    IAMOpenIDConnectProviderRow(
                        providerKey: created.url.lowercased(), provider: jsonText(provider), createdAt: Timestamp(event.recordedAt)))
            ]
        },
        IAMOpenIDConnectProviderClientIDAdded.eventType: oidcProviderChange(IAMOpenIDConnectProviderClientIDAdded.self) { $0.url },
        IAMOpenIDConnectProviderClientIDRemoved.eventType: oidcProviderChange(IAMOpenIDConnectProviderClientIDRemoved.self) { $0.url },
        IAMOpenIDConnectProviderThumbprintsUpdated.eventType: oidcProviderChange(IAMOpenIDConnectProviderThumbprintsUpdated.self) { $0.url },
        IAMOpenIDConnectProviderTagged.eventType: oidcProviderChange(IAMOpenIDConnectProviderTagged.self) { $0.url },
        IAMOpenIDConnectProviderUntagged.eventType: oidcProviderChange(IAMOpenIDConnectProviderUntagged.self) { $0.url },
        IAMOpenIDConnectProviderDeleted.eventType: .on(IAMOpenIDConnectProviderDeleted.self) { deleted, _, _ in
            [.delete(KeyOf<IAMOpenIDConnectProviderRow>(deleted.url.lowercased()))]
        },
    ]

    static func oidcProviderChange<Payload: EventPayload>(_: Payload.Type, _ url: @escaping @Sendable (Payload) -> String) -> DirectoryReducer {
        .on(Payload.self, needs: { payload, _ in [.iamOpenIDConnectProvider(url(payload).lowercased())] }) { payload, event, context in
            guard var row = try context.rows.iamOpenIDConnectProviders.value(url(payload).lowercased()) else { return [] }
            let provider = try JSONValue.parse(row.provider).decode(IAMOpenIDConnectProvider.self)
            guard var next = IAMOpenIDConnectProvider.evolve(provider, with: payload) else { return [] }
            next.version = event.streamVersion
            row.provider = jsonText(next)
            return [.put(row)]
        }
    }
}
