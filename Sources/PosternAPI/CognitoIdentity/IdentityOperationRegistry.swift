import PosternCore

/// Every cognito-identity operation Postern serves (`AWSCognitoIdentityService.*`), with how its caller
/// is authenticated; the dispatcher and `postern operations` read it, as they read `OperationRegistry`.
enum IdentityOperationRegistry {
    static let entries: [OperationRegistry.Entry] = [
        .init(IdentityAPI.CreateIdentityPool.self, .admin, nil),
        .init(IdentityAPI.DescribeIdentityPool.self, .admin, nil),
        .init(IdentityAPI.UpdateIdentityPool.self, .admin, nil),
        .init(IdentityAPI.DeleteIdentityPool.self, .admin, nil),
        .init(IdentityAPI.ListIdentityPools.self, .admin, nil),
        .init(IdentityAPI.SetIdentityPoolRoles.self, .admin, nil),
        .init(IdentityAPI.GetIdentityPoolRoles.self, .admin, nil),
        .init(IdentityAPI.SetPrincipalTagAttributeMap.self, .admin, nil),
        .init(IdentityAPI.GetPrincipalTagAttributeMap.self, .admin, nil),
        .init(IdentityAPI.TagResource.self, .admin, nil),
        .init(IdentityAPI.UntagResource.self, .admin, nil),
        .init(IdentityAPI.ListTagsForResource.self, .admin, nil),
        .init(IdentityAPI.GetId.self, .public, .getId),
        .init(IdentityAPI.GetOpenIdToken.self, .public, .getOpenIdToken),
        .init(IdentityAPI.GetCredentialsForIdentity.self, .public, .getCredentialsForIdentity),
        .init(IdentityAPI.UnlinkIdentity.self, .public, .unlinkIdentity),
        .init(IdentityAPI.DescribeIdentity.self, .admin, nil),
        .init(IdentityAPI.ListIdentities.self, .admin, nil),
        .init(IdentityAPI.DeleteIdentities.self, .admin, nil),
        .init(IdentityAPI.GetOpenIdTokenForDeveloperIdentity.self, .admin, nil),
        .init(IdentityAPI.LookupDeveloperIdentity.self, .admin, nil),
        .init(IdentityAPI.MergeDeveloperIdentities.self, .admin, nil),
        .init(IdentityAPI.UnlinkDeveloperIdentity.self, .admin, nil),
    ]
}
