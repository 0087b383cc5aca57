import Foundation
@testable import PosternAPI
import PosternCore
import PosternCrypto
import PosternStore
import PosternTestSupport
import Testing

@Suite(.enabled(if: TestDatabase.isConfigured, "needs POSTERN_TEST_DATABASE_URL"))
struct UserPoolOperationTests {
    @Test func createUserPoolAppliesCognitoDefaultsAndDescribeReturnsThem() async throws {
        try await APIHarness.with { api in
            let created = try await api.run(CreateUserPool.self, #"{"PoolName": "demo", "LambdaConfig": {"PreSignUp": "arn:aws:lambda:us-east-1:1:function:f"}}"#)
            let pool = try #require(created["UserPool"])
            let id = try #require(pool["Id"]?.stringValue)
            #expect(id.range(of: #"^us-east-1_[0-9A-Za-z]{9}$"#, options: .regularExpression) != nil)
            #expect(pool["Policies"]?["PasswordPolicy"]?["MinimumLength"] == .int(8))
            let described = try await api.run(DescribeUserPool.self, #"{"UserPoolId": "\#(id)"}"#)
            #expect(described["UserPool"]?["LambdaConfig"]?["PreSignUp"] == "arn:aws:lambda:us-east-1:1:function:f")
            #expect(described["UserPool"]?["EstimatedNumberOfUsers"] == .int(0))
        }
    }

    @Test func unknownPoolIsResourceNotFound() async throws {
        try await APIHarness.with { api in
            await #expect(throws: DomainError.resourceNotFound("User pool us-east-1_nope does not exist.")) {
                try await api.run(DescribeUserPool.self, #"{"UserPoolId": "us-east-1_nope"}"#)
            }
        }
    }

    @Test func signUpConfirmSignInAndGetUser() async throws {
        try await APIHarness.with { api in
            let (_, client) = try await api.createPool()
            let signUp = try await api.run(
                SignUp.self, #"{"ClientId": "\#(client)", "Username": "alice", "Password": "Passw0rd!", "UserAttributes": [{"Name": "email", "Value": "alice@example.com"}]}"#,
                admin: false)
            #expect(signUp["UserConfirmed"] == .bool(false))
            #expect(signUp["CodeDeliveryDetails"]?["Destination"] == "a***@e***")
            let sub = try #require(signUp["UserSub"]?.stringValue)
            let code = try #require(try await api.lastCode(sub: sub))
            await #expect(throws: DomainError.codeMismatch) {
                try await api.run(ConfirmSignUp.self, #"{"ClientId": "\#(client)", "Username": "alice", "ConfirmationCode": "000000x"}"#, admin: false)
            }
            _ = try await api.run(ConfirmSignUp.self, #"{"ClientId": "\#(client)", "Username": "alice", "ConfirmationCode": "\#(code)"}"#, admin: false)
            let auth = try await api.run(
                InitiateAuth.self,
                #"{"ClientId": "\#(client)", "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!"}}"#,
                admin: false)
            let token = try #require(auth["AuthenticationResult"]?["AccessToken"]?.stringValue)
            #expect(auth["ChallengeParameters"] == .object([:]))
            let user = try await api.run(GetUser.self, #"{"AccessToken": "\#(token)"}"#, admin: false)
            #expect(user["Username"] == "alice")
            #expect(user["UserAttributes"]?.arrayValue?.contains(.object(["Name": "email_verified", "Value": "true"])) == true)
        }
    }

    @Test func wrongPasswordsAreRecordedAndLockTheUserOut() async throws {
        try await APIHarness.with { api in
            let (pool, client) = try await api.createPool()
            _ = try await api.run(AdminCreateUser.self, #"{"UserPoolId": "\#(pool)", "Username": "bob", "MessageAction": "SUPPRESS"}"#)
            _ = try await api.run(AdminSetUserPassword.self, #"{"UserPoolId": "\#(pool)", "Username": "bob", "Password": "Passw0rd!", "Permanent": true}"#)
            let wrong = #"{"ClientId": "\#(client)", "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "bob", "PASSWORD": "Wrong0rd!"}}"#
            for _ in 0..<5 {
                await #expect(throws: DomainError.notAuthorized("Incorrect username or password.")) {
                    try await api.run(InitiateAuth.self, wrong, admin: false)
                }
            }
            // Locked now: even the right password is refused, and the refusal is recorded.
            await #expect(throws: DomainError.notAuthorized("Password attempts exceeded")) {
                try await api.run(
                    InitiateAuth.self,
                    #"{"ClientId": "\#(client)", "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "bob", "PASSWORD": "Passw0rd!"}}"#,
                    admin: false)
            }
            let failures = try await api.postern.store.read(type: "SignInFailed")
            #expect(failures.map { $0.data["reason"]?.stringValue } == Array(repeating: "incorrect_password", count: 5) + ["locked_out"])
        }
    }

    @Test func aRejectedCommandChangesNothing() async throws {
        try await APIHarness.with { api in
            let (_, client) = try await api.createPool()
            let before = try await api.postern.store.read().count
            await #expect(throws: DomainError.self) {
                try await api.run(SignUp.self, #"{"ClientId": "\#(client)", "Username": "weak", "Password": "short"}"#, admin: false)
            }
            #expect(try await api.postern.store.read().count == before)
        }
    }

    @Test func aRebuildAfterTheAPIWorkloadReproducesTheDirectory() async throws {
        try await APIHarness.with { api in
            let (pool, client) = try await api.createPool()
            for index in 0..<6 {
                let signUp = try await api.run(
                    SignUp.self,
                    #"{"ClientId": "\#(client)", "Username": "user\#(index)", "Password": "Passw0rd!", "UserAttributes": [{"Name": "email", "Value": "u\#(index)@example.com"}]}"#,
                    admin: false)
                if index.isMultiple(of: 2), let sub = signUp["UserSub"]?.stringValue, let code = try await api.lastCode(sub: sub) {
                    _ = try await api.run(ConfirmSignUp.self, #"{"ClientId": "\#(client)", "Username": "user\#(index)", "ConfirmationCode": "\#(code)"}"#, admin: false)
                    _ = try await api.run(
                        InitiateAuth.self,
                        #"{"ClientId": "\#(client)", "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "user\#(index)", "PASSWORD": "Passw0rd!"}}"#,
                        admin: false)
                }
            }
            _ = try await api.run(AdminDeleteUser.self, #"{"UserPoolId": "\#(pool)", "Username": "user1"}"#)
            let before = try await api.run(ListUsers.self, #"{"UserPoolId": "\#(pool)"}"#)
            let replayed = try await api.postern.store.rebuildProjections()
            let after = try await api.run(ListUsers.self, #"{"UserPoolId": "\#(pool)"}"#)
            #expect(replayed > 20)
            #expect(before == after)
            #expect(after["Users"]?.arrayValue?.count == 5)
        }
    }
}
