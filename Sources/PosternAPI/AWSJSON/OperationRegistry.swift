import PosternCore
import PosternCrypto

/// How an operation authenticates its caller.
enum OperationAccess: String, Sendable, CaseIterable {
    /// Unsigned (`authtype: none` in the botocore model); the request names its app client.
    case `public`
    /// Unsigned, authorized by the request's `AccessToken` member, which the pipeline verifies before the
    /// handler runs (`Call.signedIn()`).
    case accessToken
    /// Signed with SigV4 by an admin access key.
    case admin

    /// Whether the request must carry a SigV4 signature.
    var isSigned: Bool { self == .admin }
}

/// Every awsJson operation Postern serves, with how its caller is authenticated and which per-pool
/// request quota it counts against. The dispatcher, the SigV4 check, the quotas and
/// `postern operations` (docs/operations.md) all read this table; nothing else lists operations.
enum OperationRegistry {
    /// One row of the table.
    struct Entry: Sendable {
        let operation: any AWSOperation.Type
        let access: OperationAccess
        /// Cognito's quota category (the "Quotas in Amazon Cognito" table); nil for operations that
        /// are not counted per pool (CreateUserPool, ListUserPools).
        let quota: RequestCategory?

        init(_ operation: any AWSOperation.Type, _ access: OperationAccess, _ quota: RequestCategory?) {
            self.operation = operation
            self.access = access
            self.quota = quota
        }

        var name: String { operation.name }
    }

    static let entries: [Entry] = [
        // User pools and app clients
        .init(CreateUserPool.self, .admin, nil),
        .init(DescribeUserPool.self, .admin, .userPoolRead),
        .init(UpdateUserPool.self, .admin, .userPoolUpdate),
        .init(ListUserPools.self, .admin, nil),
        .init(DeleteUserPool.self, .admin, .userPoolUpdate),
        .init(CreateUserPoolClient.self, .admin, .userPoolClientUpdate),
        .init(DescribeUserPoolClient.self, .admin, .userPoolClientRead),
        .init(UpdateUserPoolClient.self, .admin, .userPoolClientUpdate),
        .init(ListUserPoolClients.self, .admin, .userPoolClientRead),
        .init(DeleteUserPoolClient.self, .admin, .userPoolClientUpdate),
        .init(SetUserPoolMfaConfig.self, .admin, .userPoolUpdate),
        .init(GetUserPoolMfaConfig.self, .admin, .userPoolRead),
        // Groups
        .init(CreateGroup.self, .admin, .userPoolResourceUpdate),
        .init(GetGroup.self, .admin, .userPoolResourceRead),
        .init(UpdateGroup.self, .admin, .userPoolResourceUpdate),
        .init(DeleteGroup.self, .admin, .userPoolResourceUpdate),
        .init(ListGroups.self, .admin, .userPoolResourceRead),
        .init(AdminAddUserToGroup.self, .admin, .userResourceUpdate),
        .init(AdminRemoveUserFromGroup.self, .admin, .userResourceUpdate),
        .init(AdminListGroupsForUser.self, .admin, .userResourceRead),
        .init(ListUsersInGroup.self, .admin, .userList),
        // Sign-up and confirmation
        .init(SignUp.self, .public, .userCreation),
        .init(ConfirmSignUp.self, .public, .userCreation),
        .init(ResendConfirmationCode.self, .public, .userCreation),
        .init(AdminCreateUser.self, .admin, .userCreation),
        .init(AdminConfirmSignUp.self, .admin, .userCreation),
        // Sign-in and tokens
        .init(InitiateAuth.self, .public, .userAuthentication),
        .init(RespondToAuthChallenge.self, .public, .userAuthentication),
        .init(AdminInitiateAuth.self, .admin, .userAuthentication),
        .init(AdminRespondToAuthChallenge.self, .admin, .userAuthentication),
        .init(GlobalSignOut.self, .accessToken, .userToken),
        .init(AdminUserGlobalSignOut.self, .admin, .userToken),
        .init(RevokeToken.self, .public, .userToken),
        // Second factors
        .init(AssociateSoftwareToken.self, .public, .userUpdate),
        .init(VerifySoftwareToken.self, .public, .userUpdate),
        .init(SetUserMFAPreference.self, .accessToken, .userUpdate),
        .init(AdminSetUserMFAPreference.self, .admin, .userUpdate),
        .init(SetUserSettings.self, .accessToken, .userUpdate),
        .init(AdminSetUserSettings.self, .admin, .userUpdate),
        // Passkeys
        .init(StartWebAuthnRegistration.self, .accessToken, .userUpdate),
        .init(CompleteWebAuthnRegistration.self, .accessToken, .userUpdate),
        .init(ListWebAuthnCredentials.self, .accessToken, .userRead),
        .init(DeleteWebAuthnCredential.self, .accessToken, .userUpdate),
        // Remembered devices
        .init(ConfirmDevice.self, .accessToken, .userUpdate),
        .init(GetDevice.self, .accessToken, .userRead),
        .init(ListDevices.self, .accessToken, .userRead),
        .init(UpdateDeviceStatus.self, .accessToken, .userUpdate),
        .init(ForgetDevice.self, .accessToken, .userUpdate),
        .init(AdminGetDevice.self, .admin, .userRead),
        .init(AdminListDevices.self, .admin, .userRead),
        .init(AdminUpdateDeviceStatus.self, .admin, .userUpdate),
        .init(AdminForgetDevice.self, .admin, .userUpdate),
        // Account recovery
        .init(ForgotPassword.self, .public, .userAccountRecovery),
        .init(ConfirmForgotPassword.self, .public, .userAccountRecovery),
        .init(AdminResetUserPassword.self, .admin, .userAccountRecovery),
        .init(AdminSetUserPassword.self, .admin, .userUpdate),
        .init(ChangePassword.self, .accessToken, .userUpdate),
        // The user directory
        .init(GetUser.self, .accessToken, .userRead),
        .init(AdminGetUser.self, .admin, .userRead),
        .init(ListUsers.self, .admin, .userList),
        .init(UpdateUserAttributes.self, .accessToken, .userUpdate),
        .init(AdminUpdateUserAttributes.self, .admin, .userUpdate),
        .init(DeleteUserAttributes.self, .accessToken, .userUpdate),
        .init(AdminDeleteUserAttributes.self, .admin, .userUpdate),
        .init(GetUserAttributeVerificationCode.self, .accessToken, .userUpdate),
        .init(VerifyUserAttribute.self, .accessToken, .userUpdate),
        .init(DeleteUser.self, .accessToken, .userUpdate),
        .init(AdminDeleteUser.self, .admin, .userUpdate),
        .init(AdminDisableUser.self, .admin, .userUpdate),
        .init(AdminEnableUser.self, .admin, .userUpdate),
    ]

    static let byName: [String: Entry] = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0) })

    /// The table as Markdown, as `postern operations` prints it and docs/operations.md holds it.
    static var markdown: String {
        var lines = [
            "# Operations", "",
            "Every `AWSCognitoIdentityProviderService` operation Postern serves, generated from `OperationRegistry`",
            "(`postern operations > docs/operations.md`). *public*: unsigned, as in Cognito; *access token*: unsigned,",
            "authorized by the request's `AccessToken`; *admin*: SigV4-signed by an admin access key. The quota",
            "category is the per-pool request-rate quota the operation counts against (`postern:quota:<Category>` tag).", "",
            "| operation | access | quota category |", "|---|---|---|",
        ]
        for entry in entries.sorted(by: { $0.name < $1.name }) {
            let access = entry.access == .accessToken ? "access token" : entry.access.rawValue
            lines.append("| \(entry.name) | \(access) | \(entry.quota?.rawValue ?? "—") |")
        }
        lines += [
            "", "## Identity pools", "",
            "Every `AWSCognitoIdentityService` operation Postern serves (`IdentityOperationRegistry`), on the same endpoint",
            "(SigV4 service `cognito-identity`). The unsigned ones count against their identity pool's per-operation",
            "quota (`postern:quota:<Operation>` tag on the identity pool).", "",
            "| operation | access | quota |", "|---|---|---|",
        ]
        for entry in IdentityOperationRegistry.entries.sorted(by: { $0.name < $1.name }) {
            lines.append("| \(entry.name) | \(entry.access.rawValue) | \(entry.quota?.rawValue ?? "—") |")
        }
        lines += [
            "", "## IAM and STS", "",
            "The IAM and STS actions Postern serves on AWS's query protocol (form-encoded `POST /`, XML answers;",
            "`QueryDispatcher`). *any credentials*: an admin key or temporary credentials.", "",
            "| action | service | access |", "|---|---|---|",
        ]
        for action in (IAMActions.all + STSActions.all).sorted(by: { $0.name < $1.name }) {
            let access =
                switch action.access {
                case .unsigned: "unsigned"
                case .admin: "admin"
                case .anyCredentials: "any credentials"
                }
            lines.append("| \(action.name) | \(action.service.rawValue) | \(access) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// A request that names its user pool (`UserPoolId`).
protocol NamesUserPool { var UserPoolId: String { get } }
/// A request that names its app client (`ClientId`).
protocol NamesAppClient { var ClientId: String { get } }
/// A request authorized by an access token (`AccessToken`).
protocol CarriesAccessToken { var AccessToken: String { get } }

/// What a request names its pool by, for counting it against the pool's quota before the handler runs.
enum PoolReference: Sendable {
    case pool(String)
    case client(String)
    /// The token as parsed (unverified) once per request: counting it and authenticating it share the parse.
    case accessToken(CompactJWT?)
    /// cognito-identity: the identity pool a request names, or the identity whose pool it counts against.
    case identityPool(String)
    case identity(String)

    init?(_ request: Any) {
        if let request = request as? any NamesUserPool {
            self = .pool(request.UserPoolId)
        } else if let request = request as? any NamesAppClient {
            self = .client(request.ClientId)
        } else if let request = request as? any CarriesAccessToken {
            self = .accessToken(CompactJWT(request.AccessToken))
        } else if let request = request as? JSONObject {
            if let id = request.string("UserPoolId") {
                self = .pool(id)
            } else if let id = request.string("IdentityPoolId") {
                self = .identityPool(id)
            } else if let id = request.string("IdentityId") {
                self = .identity(id)
            } else {
                return nil
            }
        } else {
            return nil
        }
    }
}

extension AdminAddUserToGroup.Request: NamesUserPool {}
extension AdminConfirmSignUp.Request: NamesUserPool {}
extension AdminListGroupsForUser.Request: NamesUserPool {}
extension AdminRemoveUserFromGroup.Request: NamesUserPool {}
extension CreateGroup.Request: NamesUserPool {}
extension DeleteGroup.Request: NamesUserPool {}
extension GetGroup.Request: NamesUserPool {}
extension ListGroups.Request: NamesUserPool {}
extension ListUsersInGroup.Request: NamesUserPool {}
extension UpdateGroup.Request: NamesUserPool {}
extension AdminCreateUser.Request: NamesUserPool {}
extension AdminDeleteUser.Request: NamesUserPool {}
extension AdminDisableUser.Request: NamesUserPool {}
extension AdminEnableUser.Request: NamesUserPool {}
extension AdminGetUser.Request: NamesUserPool {}
extension AdminInitiateAuth.Request: NamesUserPool {}
extension AdminResetUserPassword.Request: NamesUserPool {}
extension AdminRespondToAuthChallenge.Request: NamesUserPool {}
extension AdminSetUserPassword.Request: NamesUserPool {}
extension AdminUserGlobalSignOut.Request: NamesUserPool {}
extension AdminDeleteUserAttributes.Request: NamesUserPool {}
extension AdminUpdateUserAttributes.Request: NamesUserPool {}
extension DeleteUserPool.Request: NamesUserPool {}
extension DeleteUserPoolClient.Request: NamesUserPool {}
extension DescribeUserPool.Request: NamesUserPool {}
extension DescribeUserPoolClient.Request: NamesUserPool {}
extension ListUserPoolClients.Request: NamesUserPool {}
extension ListUsers.Request: NamesUserPool {}
extension ConfirmForgotPassword.Request: NamesAppClient {}
extension ConfirmSignUp.Request: NamesAppClient {}
extension ForgotPassword.Request: NamesAppClient {}
extension InitiateAuth.Request: NamesAppClient {}
extension ResendConfirmationCode.Request: NamesAppClient {}
extension RespondToAuthChallenge.Request: NamesAppClient {}
extension RevokeToken.Request: NamesAppClient {}
extension SignUp.Request: NamesAppClient {}
extension ChangePassword.Request: CarriesAccessToken {}
extension DeleteUser.Request: CarriesAccessToken {}
extension DeleteUserAttributes.Request: CarriesAccessToken {}
extension GetUser.Request: CarriesAccessToken {}
extension GlobalSignOut.Request: CarriesAccessToken {}
extension UpdateUserAttributes.Request: CarriesAccessToken {}
extension GetUserAttributeVerificationCode.Request: CarriesAccessToken {}
extension VerifyUserAttribute.Request: CarriesAccessToken {}

/// `postern operations`: the registry as Markdown (docs/operations.md).
public func operationCatalogMarkdown() -> String { OperationRegistry.markdown }

/// `postern operations --json`: one `{"name", "access", "quota"}` object per line, for tests and tools.
public func operationCatalogJSONLines() -> String {
    OperationRegistry.entries.map { entry in
        let quota = entry.quota.map { "\"\($0.rawValue)\"" } ?? "null"
        return #"{"name":"\#(entry.name)","access":"\#(entry.access.rawValue)","quota":\#(quota)}"#
    }.joined(separator: "\n") + "\n"
}
