import Foundation
import Logging
import PosternCore
import PostgresNIO

/// The directory projection's SQL: loads a batch's needs into the working set and writes what changed,
/// with one statement per table and kind, every value bound as an array and expanded by `unnest`.
struct DirectoryWriter {
    let connection: PostgresConnection
    let logger: Logger
    /// A rebuild: alone on the tables (it holds the rebuild lock), with batches of thousands of events.
    let replaying: Bool

    /// A piece of SQL that binds its values into the statement it becomes part of.
    typealias Fragment = (inout SQLParameters) throws -> String

    // MARK: Loading

    /// Loads every row `needs` name that the working set does not know yet.
    func load(_ needs: Set<DirectoryNeed>, into rows: DirectoryRows, newDataKeys: [String: [UInt8]], settings: SignInSettingsMemo)
        async throws
    {
        var users: Set<String> = [], codes: Set<String> = [], aliases: Set<String> = [], tokens: Set<String> = [], devices: Set<String> = [],
            passkeys: Set<String> = []
        var origins: Set<String> = [], pools: Set<String> = [], clients: Set<String> = [], adminKeys: Set<String> = []
        var identityPools: Set<String> = [], identities: Set<String> = [], identityLogins: Set<String> = []
        var iamRoles: Set<String> = [], iamPolicies: Set<String> = [], iamOpenIDConnectProviders: Set<String> = [],
            iamSAMLProviders: Set<String> = []
        var dataKeys: Set<String> = [], settingsOfUsers: Set<String> = []
        var groups: Set<GroupRow.Key> = [], groupMemberships: Set<String> = []
        func needsPool(_ pool: String) -> Bool {
            settings[pool] == nil && !rows.pools.isKnown(pool)
        }
        for need in needs {
            switch need {
            case .user(let sub): users.insert(sub)
            case .codes(let sub):
                users.insert(sub)
                codes.insert(sub)
            case .aliases(let sub): aliases.insert(sub)
            case .tokens(let sub): tokens.insert(sub)
            case .devices(let sub): devices.insert(sub)
            case .passkeys(let sub): passkeys.insert(sub)
            case .token(let origin): origins.insert(origin)
            case .pool(let id): pools.insert(id)
            case .client(let id): clients.insert(id)
            case .adminKey(let id): adminKeys.insert(id)
            case .identityPool(let id): identityPools.insert(id)
            case .identity(let id): identities.insert(id)
            case .iamRole(let key): iamRoles.insert(key)
            case .iamPolicy(let key): iamPolicies.insert(key)
            case .iamOpenIDConnectProvider(let key): iamOpenIDConnectProviders.insert(key)
            case .iamSAMLProvider(let key): iamSAMLProviders.insert(key)
            case .identityLogins(let id): identityLogins.insert(id)
            case .group(let pool, let name): groups.insert(GroupRow.Key(poolId: pool, groupName: name))
            case .groupMemberships(let sub): groupMemberships.insert(sub)
            case .dataKey(let subject): dataKeys.insert(subject)
            case .signInSettings(let pool): if needsPool(pool) { pools.insert(pool) }
            case .signInSettingsOfUser(let sub):
                users.insert(sub)
                settingsOfUsers.insert(sub)
            }
        }
        // Rows about to change are locked, as the UPDATEs that changed them in place used to lock them.
        let lock = !replaying
        let newUsers = users.filter { !rows.users.isKnown($0) }
        rows.users.load(try await select(UserRow.self, "sub", newUsers, lock: lock), keys: newUsers)
        let newCodes = codes.filter { !rows.codes.isLoaded(subject: $0) }
        rows.codes.load(try await select(CodeRow.self, "sub", newCodes, lock: lock), subjects: newCodes)
        let newAliases = aliases.filter { !rows.aliases.isLoaded(subject: $0) }
        rows.aliases.load(try await select(AliasRow.self, "sub", newAliases, lock: lock), subjects: newAliases)
        let newTokens = tokens.filter { !rows.tokens.isLoaded(subject: $0) }
        let tokensOfUsers = try await select(RefreshTokenRow.self, "sub", newTokens, lock: lock)
        rows.tokens.load(tokensOfUsers, subjects: newTokens)
        rows.indexTokens(tokensOfUsers)
        let newDevices = devices.filter { !rows.devices.isLoaded(subject: $0) }
        rows.devices.load(try await select(DeviceRow.self, "sub", newDevices, lock: lock), subjects: newDevices)
        let newPasskeys = passkeys.filter { !rows.passkeys.isLoaded(subject: $0) }
        rows.passkeys.load(try await select(PasskeyRow.self, "sub", newPasskeys, lock: lock), subjects: newPasskeys)
        let newOrigins = origins.filter { rows.tokenByOrigin[$0] == nil }
        let tokensByOrigin = try await select(RefreshTokenRow.self, "origin_jti", newOrigins, lock: lock)
        rows.tokens.load(tokensByOrigin, keys: [String]())
        rows.indexTokens(tokensByOrigin)
        rows.missingOrigins.formUnion(newOrigins.filter { rows.tokenByOrigin[$0] == nil })
        let newClients = clients.filter { !rows.clients.isKnown($0) }
        rows.clients.load(try await select(ClientRow.self, "client_id", newClients, lock: lock), keys: newClients)
        let newAdminKeys = adminKeys.filter { !rows.adminKeys.isKnown($0) }
        rows.adminKeys.load(try await select(AdminKeyRow.self, "access_key_id", newAdminKeys, lock: lock), keys: newAdminKeys)
        let newIdentityPools = identityPools.filter { !rows.identityPools.isKnown($0) }
        rows.identityPools.load(
            try await select(IdentityPoolRow.self, "identity_pool_id", newIdentityPools, lock: lock), keys: newIdentityPools)
        let newRoles = iamRoles.filter { !rows.iamRoles.isKnown($0) }
        rows.iamRoles.load(try await select(IAMRoleRow.self, "role_key", newRoles, lock: lock), keys: newRoles)
        let newPolicies = iamPolicies.filter { !rows.iamPolicies.isKnown($0) }
        rows.iamPolicies.load(try await select(IAMPolicyRow.self, "policy_key", newPolicies, lock: lock), keys: newPolicies)
        let newOIDCProviders = iamOpenIDConnectProviders.filter { !rows.iamOpenIDConnectProviders.isKnown($0) }
        rows.iamOpenIDConnectProviders.load(
            try await select(IAMOpenIDConnectProviderRow.self, "provider_key", newOIDCProviders, lock: lock), keys: newOIDCProviders)
        let newSAMLProviders = iamSAMLProviders.filter { !rows.iamSAMLProviders.isKnown($0) }
        rows.iamSAMLProviders.load(
            try await select(IAMSAMLProviderRow.self, "provider_key", newSAMLProviders, lock: lock), keys: newSAMLProviders)
        let newIdentities = identities.filter { !rows.identities.isKnown($0) }
        rows.identities.load(try await select(IdentityRow.self, "identity_id", newIdentities, lock: lock), keys: newIdentities)
        let newLoginsOf = identityLogins.filter { !rows.identityLogins.isLoaded(subject: $0) }
        rows.identityLogins.load(try await select(IdentityLoginRow.self, "identity_id", newLoginsOf, lock: lock), subjects: newLoginsOf)
        let newGroups = groups.filter { !rows.groups.isKnown($0) }
        rows.groups.load(try await selectGroups(newGroups, lock: lock), keys: newGroups)
        let newMemberships = groupMemberships.filter { !rows.groupMembers.isLoaded(subject: $0) }
        rows.groupMembers.load(try await select(GroupMemberRow.self, "sub", newMemberships, lock: lock), subjects: newMemberships)
        // The pools of users whose sign-in names change, once their rows are known. Pools are only read for
        // their settings here (or changed by their own stream's events), so they are not locked: sign-ups
        // in one pool must not queue on its row.
        for sub in settingsOfUsers {
            if let user = try rows.users.value(sub), needsPool(user.poolId) { pools.insert(user.poolId) }
        }
        let newPools = pools.filter { !rows.pools.isKnown($0) }
        rows.pools.load(try await select(PoolRow.self, "pool_id", newPools, lock: false), keys: newPools)
        let newSubjects = dataKeys.filter { newDataKeys[$0] == nil && rows.dataKeys[$0] == nil }
        if !newSubjects.isEmpty {
            for subject in newSubjects { rows.dataKeys[subject] = .some(nil) }
            for try await (subject, key) in try await connection.query(
                "SELECT subject, wrapped_key FROM eventlog.data_keys WHERE subject = ANY(\(Array(newSubjects)))", logger: logger
            ).decode((String, Data).self) {
                rows.dataKeys[subject] = [UInt8](key)
            }
        }
    }

    /// The rows of `Row`'s table whose `column` is one of `values`.
    func select<Row: DirectoryRow>(_: Row.Type, _ column: String, _ values: Set<String>, lock: Bool) async throws -> [Row] {
        guard !values.isEmpty else { return [] }
        var parameters = SQLParameters()
        let placeholder = try parameters.bind(Array(values))
        let keys = Row.columns.prefix(Row.keyColumnCount).map(\.name).joined(separator: ", ")
        let sql = """
            SELECT \(Row.columns.map(\.selected).joined(separator: ", ")) FROM \(Row.table) WHERE \(column) = ANY(\(placeholder)::text[])\
            \(lock ? " ORDER BY \(keys) FOR UPDATE" : "")
            """
        var rows: [Row] = []
        for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: parameters.bindings), logger: logger) {
            var cells = RowCells(row)
            rows.append(try Row(cells: &cells))
        }
        return rows
    }

    /// The group rows with these keys.
    func selectGroups(_ keys: Set<GroupRow.Key>, lock: Bool) async throws -> [GroupRow] {
        guard !keys.isEmpty else { return [] }
        var parameters = SQLParameters()
        let pools = try parameters.bind(keys.map(\.poolId))
        let names = try parameters.bind(keys.map(\.groupName))
        let sql = """
            SELECT \(GroupRow.columns.map { "g." + $0.selected }.joined(separator: ", ")) FROM \(GroupRow.table) AS g
            JOIN unnest(\(pools)::text[], \(names)::text[]) AS k(pool_id, group_name) ON g.pool_id = k.pool_id AND g.group_name = k.group_name\
            \(lock ? " ORDER BY g.pool_id, g.group_name FOR UPDATE OF g" : "")
            """
        var rows: [GroupRow] = []
        for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: parameters.bindings), logger: logger) {
            var cells = RowCells(row)
            rows.append(try GroupRow(cells: &cells))
        }
        return rows
    }

    // MARK: Writing

    /// Writes what changed since the last flush. An append sends one statement (the pieces as CTEs: their
    /// keys are disjoint, a key's changes having been folded into one); a rebuild runs the deletes, then the
    /// version updates, then the inserts, so a value that moved from one row to another within the batch
    /// is free again before its new holder is inserted.
    func flush(_ rows: DirectoryRows) async throws {
        var deletes: [Fragment] = [], updates: [Fragment] = [], inserts: [Fragment] = []
        func collect<Row: DirectoryRow>(_: Row.Type) {
            let changes = rows[keyPath: Row.rows].takeChanges()
            if replaying {
                // A changed row is replaced: no unique key trips over a value that moves between rows.
                let removed = changes.deletes + changes.updates.map(\.key)
                if !removed.isEmpty { deletes.append { try Self.delete(Row.self, removed, &$0) } }
                let added = changes.inserts + changes.updates
                if !added.isEmpty { inserts.append { try Self.insert(added, &$0) } }
            } else {
                if !changes.deletes.isEmpty { deletes.append { try Self.delete(Row.self, changes.deletes, &$0) } }
                if !changes.updates.isEmpty { updates.append { try Self.update(changes.updates, &$0) } }
                if !changes.inserts.isEmpty { inserts.append { try Self.insert(changes.inserts, &$0) } }
            }
        }
        collect(PoolRow.self)
        collect(ClientRow.self)
        collect(UserRow.self)
        collect(CodeRow.self)
        collect(RefreshTokenRow.self)
        collect(DeviceRow.self)
        collect(PasskeyRow.self)
        collect(UsedSessionRow.self)
        collect(AdminKeyRow.self)
        collect(AliasRow.self)
        collect(IdentityPoolRow.self)
        collect(IdentityRow.self)
        collect(IdentityLoginRow.self)
        collect(IAMRoleRow.self)
        collect(IAMPolicyRow.self)
        collect(IAMOpenIDConnectProviderRow.self)
        collect(IAMSAMLProviderRow.self)
        collect(GroupRow.self)
        collect(GroupMemberRow.self)
        if !rows.versions.isEmpty {
            let versions = rows.versions
            rows.versions = [:]
            updates.append { parameters in
                """
                UPDATE users AS d SET version = t.version
                FROM unnest(\(try parameters.bind(Array(versions.keys)))::text[], \(try parameters.bind(Array(versions.values)))::int8[]) AS t(sub, version)
                WHERE d.sub = t.sub
                """
            }
        }
        let fragments = deletes + updates + inserts
        guard !fragments.isEmpty else { return }
        if replaying {
            for fragment in fragments {
                var parameters = SQLParameters()
                let sql = try fragment(&parameters)
                try await connection.query(PostgresQuery(unsafeSQL: sql, binds: parameters.bindings), logger: logger).drain()
            }
        } else {
            var parameters = SQLParameters()
            var pieces = try fragments.map { try $0(&parameters) }
            let last = pieces.removeLast()
            let sql = pieces.isEmpty ? last : "WITH " + pieces.enumerated().map { "w\($0) AS (\($1))" }.joined(separator: ",\n") + "\n" + last
            try await connection.query(PostgresQuery(unsafeSQL: sql, binds: parameters.bindings), logger: logger).drain()
        }
    }

    /// Removes a pool with its clients, its groups, its users and their codes, refresh tokens and sign-in aliases.
    func deletePool(_ pool: String) async throws {
        let statements: [PostgresQuery] = [
            "DELETE FROM confirmation_codes WHERE sub IN (SELECT sub FROM users WHERE pool_id = \(pool))",
            "DELETE FROM refresh_tokens WHERE pool_id = \(pool)",
            "DELETE FROM devices WHERE pool_id = \(pool)",
            "DELETE FROM webauthn_credentials WHERE pool_id = \(pool)",
            "DELETE FROM sign_in_aliases WHERE pool_id = \(pool)",
            "DELETE FROM user_pool_group_members WHERE pool_id = \(pool)",
            "DELETE FROM user_pool_groups WHERE pool_id = \(pool)",
            "DELETE FROM users WHERE pool_id = \(pool)",
            "DELETE FROM user_pool_clients WHERE pool_id = \(pool)",
            "DELETE FROM user_pools WHERE pool_id = \(pool)",
        ]
        for statement in statements { try await connection.query(statement, logger: logger).drain() }
    }

    /// Deletes a group's memberships.
    func deleteGroupMembers(pool: String, name: String) async throws {
        try await connection.query("DELETE FROM user_pool_group_members WHERE pool_id = \(pool) AND group_name = \(name)", logger: logger).drain()
    }

    /// Deletes an identity pool's identities and their logins.
    func deleteIdentities(ofPool pool: String) async throws {
        try await connection.query("DELETE FROM identity_logins WHERE identity_pool_id = \(pool)", logger: logger).drain()
        try await connection.query("DELETE FROM identities WHERE identity_pool_id = \(pool)", logger: logger).drain()
    }

    /// `unnest(…) AS t(columns)` over one bound array per column.
    static func unnest(
        _ columns: ArraySlice<DirectoryColumn>, _ arrays: [any PostgresThrowingDynamicTypeEncodable], _ parameters: inout SQLParameters
    )
        throws -> String
    {
        var placeholders: [String] = []
        for (column, array) in zip(columns, arrays) { placeholders.append("\(try parameters.bind(array))::\(column.arrayType)") }
        return "unnest(\(placeholders.joined(separator: ", "))) AS t(\(columns.map(\.name).joined(separator: ", ")))"
    }

    static func insert<Row: DirectoryRow>(_ rows: [Row], _ parameters: inout SQLParameters) throws -> String {
        let columns = Row.columns
        let values = columns.map { $0.kind == .jsonb ? "t.\($0.name)::jsonb" : "t.\($0.name)" }
        return """
            INSERT INTO \(Row.table) (\(columns.map(\.name).joined(separator: ", ")))
            SELECT \(values.joined(separator: ", ")) FROM \(try unnest(columns[...], Row.columnArrays(rows), &parameters))
            """
    }

    static func update<Row: DirectoryRow>(_ rows: [Row], _ parameters: inout SQLParameters) throws -> String {
        let columns = Row.columns
        let assignments = columns.dropFirst(Row.keyColumnCount).map { "\($0.name) = t.\($0.name)\($0.kind == .jsonb ? "::jsonb" : "")" }
        return """
            UPDATE \(Row.table) AS d SET \(assignments.joined(separator: ", "))
            FROM \(try unnest(columns[...], Row.columnArrays(rows), &parameters))
            WHERE \(matchingKeys(Row.self))
            """
    }

    static func delete<Row: DirectoryRow>(_: Row.Type, _ keys: [Row.Key], _ parameters: inout SQLParameters) throws -> String {
        "DELETE FROM \(Row.table) AS d USING \(try unnest(Row.columns.prefix(Row.keyColumnCount), Row.keyArrays(keys), &parameters)) WHERE \(matchingKeys(Row.self))"
    }

    static func matchingKeys<Row: DirectoryRow>(_: Row.Type) -> String {
        Row.columns.prefix(Row.keyColumnCount).map { "d.\($0.name) = t.\($0.name)" }.joined(separator: " AND ")
    }
}
