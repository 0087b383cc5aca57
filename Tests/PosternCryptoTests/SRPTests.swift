import Crypto
import Foundation
import PosternCore
import PosternCrypto
import Testing

/// A client written the way pycognito writes it (hex strings, `pad_hex` on strings, HKDF by hand), so the
/// server code is checked against an independent implementation rather than against itself.
struct TestSRPClient {
    let smallA: BigNumber
    let largeA: BigNumber

    init(smallA: BigNumber) {
        self.smallA = smallA
        self.largeA = SRP.generator.power(secret: smallA, modulo: SRP.modulus)
    }

    init<G: RandomNumberGenerator>(using generator: inout G) {
        self.init(smallA: BigNumber(randomByteCount: 128, using: &generator).reduced(modulo: SRP.modulus))
    }

    static func padHex(_ hex: String) -> String {
        if hex.count % 2 == 1 { return "0" + hex }
        return "89abcdefABCDEF".contains(hex.first ?? "0") ? "00" + hex : hex
    }

    static func hexHash(_ hex: String) -> String {
        BigNumber.hexString(SHA256.hash(data: bytes(fromHex: hex)))
    }

    static func bytes(fromHex hex: String) -> [UInt8] {
        let utf8 = Array(hex.utf8)
        return stride(from: 0, to: utf8.count, by: 2).map { UInt8(String(decoding: utf8[$0..<$0 + 2], as: UTF8.self), radix: 16) ?? 0 }
    }

    /// The 16-byte key after the server answered with `SRP_B` and `SALT`.
    func sessionKey(srpBHex: String, saltHex: String, poolName: String, userID: String, password: String) -> [UInt8]? {
        let n = SRP.modulus
        let g = SRP.generator
        guard let largeB = BigNumber(hex: srpBHex) else { return nil }
        guard let k = BigNumber(hex: Self.hexHash(Self.padHex(n.hex) + "0" + g.hex)) else { return nil }
        guard let u = BigNumber(hex: Self.hexHash(Self.padHex(largeA.hex) + Self.padHex(largeB.hex))), !u.isZero else { return nil }
        let identity = BigNumber.hexString(SHA256.hash(data: Array("\(poolName)\(userID):\(password)".utf8)))
        guard let x = BigNumber(hex: Self.hexHash(Self.padHex(saltHex) + identity)) else { return nil }
        let base = largeB.subtracting(k.multiplying(g.power(secret: x, modulo: n), modulo: n), modulo: n)
        let s = base.power(secret: smallA + u * x, modulo: n)
        let prk = HMAC<SHA256>.authenticationCode(
            for: Self.bytes(fromHex: Self.padHex(s.hex)),
            using: SymmetricKey(data: Self.bytes(fromHex: Self.padHex(u.hex)))
        )
        let okm = HMAC<SHA256>.authenticationCode(for: Array("Caldera Derived Key".utf8) + [1], using: SymmetricKey(data: prk))
        return Array(Array(okm).prefix(16))
    }

    static func signature(key: [UInt8], poolName: String, userID: String, secretBlock: [UInt8], timestamp: String) -> String {
        let message = Array(poolName.utf8) + Array(userID.utf8) + secretBlock + Array(timestamp.utf8)
        return Data(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key))).base64EncodedString()
    }
}

@Suite("SRP (Cognito variant) against the spec vectors")
struct SRPVectorTests {
    let vectors: SRPVectors
    let poolName: String

    init() throws {
        vectors = try SRPVectors.load()
        poolName = SRP.poolName(fromUserPoolID: vectors.poolId)
    }

    var verifier: PasswordVerifier {
        PasswordVerifier.make(password: vectors.password, poolName: poolName, userID: vectors.userIdForSrp, saltHex: vectors.saltHex)
    }

    @Test("N is the RFC 3526 3072-bit prime and k is H(padHex(N) ‖ padHex(g))")
    func groupParameters() {
        #expect(SRP.modulus.bitCount == 3072)
        #expect(SRP.modulus.hex.hasPrefix("ffffffffffffffffc90fdaa2"))
        #expect(SRP.modulus.hex.hasSuffix("a93ad2caffffffffffffffff"))
        #expect(SRP.multiplier.hex == vectors.k)
    }

    @Test(
        "padHex prepends 0 to odd lengths and 00 when the top bit is set",
        arguments: [
            ("0", "00"), ("f", "0f"), ("7f", "7f"), ("80", "0080"), ("123", "0123"), ("ffff", "00ffff"),
        ]
    )
    func padHex(hex: String, expected: String) throws {
        #expect(SRP.padHex(try #require(BigNumber(hex: hex))) == expected)
    }

    @Test("the pool name is the part of the pool id after the underscore")
    func poolNameFromID() {
        #expect(poolName == "AbCdEfGh1")
        #expect(SRP.poolName(fromUserPoolID: "eu-west-2_x_y") == "x_y")
    }

    @Test("the verifier matches the vector, and the salt is stored in padHex form")
    func verifierMatchesVector() {
        #expect(verifier.verifierHex == vectors.verifierHex)
        #expect(verifier.saltHex == "00" + vectors.saltHex)
    }

    @Test("the client's A from the vector's a matches")
    func clientPublicValue() throws {
        let client = TestSRPClient(smallA: try #require(BigNumber(hex: vectors.aHex)))
        #expect(client.largeA.hex == vectors.srpAHex)
    }

    @Test("with the vector's b the server produces B, u, S, K and accepts the signature")
    func serverChallengeMatchesVector() throws {
        let challenge = try SRPServerChallenge(verifier: verifier, srpAHex: vectors.srpAHex, serverSecretHex: vectors.bHex)
        #expect(challenge.srpBHex == vectors.srpBHex)
        #expect(challenge.saltHex == verifier.saltHex)
        #expect(challenge.scramblingParameter.hex == vectors.uHex)
        #expect(challenge.premasterSecret.hex == vectors.sHex)
        #expect(BigNumber.hexString(challenge.sessionKey) == vectors.hkdfKeyHex)
        let secretBlock = try #require(Data(base64Encoded: vectors.secretBlock))
        #expect(
            challenge.verifyPasswordClaim(
                poolName: poolName,
                userID: vectors.userIdForSrp,
                secretBlock: Array(secretBlock),
                timestamp: vectors.timestamp,
                signature: vectors.passwordClaimSignature
            )
        )
    }

    @Test("the signature fails for a changed signature, timestamp, secret block, user or pool")
    func signatureRejectsTampering() throws {
        let challenge = try SRPServerChallenge(verifier: verifier, srpAHex: vectors.srpAHex, serverSecretHex: vectors.bHex)
        let block = Array(try #require(Data(base64Encoded: vectors.secretBlock)))
        var flipped = Array(try #require(Data(base64Encoded: vectors.passwordClaimSignature)))
        flipped[0] ^= 1
        func accepts(
            pool: String? = nil,
            user: String? = nil,
            secretBlock: [UInt8]? = nil,
            timestamp: String? = nil,
            signature: String? = nil
        ) -> Bool {
            challenge.verifyPasswordClaim(
                poolName: pool ?? poolName,
                userID: user ?? vectors.userIdForSrp,
                secretBlock: secretBlock ?? block,
                timestamp: timestamp ?? vectors.timestamp,
                signature: signature ?? vectors.passwordClaimSignature
            )
        }
        #expect(accepts())
        #expect(!accepts(signature: Data(flipped).base64EncodedString()))
        #expect(!accepts(timestamp: "Sun Feb 4 11:08:37 UTC 2018"))
        #expect(!accepts(secretBlock: block + [0]))
        #expect(!accepts(user: "bob"))
        #expect(!accepts(pool: "Other"))
        #expect(!accepts(signature: "not base64!"))
        #expect(!accepts(signature: ""))
    }

    @Test("a wrong password gives a different key, so the server rejects the client's signature")
    func wrongPasswordIsRejected() throws {
        let client = TestSRPClient(smallA: try #require(BigNumber(hex: vectors.aHex)))
        let challenge = try SRPServerChallenge(verifier: verifier, srpAHex: vectors.srpAHex, serverSecretHex: vectors.bHex)
        let key = try #require(
            client.sessionKey(
                srpBHex: challenge.srpBHex,
                saltHex: challenge.saltHex,
                poolName: poolName,
                userID: vectors.userIdForSrp,
                password: "wrong"
            )
        )
        let signature = TestSRPClient.signature(
            key: key,
            poolName: poolName,
            userID: vectors.userIdForSrp,
            secretBlock: [1, 2],
            timestamp: vectors.timestamp
        )
        #expect(
            !challenge.verifyPasswordClaim(
                poolName: poolName,
                userID: vectors.userIdForSrp,
                secretBlock: [1, 2],
                timestamp: vectors.timestamp,
                signature: signature
            )
        )
    }
}

@Suite("SRP client and server agree")
struct SRPAgreementTests {
    @Test("for random passwords, salts, a and b, both sides derive the same key and the claim verifies", arguments: 1...4)
    func randomRoundTrip(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let password = "pässwörd-\((0..<8).map { _ in String(generator.next() % 10) }.joined())"
        let poolName = "Pool\(seed)"
        let userID = "7d3e1c4a-0000-4000-8000-00000000000\(seed)"
        let verifier = PasswordVerifier.make(password: password, poolName: poolName, userID: userID, using: &generator)
        let client = TestSRPClient(using: &generator)

        let challenge = try SRPServerChallenge(verifier: verifier, srpAHex: client.largeA.hex, using: &generator)
        let key = try #require(
            client.sessionKey(srpBHex: challenge.srpBHex, saltHex: challenge.saltHex, poolName: poolName, userID: userID, password: password)
        )
        #expect(key == challenge.sessionKey)

        let timestamp = SRP.timestamp(Date(timeIntervalSince1970: 1_795_694_400))
        let block = Array("opaque-\(seed)".utf8)
        let signature = TestSRPClient.signature(key: key, poolName: poolName, userID: userID, secretBlock: block, timestamp: timestamp)
        #expect(challenge.verifyPasswordClaim(poolName: poolName, userID: userID, secretBlock: block, timestamp: timestamp, signature: signature))

        let restored = try SRPServerChallenge(verifier: verifier, srpAHex: client.largeA.hex, serverSecretHex: challenge.serverSecretHex)
        #expect(restored.srpBHex == challenge.srpBHex)
        #expect(restored.verifyPasswordClaim(poolName: poolName, userID: userID, secretBlock: block, timestamp: timestamp, signature: signature))
    }

    @Test("the system generator produces a working challenge with a b of at most 256 bits and a fresh B each time")
    func systemRandomness() throws {
        let verifier = PasswordVerifier.make(password: "pw", poolName: "Pool", userID: "user")
        var generator = SeededGenerator(seed: 99)
        let client = TestSRPClient(using: &generator)
        let first = try SRPServerChallenge(verifier: verifier, srpAHex: client.largeA.hex)
        let second = try SRPServerChallenge(verifier: verifier, srpAHex: client.largeA.hex)
        #expect(first.srpBHex != second.srpBHex)
        #expect(first.serverSecret.bitCount <= 256)
        #expect(first.serverSecret.bitCount > 128)
        let key = client.sessionKey(srpBHex: first.srpBHex, saltHex: first.saltHex, poolName: "Pool", userID: "user", password: "pw")
        #expect(key == first.sessionKey)
    }
}

@Suite("SRP challenge input validation")
struct SRPValidationTests {
    let verifier = PasswordVerifier.make(password: "pw", poolName: "Pool", userID: "user", saltHex: "0102030405060708090a0b0c0d0e0f10")

    @Test(
        "SRP_A that is not hex, too long, zero or a multiple of N is refused",
        arguments: [
            "", "zz", "-5", "0", "000", SRP.modulus.hex, (SRP.modulus + SRP.modulus).hex, String(repeating: "1", count: 1025),
        ]
    )
    func rejectsBadClientPublicValue(srpAHex: String) {
        #expect(throws: SRPError.invalidClientPublicValue) {
            try SRPServerChallenge(verifier: verifier, srpAHex: srpAHex, serverSecretHex: "1234")
        }
    }

    @Test("a malformed or degenerate stored verifier or server secret is refused")
    func rejectsBadStoredValues() {
        let goodA = SRP.generator.power(BigNumber(12345), modulo: SRP.modulus).hex
        let badVerifiers = [
            PasswordVerifier(saltHex: "01", verifierHex: "xyz"),
            PasswordVerifier(saltHex: "01", verifierHex: "0"),
            PasswordVerifier(saltHex: "01", verifierHex: SRP.modulus.hex),
        ]
        for bad in badVerifiers {
            #expect(throws: SRPError.invalidStoredValue) { try SRPServerChallenge(verifier: bad, srpAHex: goodA) }
        }
        #expect(throws: SRPError.invalidStoredValue) { try SRPServerChallenge(verifier: verifier, srpAHex: goodA, serverSecretHex: "0") }
        #expect(throws: SRPError.invalidStoredValue) { try SRPServerChallenge(verifier: verifier, srpAHex: goodA, serverSecretHex: "nothex") }
    }

    @Test("descriptions do not reveal b or the verifier")
    func descriptionsAreRedacted() throws {
        let challenge = try SRPServerChallenge(verifier: verifier, srpAHex: "02", serverSecretHex: "abcdef1234567890")
        #expect(!String(describing: challenge).contains(challenge.serverSecretHex))
        #expect(String(describing: verifier) == "PasswordVerifier(redacted)")
        #expect(String(reflecting: verifier) == "PasswordVerifier(redacted)")
    }
}

@Suite("PasswordVerifier")
struct PasswordVerifierTests {
    @Test("matches the right password only, for the same pool and user")
    func matches() {
        let verifier = PasswordVerifier.make(password: "Correct horse 1!", poolName: "Pool", userID: "user-1")
        #expect(verifier.matches(password: "Correct horse 1!", poolName: "Pool", userID: "user-1"))
        #expect(!verifier.matches(password: "Correct horse 1", poolName: "Pool", userID: "user-1"))
        #expect(!verifier.matches(password: "Correct horse 1!", poolName: "Pool", userID: "user-2"))
        #expect(!verifier.matches(password: "Correct horse 1!", poolName: "Other", userID: "user-1"))
    }

    @Test("a malformed stored verifier never matches")
    func malformedNeverMatches() {
        #expect(!PasswordVerifier(saltHex: "zz", verifierHex: "01").matches(password: "pw", poolName: "P", userID: "u"))
        #expect(!PasswordVerifier(saltHex: "01", verifierHex: "").matches(password: "pw", poolName: "P", userID: "u"))
        PasswordVerifier.simulateCheck(password: "pw", poolName: "P", userID: "u")
    }

    @Test("fresh salts are random, 16 bytes at most, and already in the padHex form clients hash")
    func saltsAreCanonical() throws {
        var generator = SeededGenerator(seed: 7)
        var salts = Set<String>()
        for _ in 0..<64 {
            let verifier = PasswordVerifier.make(password: "pw", poolName: "P", userID: "u", using: &generator)
            let salt = try #require(BigNumber(hex: verifier.saltHex))
            #expect(verifier.saltHex == SRP.padHex(salt))
            #expect(TestSRPClient.padHex(verifier.saltHex) == verifier.saltHex)
            #expect(salt.bitCount <= 128)
            salts.insert(verifier.saltHex)
        }
        #expect(salts.count == 64)
        #expect(salts.contains { $0.hasPrefix("00") })
    }

    @Test("the deterministic salt is re-encoded with padHex, so equal integers give equal verifiers")
    func deterministicSaltIsNormalized() {
        let a = PasswordVerifier.make(password: "pw", poolName: "P", userID: "u", saltHex: "00000abc")
        let b = PasswordVerifier.make(password: "pw", poolName: "P", userID: "u", saltHex: "ABC")
        #expect(a == b)
        #expect(a.saltHex == "0abc")
    }

    @Test("survives a JSON round trip under the field names saltHex and verifierHex")
    func codable() throws {
        let verifier = PasswordVerifier.make(password: "pw", poolName: "P", userID: "u")
        let json = try JSONEncoder().encode(verifier)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: String])
        #expect(Set(object.keys) == ["saltHex", "verifierHex"])
        #expect(try JSONDecoder().decode(PasswordVerifier.self, from: json) == verifier)
    }
}

@Suite("SRP TIMESTAMP")
struct SRPTimestampTests {
    @Test(
        "formats as EEE MMM d HH:mm:ss UTC yyyy with an unpadded day",
        arguments: [
            (1_517_742_516.0, "Sun Feb 4 11:08:36 UTC 2018"),
            (1_795_694_400.0, "Thu Nov 26 12:00:00 UTC 2026"),
            (0.0, "Thu Jan 1 00:00:00 UTC 1970"),
            (1_956_527_999.0, "Wed Dec 31 23:59:59 UTC 2031"),
        ]
    )
    func format(seconds: Double, expected: String) {
        #expect(SRP.timestamp(Date(timeIntervalSince1970: seconds)) == expected)
    }
}

@Suite("SRP TIMESTAMP as the server reads it")
struct SRPTimestampParsingTests {
    @Test(
        "a canonical TIMESTAMP reads back to its instant",
        arguments: [1_517_742_516.0, 1_795_694_400.0, 0.0, 1_956_527_999.0, 1_709_251_199.0]
    )
    func roundTrip(seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        #expect(SRP.parseTimestamp(SRP.timestamp(date)) == date)
    }

    @Test(
        "anything Cognito refuses does not read: a zero-padded day, a wrong weekday, another zone, junk",
        arguments: [
            "Sun Feb 04 11:08:36 UTC 2018", "Mon Feb 4 11:08:36 UTC 2018", "Sun Feb 4 11:08:36 GMT 2018", "Sun Feb 4 11:08 UTC 2018",
            "Sun Feb 30 11:08:36 UTC 2018", "Sun Feb 4 25:08:36 UTC 2018", "Sun Feb  4 11:08:36 UTC 2018", "sun feb 4 11:08:36 UTC 2018",
            "", "2018-02-04T11:08:36Z",
        ]
    )
    func refused(text: String) {
        #expect(SRP.parseTimestamp(text) == nil)
    }
}

@Suite("SRP session key checked from the stored key")
struct SRPStoredKeyTests {
    @Test("the key a challenge derives when issued verifies the client's claim later, and nothing else")
    func storedKeyVerifiesClaim() throws {
        var generator = SeededGenerator(seed: 7)
        let verifier = PasswordVerifier.make(password: "Corr3ct-Horse!", poolName: "AbC", userID: "alice", using: &generator)
        let client = TestSRPClient(using: &generator)
        let challenge = try SRPServerChallenge(verifier: verifier, srpAHex: client.largeA.hex, using: &generator)
        let stored = challenge.sessionKey
        let clientKey = try #require(
            client.sessionKey(srpBHex: challenge.srpBHex, saltHex: verifier.saltHex, poolName: "AbC", userID: "alice", password: "Corr3ct-Horse!"))
        let timestamp = "Thu Nov 26 12:00:00 UTC 2026"
        let block = Array("block".utf8)
        let signature = TestSRPClient.signature(key: clientKey, poolName: "AbC", userID: "alice", secretBlock: block, timestamp: timestamp)
        func valid(_ poolName: String = "AbC", _ userID: String = "alice", _ block: [UInt8] = block, _ timestamp: String = timestamp) -> Bool {
            SRP.isValidPasswordClaim(
                sessionKey: stored, poolName: poolName, userID: userID, secretBlock: block, timestamp: timestamp, signature: signature)
        }
        #expect(valid())
        #expect(!valid("AbD"))
        #expect(!valid("AbC", "bob"))
        #expect(!valid("AbC", "alice", Array("other".utf8)))
        #expect(!valid("AbC", "alice", block, "Thu Nov 26 12:00:01 UTC 2026"))
        #expect(
            !SRP.isValidPasswordClaim(sessionKey: stored, poolName: "AbC", userID: "alice", secretBlock: block, timestamp: timestamp, signature: "%%")
        )
    }

    @Test("SRP_A is validated on its own before any work is done for it")
    func validatesClientPublic() throws {
        var generator = SeededGenerator(seed: 3)
        try SRPServerChallenge.validate(srpAHex: TestSRPClient(using: &generator).largeA.hex)
        for bad in ["", "zz", "0", SRP.modulus.hex, String(repeating: "f", count: 2000)] {
            #expect(throws: SRPError.invalidClientPublicValue) { try SRPServerChallenge.validate(srpAHex: bad) }
        }
    }
}

@Suite("SRP decoy verifier (PreventUserExistenceErrors)")
struct SRPDecoyVerifierTests {
    @Test("the same seed gives the same salt and verifier; another seed another; the salt looks like a real one")
    func deterministic() {
        let seed = Array(repeating: UInt8(7), count: 32)
        let first = PasswordVerifier.decoy(seed: seed)
        #expect(PasswordVerifier.decoy(seed: seed) == first)
        #expect(PasswordVerifier.decoy(seed: Array(repeating: 8, count: 32)) != first)
        let real = PasswordVerifier.make(password: "pw", poolName: "P", userID: "u")
        #expect(first.saltHex.count <= 34 && first.saltHex.count >= 32)
        #expect(real.saltHex.count <= 34 && real.saltHex.count >= 30)
        #expect(BigNumber(hex: first.verifierHex).map { !$0.isZero && $0.reduced(modulo: SRP.modulus) == $0 } == true)
    }

    @Test("a challenge from a decoy has a valid B and no client key derived from a password matches it")
    func challengeFromDecoy() throws {
        var generator = SeededGenerator(seed: 11)
        let decoy = PasswordVerifier.decoy(seed: Array(0..<32))
        let client = TestSRPClient(using: &generator)
        let challenge = try SRPServerChallenge(verifier: decoy, srpAHex: client.largeA.hex, using: &generator)
        #expect(BigNumber(hex: challenge.srpBHex).map { !$0.isZero } == true)
        let guess = try #require(
            client.sessionKey(srpBHex: challenge.srpBHex, saltHex: decoy.saltHex, poolName: "P", userID: "ghost", password: "Corr3ct-Horse!"))
        #expect(guess != challenge.sessionKey)
        #expect(!decoy.matches(password: "Corr3ct-Horse!", poolName: "P", userID: "ghost"))
    }
}
