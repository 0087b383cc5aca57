import Foundation
import JWTKit
import Testing
import _CryptoExtras

@testable import PosternCrypto

/// Opt-in timing of RS256 signing, jwt-kit (BoringSSL) against OpenSSL: it prints and never asserts.
/// Run alone: `POSTERN_BENCH_SIGNING=2000 swift test --filter SigningBenchmarkTests`.
@Suite struct SigningBenchmarkTests {
    static let count = ProcessInfo.processInfo.environment["POSTERN_BENCH_SIGNING"].flatMap { Int($0) }

    @Test(.enabled(if: count != nil, "set POSTERN_BENCH_SIGNING=N to time N signatures per library"))
    func timeSigningWithJWTKitAndWithOpenSSL() async throws {
        let count = max(Self.count ?? 0, 1)
        let fixture = try await SigningFixture.shared.value
        let key = try fixture.key("id")
        let claims = SigningFixture.claims()
        var header = JWTHeader()
        header.alg = "RS256"
        header.kid = key.kid
        let kid = JWKIdentifier(string: key.kid)
        let boring = try _RSA.Signing.PrivateKey(pemRepresentation: key.privateKey.pemRepresentation)
        let message = Data(try await fixture.keys.sign(claims, use: "id").split(separator: ".").prefix(2).joined(separator: ".").utf8)

        func milliseconds(_ body: () async throws -> Void) async rethrows -> Double {
            for _ in 0..<min(count, 20) { try await body() }
            let elapsed = try await ContinuousClock().measure { for _ in 0..<count { try await body() } }
            return (Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15) / Double(count)
        }

        let collection = await fixture.keys.jwtKitCollection()
        let jwtKitToken = try await milliseconds { _ = try await collection.sign(claims, kid: kid, header: header) }
        let openSSLToken = try await milliseconds { _ = try await fixture.keys.sign(claims, use: "id") }
        let boringSignature = try await milliseconds { _ = try boring.signature(for: message, padding: .insecurePKCS1v1_5) }
        let openSSLSignature = try await milliseconds { _ = try key.signer.sign(message) }
        print(
            """
            RS256, RSA-2048, \(count) each, ms per signature:
              token      jwt-kit (BoringSSL) \(String(format: "%.3f", jwtKitToken))  PoolSigningKeys (OpenSSL) \(String(format: "%.3f", openSSLToken))
              signature  BoringSSL           \(String(format: "%.3f", boringSignature))  OpenSSL                   \(String(format: "%.3f", openSSLSignature))
            """)
    }
}
