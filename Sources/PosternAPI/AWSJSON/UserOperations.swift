/// The user-directory and sign-in operations.
let userOperations: [any AWSOperation.Type] = [
    SignUp.self, ConfirmSignUp.self, ResendConfirmationCode.self, AdminCreateUser.self, AdminConfirmSignUp.self, AdminGetUser.self,
    AdminDeleteUser.self, AdminSetUserPassword.self, ListUsers.self, GetUser.self, DeleteUser.self, InitiateAuth.self,
    AdminInitiateAuth.self, RespondToAuthChallenge.self, AdminRespondToAuthChallenge.self, GlobalSignOut.self,
    AdminUserGlobalSignOut.self, RevokeToken.self, ForgotPassword.self, ConfirmForgotPassword.self, AdminResetUserPassword.self,
    UpdateUserAttributes.self, AdminUpdateUserAttributes.self, GetUserAttributeVerificationCode.self, VerifyUserAttribute.self,
    DeleteUserAttributes.self, AdminDeleteUserAttributes.self,
]
