import Foundation
import PosternCore

/// How the directory projection handles one event type: decode the event once, say what it reads
/// (`needs`), then, with those rows loaded, return the changes it makes (`reduce`). No I/O inside; opening
/// a sealed profile is CPU only and happens here.
struct DirectoryReducer: Sendable {
    /// One event, decoded, with what its reduction reads and the reduction itself.
    struct Prepared {
        var needs: [DirectoryNeed]
        var reduce: (ReducerContext) throws -> [DirectoryChange]
    }

    let prepare: @Sendable (RecordedEvent) throws -> Prepared

    static func on<Payload: EventPayload>(
        _: Payload.Type, needs: @escaping @Sendable (Payload, RecordedEvent) -> [DirectoryNeed] = { _, _ in [] },
        reduce: @escaping @Sendable (Payload, RecordedEvent, ReducerContext) throws -> [DirectoryChange]
    ) -> DirectoryReducer {
        DirectoryReducer { event in
            let payload = try event.payload(as: Payload.self)
            return Prepared(needs: needs(payload, event)) { context in try reduce(payload, event, context) }
        }
    }
}

/// What a reducer may read: the batch's rows as the earlier events left them, the pools' sign-in settings
/// and the data keys that open sealed profiles.
struct ReducerContext {
    let rows: DirectoryRows
    let projection: ProjectionContext
    let opener: any SubjectDataOpener
    let settings: SignInSettingsMemo

    func user(_ sub: String) throws -> UserRow? { try rows.users.value(sub) }
    func code(sub: String, purpose: String) throws -> CodeRow? { try rows.codes.value(CodeRow.Key(sub: sub, purpose: purpose)) }
    func codes(of sub: String) throws -> [CodeRow] { try rows.codes.rows(of: sub) }
    func aliases(of sub: String) throws -> [AliasRow] { try rows.aliases.rows(of: sub) }
    func tokens(of sub: String) throws -> [RefreshTokenRow] { try rows.tokens.rows(of: sub) }
    func devices(of sub: String) throws -> [DeviceRow] { try rows.devices.rows(of: sub) }
    func device(_ key: String, of sub: String) throws -> DeviceRow? { try devices(of: sub).first { $0.deviceKey == key } }
    func passkeys(of sub: String) throws -> [PasskeyRow] { try rows.passkeys.rows(of: sub) }
    func token(originJti: String) throws -> RefreshTokenRow? { try rows.token(originJti: originJti) }
    func pool(_ id: String) throws -> PoolRow? { try rows.pools.value(id) }
    func client(_ id: String) throws -> ClientRow? { try rows.clients.value(id) }
    func adminKey(_ id: String) throws -> AdminKeyRow? { try rows.adminKeys.value(id) }

    /// The settings that shape sign-in names, from the pool's row (they are fixed when the pool is created,
    /// as in Cognito, so they are remembered); empty for a pool that does not exist.
    func signInSettings(pool: String) throws -> UserPoolSettings {
        if let known = settings[pool] { return known }
        guard let row = try rows.pools.value(pool) else { return UserPoolSettings(json: .object([:])) }
        let config = try JSONValue.parse(row.config)
        let members = ["UsernameAttributes", "AliasAttributes", "UsernameConfiguration"]
        let found = UserPoolSettings(json: .object(Dictionary(uniqueKeysWithValues: members.map { ($0, config[$0] ?? .null) })))
        settings[pool] = found
        return found
    }

    /// Opens a user's sealed profile; nil once the user's data key was destroyed.
    func openProfile(_ profile: Sealed<UserProfile>, subject: String) throws -> UserProfile? {
        guard case .ciphertext(let sealed) = profile else {
            // Only a recorded event reaches a reducer, and the store sealed it.
            throw StoreError.corrupt("a recorded event held a plaintext profile")
        }
        let key: [UInt8]
        if let new = projection.newDataKeys[subject] {
            key = new
        } else if let stored = rows.dataKeys[subject] {
            guard let stored else { return nil }
            key = stored
        } else {
            throw StoreError.corrupt("directory projection read an unloaded data key")
        }
        return try JSONValue.parse(Data(try opener.open(sealed, wrappedKey: key))).decode(UserProfile.self)
    }
}

extension DirectoryProjector {
    /// The reducer of every event type that changes the directory.
    static let reducers: [String: DirectoryReducer] = userPoolReducers.merging(
        identityPoolReducers.merging(identityReducers, uniquingKeysWith: clash).merging(iamRoleReducers, uniquingKeysWith: clash)
            .merging(iamPolicyReducers, uniquingKeysWith: clash).merging(iamOpenIDConnectProviderReducers, uniquingKeysWith: clash)
            .merging(iamSAMLProviderReducers, uniquingKeysWith: clash).merging(groupReducers, uniquingKeysWith: clash),
        uniquingKeysWith: clash)

    private static func clash(_: DirectoryReducer, _: DirectoryReducer) -> DirectoryReducer {
        preconditionFailure("an event type has a reducer in two tables")
    }

    /// The reducers of the user-pool side: pools, clients, users, admin keys.
    static let userPoolReducers: [String: DirectoryReducer] = [
        UserPoolCreated.eventType: .on(UserPoolCreated.self, reduce: poolCreated),
        UserPoolUpdated.eventType: .on(UserPoolUpdated.self, needs: { updated, _ in [.pool(updated.poolId.rawValue)] }, reduce: poolUpdated),
        UserPoolDeleted.eventType: .on(UserPoolDeleted.self) { deleted, _, _ in [.deletePool(deleted.poolId.rawValue)] },
        UserPoolClientCreated.eventType: .on(UserPoolClientCreated.self, reduce: clientCreated),
        UserPoolClientUpdated.eventType: .on(
            UserPoolClientUpdated.self, needs: { updated, _ in [.client(updated.clientId.rawValue)] }, reduce: clientUpdated),
        UserPoolClientDeleted.eventType: .on(UserPoolClientDeleted.self) { deleted, _, _ in
            [.delete(KeyOf<ClientRow>(deleted.clientId.rawValue))]
        },
        UserRegistered.eventType: .on(
            UserRegistered.self, needs: { registered, _ in [.dataKey(registered.sub.rawValue), .signInSettings(pool: registered.poolId.rawValue)] },
            reduce: userRegistered),
        UserProfileChanged.eventType: .on(
            UserProfileChanged.self,
            needs: { changed, event in
                let sub = event.streamEntityID
                return [.user(sub), .dataKey(sub), .aliases(sub), .signInSettingsOfUser(sub)] + (changed.contacts.isEmpty ? [] : [.codes(sub)])
            }, reduce: userProfileChanged),
        ConfirmationCodeIssued.eventType: .on(ConfirmationCodeIssued.self, needs: { _, event in [.codes(event.streamEntityID)] }, reduce: codeIssued),
        ConfirmationCodeRejected.eventType: .on(
            ConfirmationCodeRejected.self, needs: { _, event in [.codes(event.streamEntityID)] }, reduce: codeRejected),
        UserConfirmed.eventType: .on(
            UserConfirmed.self,
            needs: { confirmed, event in
                let sub = event.streamEntityID
                return [.user(sub)] + (confirmed.verifiedAttribute == nil ? [] : [.aliases(sub), .signInSettingsOfUser(sub)])
            }, reduce: userConfirmed),
        PasswordChanged.eventType: .on(PasswordChanged.self, needs: { _, event in [.user(event.streamEntityID)] }, reduce: passwordChanged),
        AttributeVerified.eventType: .on(AttributeVerified.self, needs: { _, event in signInNameNeeds(event) }) { verified, event, context in
            try attributeVerified(verified.attribute, value: "true", event, context)
                + [.delete(KeyOf<CodeRow>(CodeRow.Key(sub: event.streamEntityID, purpose: "Verify:" + verified.attribute)))]
        },
        AliasReleased.eventType: .on(AliasReleased.self, needs: { _, event in signInNameNeeds(event) }) { released, event, context in
            try attributeVerified(released.attribute, value: "false", event, context)
        },
        PasswordResetRequired.eventType: .on(PasswordResetRequired.self, needs: { _, event in [.user(event.streamEntityID)] }) { _, event, context in
            guard var user = try context.user(event.streamEntityID) else { return [] }
            user.status = UserStatus.resetRequired.rawValue
            user.updatedAt = Timestamp(event.recordedAt)
            return [.put(user)]
        },
        ChallengeAnswered.eventType: .on(
            ChallengeAnswered.self,
            needs: { answered, event in
                guard event.isUserStream else { return [] }
                return (answered.timeStep != nil ? [.user(event.streamEntityID)] : [])
                    + (answered.passkey != nil ? [.passkeys(event.streamEntityID)] : [])
            }
        ) { answered, event, context in
            var changes: [DirectoryChange] = [.insert(UsedSessionRow(sessionId: answered.sessionId, usedAt: Timestamp(event.recordedAt)))]
            if let step = answered.timeStep, event.isUserStream {
                // A sign-in is not a change to the user: the row's modification time stays.
                changes += try changingMFA(event, context, touches: false) { $0.lastSoftwareTokenStep = max($0.lastSoftwareTokenStep ?? step, step) }
            }
            if let credential = answered.passkey, event.isUserStream,
                var passkey = try context.passkeys(of: event.streamEntityID).first(where: { $0.credentialId == credential })
            {
                passkey.signCount = answered.signCount ?? passkey.signCount
                passkey.lastUsedAt = Timestamp(event.recordedAt)
                changes.append(.put(passkey))
            }
            if let purpose = answered.consumedCode, event.isUserStream {
                changes.append(.delete(KeyOf<CodeRow>(CodeRow.Key(sub: event.streamEntityID, purpose: purpose))))
            }
            return changes
        },
        SoftwareTokenAssociated.eventType: .on(SoftwareTokenAssociated.self, needs: { _, event in [.user(event.streamEntityID)] }) {
            associated, event, context in
            try changingMFA(event, context) { $0.pendingSoftwareToken = associated.sealedSecret.ciphertext }
        },
        SoftwareTokenVerified.eventType: .on(SoftwareTokenVerified.self, needs: { _, event in [.user(event.streamEntityID)] }) {
            verified, event, context in
            try changingMFA(event, context) { mfa in
                mfa.softwareToken = verified.sealedSecret.ciphertext
                mfa.pendingSoftwareToken = nil
                mfa.friendlyDeviceName = verified.sealedFriendlyDeviceName?.ciphertext
                mfa.lastSoftwareTokenStep = max(mfa.lastSoftwareTokenStep ?? verified.timeStep, verified.timeStep)
                if verified.enablesMFA {
                    mfa.enabled = Array(Set(mfa.enabled).union([.softwareToken])).sorted()
                    if mfa.preferred == nil { mfa.preferred = .softwareToken }
                }
            }
        },
        MFAPreferenceChanged.eventType: .on(MFAPreferenceChanged.self, needs: { _, event in [.user(event.streamEntityID)] }) {
            changed, event, context in
            try changingMFA(event, context) { mfa in
                mfa.enabled = changed.enabled.sorted()
                mfa.preferred = changed.preferred
            }
        },
        SignInSucceeded.eventType: .on(
            SignInSucceeded.self,
            needs: { succeeded, event in [.user(event.streamEntityID)] + (succeeded.deviceKey == nil ? [] : [.devices(event.streamEntityID)]) },
            reduce: signInSucceeded),
        SignInFailed.eventType: .on(
            SignInFailed.self,
            needs: { failed, event in event.isUserStream && failed.failedAttempts != nil ? [.user(event.streamEntityID)] : [] },
            reduce: signInFailed),
        RefreshTokenRevoked.eventType: .on(RefreshTokenRevoked.self, needs: { revoked, _ in [.token(originJti: revoked.originJti)] }) {
            revoked, event, context in
            guard var token = try context.token(originJti: revoked.originJti), token.revokedAt == nil else { return [] }
            token.revokedAt = Timestamp(event.recordedAt)
            return [.put(token)]
        },
        UserSignedOutGlobally.eventType: .on(
            UserSignedOutGlobally.self, needs: { _, event in [.user(event.streamEntityID), .tokens(event.streamEntityID)] },
            reduce: signedOutGlobally),
        UserDisabled.eventType: .on(UserDisabled.self, needs: { _, event in [.user(event.streamEntityID)] }) { _, event, context in
            try settingEnabled(false, event, context)
        },
        UserEnabled.eventType: .on(UserEnabled.self, needs: { _, event in [.user(event.streamEntityID)] }) { _, event, context in
            try settingEnabled(true, event, context)
        },
        UserDeleted.eventType: .on(
            UserDeleted.self,
            needs: { _, event in
                let sub = event.streamEntityID
                return [.user(sub), .codes(sub), .aliases(sub), .tokens(sub), .devices(sub), .passkeys(sub), .groupMemberships(sub)]
            }, reduce: userDeleted),
        WebAuthnCredentialRegistered.eventType: .on(
            WebAuthnCredentialRegistered.self, needs: { _, event in [.user(event.streamEntityID), .passkeys(event.streamEntityID)] }
        ) { registered, event, context in
            guard let user = try context.user(event.streamEntityID) else { return [] }
            return [
                .insert(
                    PasskeyRow(
                        credentialId: registered.credentialId, sub: user.sub, poolId: user.poolId, publicKey: registered.publicKey,
                        signCount: registered.signCount, relyingPartyId: registered.relyingPartyId, sealedName: registered.sealedName?.ciphertext,
                        attachment: registered.attachment, transports: registered.transports, createdAt: Timestamp(event.recordedAt)))
            ]
        },
        WebAuthnCredentialDeleted.eventType: .on(WebAuthnCredentialDeleted.self, needs: { _, event in [.passkeys(event.streamEntityID)] }) {
            deleted, event, context in
            guard try context.passkeys(of: event.streamEntityID).contains(where: { $0.credentialId == deleted.credentialId }) else { return [] }
            return [.delete(KeyOf<PasskeyRow>(deleted.credentialId))]
        },
        DeviceRegistered.eventType: .on(DeviceRegistered.self, needs: { _, event in [.user(event.streamEntityID), .devices(event.streamEntityID)] }) {
            registered, event, context in
            guard let user = try context.user(event.streamEntityID) else { return [] }
            return [
                .insert(
                    DeviceRow(
                        deviceKey: registered.deviceKey, sub: user.sub, poolId: user.poolId, groupKey: registered.groupKey,
                        createdAt: Timestamp(event.recordedAt)))
            ]
        },
        DeviceConfirmed.eventType: .on(DeviceConfirmed.self, needs: { _, event in [.devices(event.streamEntityID)] }) { confirmed, event, context in
            try changingDevice(confirmed.deviceKey, event, context) { device in
                device.sealedVerifier = confirmed.sealedVerifier.ciphertext
                device.sealedName = confirmed.sealedName?.ciphertext
                device.remembered = confirmed.remembered
            }
        },
        DeviceRememberedStatusChanged.eventType: .on(DeviceRememberedStatusChanged.self, needs: { _, event in [.devices(event.streamEntityID)] }) {
            changed, event, context in
            try changingDevice(changed.deviceKey, event, context) { $0.remembered = changed.remembered }
        },
        DeviceForgotten.eventType: .on(DeviceForgotten.self, needs: { _, event in [.devices(event.streamEntityID)] }) { forgotten, event, context in
            guard try context.device(forgotten.deviceKey, of: event.streamEntityID) != nil else { return [] }
            return [.delete(KeyOf<DeviceRow>(forgotten.deviceKey))]
        },
        ChallengeIssued.eventType: .on(
            ChallengeIssued.self, needs: { issued, event in issued.deviceKey != nil ? [.devices(event.streamEntityID)] : [] }
        ) { issued, event, context in
            // A DEVICE_SRP_AUTH challenge is kept on its device, for clients that answer it without the session.
            guard let key = issued.deviceKey else { return [] }
            return try changingDevice(key, event, context, touches: false) { device in
                device.pendingChallenge = issued.sessionId
                device.pendingExpiresAt = issued.expiresAt.map(Timestamp.init)
            }
        },
        AdminKeyCreated.eventType: .on(AdminKeyCreated.self) { created, event, _ in
            [
                .insert(
                    AdminKeyRow(
                        accessKeyId: created.accessKeyId, sealedSecret: created.sealedSecret, description: created.description,
                        createdAt: Timestamp(event.recordedAt), revokedAt: nil))
            ]
        },
        AdminKeyRevoked.eventType: .on(AdminKeyRevoked.self, needs: { revoked, _ in [.adminKey(revoked.accessKeyId)] }) { revoked, event, context in
            guard var key = try context.adminKey(revoked.accessKeyId) else { return [] }
            key.revokedAt = Timestamp(event.recordedAt)
            return [.put(key)]
        },
    ]

    /// Event types the directory deliberately does not project (messages, challenges, refreshes, audit
    /// records). Their user-stream events still move `users.version`, as every event of the stream does.
    static let ignored: Set<String> = [
        TokensRefreshed.eventType, MessageQueued.eventType, MessageDeadLettered.eventType,
        HookInvoked.eventType, UserExistenceHidden.eventType, SoftwareTokenCodeRejected.eventType,
        // The identity-pool token issuer's key is read from its own stream, not from the directory.
        IdentityTokenSigningKeyCreated.eventType,
        // STS sessions of admin keys are audit records: the session token carries the session.
        RoleSessionIssued.eventType, RoleSessionRefused.eventType,
    ]

    /// Changes one of the user's devices (nothing when it is gone); `touches` moves its modification time.
    static func changingDevice(
        _ key: String, _ event: RecordedEvent, _ context: ReducerContext, touches: Bool = true, _ change: (inout DeviceRow) -> Void
    ) throws -> [DirectoryChange] {
        guard var device = try context.device(key, of: event.streamEntityID) else { return [] }
        change(&device)
        if touches { device.updatedAt = Timestamp(event.recordedAt) }
        return [.put(device)]
    }

    /// Changes the user's `mfa` column (creating it on first use); `touches` moves the row's modification time.
    static func changingMFA(_ event: RecordedEvent, _ context: ReducerContext, touches: Bool = true, _ change: (inout MFAColumn) -> Void) throws
        -> [DirectoryChange]
    {
        guard var user = try context.user(event.streamEntityID) else { return [] }
        var mfa = user.mfa ?? MFAColumn()
        change(&mfa)
        user.mfa = mfa
        if touches { user.updatedAt = Timestamp(event.recordedAt) }
        return [.put(user)]
    }

    static func poolCreated(_ created: UserPoolCreated, _ event: RecordedEvent, _: ReducerContext) -> [DirectoryChange] {
        let at = Timestamp(event.recordedAt)
        return [
            .insert(
                PoolRow(
                    poolId: created.poolId.rawValue, name: created.name, config: jsonText(created.settings),
                    signingKeys: jsonText(created.signingKeys),
                    createdAt: at, updatedAt: at))
        ]
    }

    static func poolUpdated(_ updated: UserPoolUpdated, _ event: RecordedEvent, _ context: ReducerContext) throws -> [DirectoryChange] {
        guard var pool = try context.pool(updated.poolId.rawValue) else { return [] }
        pool.config = jsonText(updated.settings)
        pool.updatedAt = Timestamp(event.recordedAt)
        return [.put(pool)]
    }

    static func clientCreated(_ created: UserPoolClientCreated, _ event: RecordedEvent, _: ReducerContext) -> [DirectoryChange] {
        let at = Timestamp(event.recordedAt)
        return [
            .insert(
                ClientRow(
                    clientId: created.clientId.rawValue, poolId: created.poolId.rawValue, name: ClientSettings(json: created.settings).name,
                    config: jsonText(created.settings), sealedSecret: created.sealedSecret, createdAt: at, updatedAt: at))
        ]
    }

    static func clientUpdated(_ updated: UserPoolClientUpdated, _ event: RecordedEvent, _ context: ReducerContext) throws -> [DirectoryChange] {
        guard var client = try context.client(updated.clientId.rawValue) else { return [] }
        client.config = jsonText(updated.settings)
        client.name = ClientSettings(json: updated.settings).name
        client.updatedAt = Timestamp(event.recordedAt)
        return [.put(client)]
    }

    static func userRegistered(_ registered: UserRegistered, _ event: RecordedEvent, _ context: ReducerContext) throws -> [DirectoryChange] {
        let sub = event.streamEntityID
        let pool = registered.poolId.rawValue
        let at = Timestamp(event.recordedAt)
        let profile = try context.openProfile(registered.sealedProfile, subject: registered.sub.rawValue)
        let settings = try context.signInSettings(pool: pool)
        // A shredded user is replayed as an anonymous row; its UserDeleted event removes it again.
        let key = profile.map { settings.signInKey(username: $0.username, attributes: $0.attributes) } ?? "shredded:\(sub)"
        var changes: [DirectoryChange] = [
            .insert(
                UserRow(
                    sub: sub, poolId: pool, username: profile?.username ?? "", usernameKey: key, attributes: profile?.attributes ?? [:],
                    status: registered.status.rawValue, sealedVerifier: registered.sealedVerifier?.ciphertext,
                    passwordSetAt: registered.sealedVerifier == nil ? nil : at, createdAt: at, updatedAt: at, version: event.streamVersion))
        ]
        if let profile {
            for alias in settings.signInAliases(attributes: profile.attributes) {
                changes.append(.insert(AliasRow(poolId: pool, aliasKey: alias.key, sub: sub, attribute: alias.attribute)))
            }
        }
        return changes
    }

    static func userProfileChanged(_ changed: UserProfileChanged, _ event: RecordedEvent, _ context: ReducerContext) throws -> [DirectoryChange] {
        let sub = event.streamEntityID
        var changes: [DirectoryChange] = []
        // A changed contact voids the codes sent to its old value (their counters stay).
        let contacts = changed.contacts
        if !contacts.isEmpty {
            for var code in try context.codes(of: sub) where code.attribute.map(contacts.contains) == true {
                code.codeHash = ""
                changes.append(.put(code))
            }
        }
        if let profile = try context.openProfile(changed.sealedProfile, subject: sub), var user = try context.user(sub) {
            user.attributes = profile.attributes
            user.updatedAt = Timestamp(event.recordedAt)
            changes += try signInNames(user, context)
        }
        return changes
    }

    static func codeIssued(_ issued: ConfirmationCodeIssued, _ event: RecordedEvent, _ context: ReducerContext) throws -> [DirectoryChange] {
        let at = Timestamp(event.recordedAt)
        let sub = event.streamEntityID
        guard var code = try context.code(sub: sub, purpose: issued.purpose) else {
            return [
                .put(
                    CodeRow(
                        sub: sub, purpose: issued.purpose, codeHash: issued.codeHash, expiresAt: Timestamp(issued.expiresAt),
                        attribute: issued.attribute, issuedCount: 1, issueWindowStartedAt: at))
            ]
        }
        // A re-issue replaces the code but counts in the send window (CodeLimits); guesses stay counted.
        let inWindow = code.issueWindowStartedAt?.withinAnHour(of: at) ?? false
        code.codeHash = issued.codeHash
        code.expiresAt = Timestamp(issued.expiresAt)
        code.attribute = issued.attribute
        code.issuedCount = inWindow ? code.issuedCount + 1 : 1
        code.issueWindowStartedAt = inWindow ? code.issueWindowStartedAt : at
        return [.put(code)]
    }

    static func codeRejected(_ rejected: ConfirmationCodeRejected, _ event: RecordedEvent, _ context: ReducerContext) throws -> [DirectoryChange] {
        let at = Timestamp(event.recordedAt)
        guard var code = try context.code(sub: event.streamEntityID, purpose: rejected.purpose) else { return [] }
        // Failures count in a window (CodeLimits) that a re-issue does not reset.
        let inWindow = code.failureWindowStartedAt?.withinAnHour(of: at) ?? false
        code.attempts = inWindow ? code.attempts + 1 : 1
        code.failureWindowStartedAt = inWindow ? code.failureWindowStartedAt : at
        return [.put(code)]
    }

    static func userConfirmed(_ confirmed: UserConfirmed, _ event: RecordedEvent, _ context: ReducerContext) throws -> [DirectoryChange] {
        let sub = event.streamEntityID
        var changes: [DirectoryChange] = [.delete(KeyOf<CodeRow>(CodeRow.Key(sub: sub, purpose: "SignUp")))]
        guard var user = try context.user(sub) else { return changes }
        user.status = UserStatus.confirmed.rawValue
        user.updatedAt = Timestamp(event.recordedAt)
        guard let attribute = confirmed.verifiedAttribute else { return changes + [.put(user)] }
        if user.attributes[attribute] != nil { user.attributes[attribute + "_verified"] = "true" }
        changes += try signInNames(user, context)
        return changes
    }

    static func passwordChanged(_ changed: PasswordChanged, _ event: RecordedEvent, _ context: ReducerContext) throws -> [DirectoryChange] {
        let sub = event.streamEntityID
        let at = Timestamp(event.recordedAt)
        var changes: [DirectoryChange] = []
        if var user = try context.user(sub) {
            user.sealedVerifier = changed.sealedVerifier.ciphertext
            user.status = changed.status.rawValue
            user.passwordSetAt = at
            user.failedAttempts = 0
            user.lockedUntil = nil
            user.updatedAt = at
            changes.append(.put(user))
        }
        if let session = changed.sessionId { changes.append(.insert(UsedSessionRow(sessionId: session, usedAt: at))) }
        if let purpose = changed.consumedCode { changes.append(.delete(KeyOf<CodeRow>(CodeRow.Key(sub: sub, purpose: purpose)))) }
        return changes
    }

    /// What AttributeVerified and AliasReleased read: the user, their aliases and their pool's settings.
    static func signInNameNeeds(_ event: RecordedEvent) -> [DirectoryNeed] {
        let sub = event.streamEntityID
        return [.user(sub), .aliases(sub), .signInSettingsOfUser(sub)]
    }

    /// Sets `<attribute>_verified` (when the user has the attribute) and recomputes the sign-in names.
    static func attributeVerified(_ attribute: String, value: String, _ event: RecordedEvent, _ context: ReducerContext) throws
        -> [DirectoryChange]
    {
        guard var user = try context.user(event.streamEntityID) else { return [] }
        if user.attributes[attribute] != nil {
            user.attributes[attribute + "_verified"] = value
            user.updatedAt = Timestamp(event.recordedAt)
        }
        return try signInNames(user, context)
    }

    static func signInSucceeded(_ signedIn: SignInSucceeded, _ event: RecordedEvent, _ context: ReducerContext) throws -> [DirectoryChange] {
        guard var user = try context.user(event.streamEntityID) else { return [] }
        user.failedAttempts = 0
        user.lockedUntil = nil
        // The refresh token hangs off the user row: none without one.
        let token = RefreshTokenRow(
            tokenHash: signedIn.refreshTokenHash, sub: user.sub, poolId: user.poolId, clientId: signedIn.clientId.rawValue,
            originJti: signedIn.originJti, authTime: Timestamp(signedIn.authTime), issuedAt: Timestamp(event.recordedAt),
            expiresAt: Timestamp(signedIn.refreshExpiresAt), revokedAt: nil)
        var changes: [DirectoryChange] = [.put(user), .insert(token)]
        if let key = signedIn.deviceKey, signedIn.deviceAuthenticated == true {
            changes += try changingDevice(key, event, context, touches: false) { $0.lastAuthenticatedAt = Timestamp(event.recordedAt) }
        }
        return changes
    }

    static func signInFailed(_ failed: SignInFailed, _ event: RecordedEvent, _ context: ReducerContext) throws -> [DirectoryChange] {
        // Attempts on unknown users have streams of their own and no directory state.
        guard event.isUserStream, let attempts = failed.failedAttempts, var user = try context.user(event.streamEntityID) else { return [] }
        user.failedAttempts = attempts
        user.lockedUntil = failed.lockedUntil.map(Timestamp.init)
        return [.put(user)]
    }

    static func signedOutGlobally(_ signedOut: UserSignedOutGlobally, _ event: RecordedEvent, _ context: ReducerContext) throws
        -> [DirectoryChange]
    {
        let sub = event.streamEntityID
        var changes: [DirectoryChange] = []
        if var user = try context.user(sub) {
            user.tokensValidAfter = Timestamp(signedOut.tokensValidAfter)
            changes.append(.put(user))
        }
        for var token in try context.tokens(of: sub) where token.revokedAt == nil {
            token.revokedAt = Timestamp(event.recordedAt)
            changes.append(.put(token))
        }
        return changes
    }

    /// AdminDisableUser and AdminEnableUser: the user row's `enabled`.
    static func settingEnabled(_ enabled: Bool, _ event: RecordedEvent, _ context: ReducerContext) throws -> [DirectoryChange] {
        guard var user = try context.user(event.streamEntityID) else { return [] }
        user.enabled = enabled
        user.updatedAt = Timestamp(event.recordedAt)
        return [.put(user)]
    }

    static func userDeleted(_: UserDeleted, _ event: RecordedEvent, _ context: ReducerContext) throws -> [DirectoryChange] {
        let sub = event.streamEntityID
        var changes: [DirectoryChange] = try context.aliases(of: sub).map { .delete(KeyOf<AliasRow>($0.key)) }
        changes += try context.codes(of: sub).map { .delete(KeyOf<CodeRow>($0.key)) }
        changes += try context.tokens(of: sub).map { .delete(KeyOf<RefreshTokenRow>($0.key)) }
        changes += try context.devices(of: sub).map { .delete(KeyOf<DeviceRow>($0.key)) }
        changes += try context.passkeys(of: sub).map { .delete(KeyOf<PasskeyRow>($0.key)) }
        // Memberships end with the user; the groups' streams keep the (now anonymous) sub's history.
        changes += try context.rows.groupMembers.rows(of: sub).map { .delete(KeyOf<GroupMemberRow>($0.key)) }
        changes.append(.delete(KeyOf<UserRow>(sub)))
        return changes
    }

    /// Recomputes a user's username key (it follows the email in pools that sign in by email) and sign-in
    /// aliases from `user`'s attributes: the old aliases go, the new ones are claimed. A name another user
    /// holds makes the unique keys refuse the whole transaction.
    static func signInNames(_ user: UserRow, _ context: ReducerContext) throws -> [DirectoryChange] {
        var user = user
        // A shredded user, replayed as an anonymous row until its UserDeleted, has no names to sign in with.
        guard !user.usernameKey.hasPrefix("shredded:") else { return [.put(user)] }
        let settings = try context.signInSettings(pool: user.poolId)
        user.usernameKey = settings.signInKey(username: user.username, attributes: user.attributes)
        var changes: [DirectoryChange] = [.put(user)]
        changes += try context.aliases(of: user.sub).map { .delete(KeyOf<AliasRow>($0.key)) }
        for alias in settings.signInAliases(attributes: user.attributes) {
            changes.append(.insert(AliasRow(poolId: user.poolId, aliasKey: alias.key, sub: user.sub, attribute: alias.attribute)))
        }
        return changes
    }
}

extension UserProfileChanged {
    /// The contact attributes among the changed ones: codes sent to their old values are void.
    var contacts: [String] { changedAttributes.filter { $0 == "email" || $0 == "phone_number" } }
}

extension RecordedEvent {
    var isUserStream: Bool { streamID.hasPrefix("user-") }
}
