import Foundation
import Testing

@testable import PosternCore

@Suite struct AdminAccessKeyTests {
    let id = "AKIAABCDEFGHIJKLMNOP"
    var context: AdminAccessKey.CreationContext { .init(accessKeyId: id, sealedSecret: "sealed-secret") }

    @Test func creationCarriesTheDrawnIdAndTheSealedSecret() {
        let event = AdminAccessKey.create(description: "ci", context: context)
        #expect(event.accessKeyId == id)
        #expect(event.sealedSecret == "sealed-secret")
        #expect(event.description == "ci")
        #expect(AdminAccessKey.evolve(nil, with: event) == AdminAccessKey(accessKeyId: id, description: "ci", version: 1))
    }

    @Test func aRevokedKeyStaysKnown() {
        let key = AdminAccessKey.fold([AdminAccessKey.create(description: "ci", context: context), AdminKeyRevoked(accessKeyId: id)])
        #expect(key == AdminAccessKey(accessKeyId: id, description: "ci", revoked: true, version: 2))
        #expect(AdminAccessKey.evolve(nil, with: AdminKeyRevoked(accessKeyId: id)) == nil)
    }

    @Test func anActiveKeyIsRevoked() throws {
        let key = AdminAccessKey(accessKeyId: id, description: "ci", version: 1)
        let event = try AdminAccessKey.revoke(key, accessKeyId: id)
        #expect(event.accessKeyId == id)
        #expect(AdminAccessKey.evolve(key, with: event)?.revoked == true)
    }

    @Test func anUnknownKeyCannotBeRevoked() {
        #expect(throws: DomainError.resourceNotFound("no such access key: \(id)")) { try AdminAccessKey.revoke(nil, accessKeyId: id) }
    }

    @Test func aRevokedKeyCannotBeRevokedAgain() {
        #expect(throws: DomainError.invalidParameter("access key \(id) is already revoked")) {
            try AdminAccessKey.revoke(AdminAccessKey(accessKeyId: id, description: "ci", revoked: true, version: 2), accessKeyId: id)
        }
    }
}
