import PosternCrypto
import Testing

@Suite("SECRET_HASH")
struct SecretHashTests {
    @Test("compute matches the spec vector")
    func computeMatchesVector() throws {
        let vector = try SRPVectors.load().secretHash
        #expect(SecretHash.compute(username: vector.username, clientID: vector.clientId, clientSecret: vector.clientSecret) == vector.value)
    }

    @Test("isValid accepts the right hash and rejects a wrong, absent or mismatched one")
    func validation() throws {
        let vector = try SRPVectors.load().secretHash
        #expect(SecretHash.isValid(vector.value, username: vector.username, clientID: vector.clientId, clientSecret: vector.clientSecret))
        #expect(!SecretHash.isValid(nil, username: vector.username, clientID: vector.clientId, clientSecret: vector.clientSecret))
        #expect(!SecretHash.isValid("", username: vector.username, clientID: vector.clientId, clientSecret: vector.clientSecret))
        #expect(!SecretHash.isValid(vector.value, username: "bob", clientID: vector.clientId, clientSecret: vector.clientSecret))
        #expect(!SecretHash.isValid(vector.value, username: vector.username, clientID: vector.clientId, clientSecret: "other"))
        #expect(
            !SecretHash.isValid(
                String(vector.value.dropLast()),
                username: vector.username,
                clientID: vector.clientId,
                clientSecret: vector.clientSecret
            )
        )
    }
}
