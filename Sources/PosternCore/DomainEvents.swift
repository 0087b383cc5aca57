/// The catalog of every event type PosternCore defines, so projections and tests can enumerate them.
///
/// A new `EventPayload` belongs here too: `DomainEventsTests` compares this list with the
/// `eventType` constants in the sources, and the directory projection's coverage test then asks for a
/// decision (a reducer, or a place in its ignored set) for every entry.
public enum DomainEvents {
    /// Every payload type, grouped by aggregate.
    public static let all: [any EventPayload.Type] = [
        // Identity pools
        IdentityPoolCreated.self, IdentityPoolUpdated.self, IdentityPoolDeleted.self, IdentityPoolRolesSet.self,
        IdentityPoolTagsChanged.self, PrincipalTagAttributeMapSet.self,
        IdentityCreated.self, IdentityLoginsLinked.self, IdentityLoginsUnlinked.self, IdentityDeleted.self, IdentityTokenIssued.self,
        IdentityTokenSigningKeyCreated.self, IdentityCredentialsIssued.self, IdentityCredentialsRefused.self,
        // IAM roles
        IAMRoleCreated.self, IAMRoleTrustPolicyUpdated.self, IAMRolePolicyPut.self, IAMRolePolicyDeleted.self, IAMRoleDeleted.self,
        RoleSessionIssued.self, RoleSessionRefused.self,
        IAMRolePolicyAttached.self, IAMRolePolicyDetached.self, IAMRoleTagged.self, IAMRoleUntagged.self,
        // IAM customer managed policies
        IAMPolicyCreated.self, IAMPolicyVersionCreated.self, IAMPolicyDefaultVersionSet.self, IAMPolicyVersionDeleted.self,
        IAMPolicyAttached.self, IAMPolicyDetached.self, IAMPolicyDeleted.self,
        // IAM OpenID Connect providers
        IAMOpenIDConnectProviderCreated.self, IAMOpenIDConnectProviderClientIDAdded.self, IAMOpenIDConnectProviderClientIDRemoved.self,
        IAMOpenIDConnectProviderThumbprintsUpdated.self, IAMOpenIDConnectProviderTagged.self, IAMOpenIDConnectProviderUntagged.self,
        IAMOpenIDConnectProviderDeleted.self,
        // IAM SAML providers
        IAMSAMLProviderCreated.self, IAMSAMLProviderMetadataUpdated.self, IAMSAMLProviderAssertionEncryptionModeSet.self,
        IAMSAMLProviderPrivateKeyAdded.self, IAMSAMLProviderPrivateKeyRemoved.self, IAMSAMLProviderTagged.self, IAMSAMLProviderUntagged.self,
        IAMSAMLProviderDeleted.self,
        // User pools and their app clients
        UserPoolCreated.self, UserPoolUpdated.self, UserPoolDeleted.self,
        UserPoolClientCreated.self, UserPoolClientUpdated.self, UserPoolClientDeleted.self,
        // User-pool groups and their members
        GroupCreated.self, GroupUpdated.self, GroupDeleted.self, UserAddedToGroup.self, UserRemovedFromGroup.self,
        // Users
        UserRegistered.self, UserProfileChanged.self, UserConfirmed.self, PasswordChanged.self, AttributeVerified.self,
        PasswordResetRequired.self, AliasReleased.self, UserDisabled.self, UserEnabled.self, UserDeleted.self,
        UserExistenceHidden.self,
        // One-time codes and messages
        ConfirmationCodeIssued.self, ConfirmationCodeRejected.self, MessageQueued.self, MessageDeadLettered.self,
        // Sign-in, challenges and tokens
        SignInSucceeded.self, SignInFailed.self, ChallengeIssued.self, ChallengeAnswered.self, TokensRefreshed.self,
        RefreshTokenRevoked.self, UserSignedOutGlobally.self,
        // Second factors
        SoftwareTokenAssociated.self, SoftwareTokenVerified.self, MFAPreferenceChanged.self, SoftwareTokenCodeRejected.self,
        // Devices
        DeviceRegistered.self, DeviceConfirmed.self, DeviceRememberedStatusChanged.self, DeviceForgotten.self,
        // Passkeys
        WebAuthnCredentialRegistered.self, WebAuthnCredentialDeleted.self,
        // Hooks that ran after their operation committed
        HookInvoked.self,
        // Administrator access keys
        AdminKeyCreated.self, AdminKeyRevoked.self,
    ]

    /// The persisted type names of `all`.
    public static var types: Set<String> { Set(all.map { $0.eventType }) }
}
