import Foundation
import PosternCore
import PostgresNIO

/// An `iam_policies` row: the policy's write model as JSON (the fold of its stream, version included) and
/// when each of its versions was created.
struct IAMPolicyRow: DirectoryRow {
    var policyKey: String
    var policyName: String
    var path: String
    var policy: String
    var attachmentCount: Int
    var versionDates: String
    var createdAt: Timestamp
    var updatedAt: Timestamp

    static let table = "iam_policies"
    static let columns = [
        DirectoryColumn("policy_key"), DirectoryColumn("policy_name"), DirectoryColumn("path"), DirectoryColumn("policy", .jsonb),
        DirectoryColumn("attachment_count", .integer), DirectoryColumn("version_dates", .jsonb), DirectoryColumn("created_at", .timestamp),
        DirectoryColumn("updated_at", .timestamp),
    ]
    static let keyColumnCount = 1
    static var rows: ReferenceWritableKeyPath<DirectoryRows, TableRows<IAMPolicyRow>> { \.iamPolicies }
    var key: String { policyKey }

    init(
        policyKey: String, policyName: String, path: String, policy: String, attachmentCount: Int, versionDates: String, createdAt: Timestamp,
        updatedAt: Timestamp
    ) {
        self.policyKey = policyKey
        self.policyName = policyName
        self.path = path
        self.policy = policy
        self.attachmentCount = attachmentCount
        self.versionDates = versionDates
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    init(cells: inout RowCells) throws {
        self.init(
            policyKey: try cells.next(), policyName: try cells.next(), path: try cells.next(), policy: try cells.next(),
            attachmentCount: try cells.next(), versionDates: try cells.next(), createdAt: try cells.next(), updatedAt: try cells.next())
    }

    static func columnArrays(_ rows: [IAMPolicyRow]) -> [any PostgresThrowingDynamicTypeEncodable] {
        [
            rows.map(\.policyKey), rows.map(\.policyName), rows.map(\.path), rows.map(\.policy), rows.map(\.attachmentCount),
            rows.map(\.versionDates), rows.map(\.createdAt), rows.map(\.updatedAt),
        ]
    }

    static func keyArrays(_ keys: [String]) -> [any PostgresThrowingDynamicTypeEncodable] { [keys] }
}

/// Epoch milliseconds of a recorded event, as `version_dates` holds them.
func epochMilliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }

extension DirectoryProjector {
    /// The reducers of IAM policy streams (each folds the event into the row's write model, `IAMPolicy.evolve`)
    /// and of the role events that managed policies and tags add.
    static let iamPolicyReducers: [String: DirectoryReducer] = [
        IAMPolicyCreated.eventType: .on(IAMPolicyCreated.self) { created, event, _ in
            guard var policy = IAMPolicy.evolve(nil, with: created) else { return [] }
            // A policy deleted and created again under its name continues its stream: the version the next
            // write expects is the stream's.
            policy.version = event.streamVersion
            return [
                .insert(
                    IAMPolicyRow(
                        policyKey: created.policyName.lowercased(), policyName: created.policyName, path: created.path, policy: jsonText(policy),
                        attachmentCount: 0, versionDates: jsonText(["v1": epochMilliseconds(event.recordedAt)]),
                        createdAt: Timestamp(event.recordedAt), updatedAt: Timestamp(event.recordedAt)))
            ]
        },
        IAMPolicyVersionCreated.eventType: policyChange(IAMPolicyVersionCreated.self) { $0.policyName },
        IAMPolicyDefaultVersionSet.eventType: policyChange(IAMPolicyDefaultVersionSet.self) { $0.policyName },
        IAMPolicyVersionDeleted.eventType: policyChange(IAMPolicyVersionDeleted.self) { $0.policyName },
        IAMPolicyAttached.eventType: policyChange(IAMPolicyAttached.self) { $0.policyName },
        IAMPolicyDetached.eventType: policyChange(IAMPolicyDetached.self) { $0.policyName },
        IAMPolicyDeleted.eventType: .on(IAMPolicyDeleted.self) { deleted, _, _ in [.delete(KeyOf<IAMPolicyRow>(deleted.policyName.lowercased()))] },
        IAMRolePolicyAttached.eventType: roleChange(IAMRolePolicyAttached.self) { $0.roleName },
        IAMRolePolicyDetached.eventType: roleChange(IAMRolePolicyDetached.self) { $0.roleName },
        IAMRoleTagged.eventType: roleChange(IAMRoleTagged.self) { $0.roleName },
        IAMRoleUntagged.eventType: roleChange(IAMRoleUntagged.self) { $0.roleName },
    ]

    /// A policy event folded into its row; a new version also records its creation time, which becomes the
    /// policy's UpdateDate (IAM's "the most recent policy version was created").
    static func policyChange<Payload: EventPayload>(_: Payload.Type, _ name: @escaping @Sendable (Payload) -> String) -> DirectoryReducer {
        .on(Payload.self, needs: { payload, _ in [.iamPolicy(name(payload).lowercased())] }) { payload, event, context in
            guard var row = try context.rows.iamPolicies.value(name(payload).lowercased()) else { return [] }
            let policy = try JSONValue.parse(row.policy).decode(IAMPolicy.self)
            guard var next = IAMPolicy.evolve(policy, with: payload) else { return [] }
            next.version = event.streamVersion
            var dates = try JSONValue.parse(row.versionDates).decode([String: Int64].self)
            if let created = payload as? IAMPolicyVersionCreated {
                dates[created.versionId] = epochMilliseconds(event.recordedAt)
                row.updatedAt = Timestamp(event.recordedAt)
            }
            if let deleted = payload as? IAMPolicyVersionDeleted { dates[deleted.versionId] = nil }
            row.policy = jsonText(next)
            row.attachmentCount = next.attachmentCount
            row.versionDates = jsonText(dates)
            return [.put(row)]
        }
    }
}
