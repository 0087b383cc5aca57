import Foundation
import Testing

@testable import PosternAPI

/// The operation registry is the one list of operations: every operation type is in it once, and the
/// committed docs are generated from it.
@Suite struct OperationRegistryTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every `enum X: AWSOperation` declared under AWSJSON/, found by reading the sources.
    static func declaredOperations() throws -> Set<String> {
        let folder = repository.appendingPathComponent("Sources/PosternAPI/AWSJSON")
        var names: Set<String> = []
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for match in text.matches(of: /enum (\w+): AWSOperation \{/) { names.insert(String(match.1)) }
        }
        return names
    }

    @Test func everyDeclaredOperationIsRegisteredExactlyOnce() throws {
        let registered = OperationRegistry.entries.map(\.name)
        #expect(Set(registered).count == registered.count, "an operation is registered twice")
        let declared = try Self.declaredOperations()
        #expect(declared.count > 30)
        #expect(declared.subtracting(registered).isEmpty, "declared but not in OperationRegistry: \(declared.subtracting(registered).sorted())")
        #expect(Set(registered).subtracting(declared).isEmpty)
    }

    @Test func operationNamesAreTheirTypeNames() {
        for entry in OperationRegistry.entries { #expect(String(describing: entry.operation) == entry.name) }
    }

    @Test func accessTokenOperationsCarryAnAccessToken() {
        // Checked on the request types: the pipeline verifies `AccessToken` before the handler runs.
        let carriers = OperationRegistry.entries.filter { $0.access == .accessToken }.map(\.name)
        #expect(
            Set(carriers) == [
                "GetUser", "DeleteUser", "GlobalSignOut", "UpdateUserAttributes", "DeleteUserAttributes",
                "GetUserAttributeVerificationCode", "VerifyUserAttribute", "SetUserMFAPreference", "SetUserSettings", "ConfirmDevice", "GetDevice",
                "ListDevices",
                "UpdateDeviceStatus", "ForgetDevice", "StartWebAuthnRegistration", "CompleteWebAuthnRegistration", "ListWebAuthnCredentials",
                "DeleteWebAuthnCredential", "ChangePassword",
            ])
    }

    @Test func theCommittedDocsAreGeneratedFromTheRegistry() throws {
        let committed = try String(contentsOf: Self.repository.appendingPathComponent("docs/operations.md"), encoding: .utf8)
        #expect(committed == OperationRegistry.markdown, "regenerate with: postern operations > docs/operations.md")
    }
}
