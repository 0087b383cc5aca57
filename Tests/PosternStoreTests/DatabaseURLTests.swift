import Foundation
import Logging
import NIOPosix
import NIOSSL
import PosternStore
import PosternTestSupport
import PostgresNIO
import Testing

@Suite struct DatabaseURLTests {
    @Test func readsEveryPartOfAURL() throws {
        let url = try DatabaseURL("postgres://app:s%40cret@db.example.com:6543/postern?sslmode=verify-full&application_name=x")
        #expect(url.host == "db.example.com" && url.port == 6543 && url.username == "app" && url.password == "s@cret")
        #expect(url.database == "postern" && url.sslMode == .verifyFull && url.sslRootCert == nil)
    }

    @Test func defaultsFollowLibpq() throws {
        let url = try DatabaseURL("postgresql://localhost")
        #expect(url.host == "localhost" && url.port == 5432 && url.username == "postgres" && url.password == nil && url.database == nil)
        #expect(url.sslMode == .prefer, "libpq's default sslmode")
    }

    @Test(
        arguments: [
            ("disable", nil), ("prefer", false), ("require", true), ("verify-ca", true), ("verify-full", true),
        ] as [(String, Bool?)])
    func eachSSLModeMapsToPostgresNIOsTLS(mode: String, required: Bool?) throws {
        let tls = try DatabaseURL("postgres://u@h/d?sslmode=\(mode)").tlsConfiguration()
        #expect(tls?.required == required)
        let verification = tls?.1.certificateVerification
        switch mode {
        case "prefer", "require": #expect(verification == CertificateVerification.none)
        case "verify-ca": #expect(verification == .noHostnameVerification)
        case "verify-full": #expect(verification == .fullVerification)
        default: #expect(tls == nil)
        }
    }

    @Test func requireWithARootCertificateVerifiesTheChainAsLibpqDoes() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("postern-ca-\(UUID().uuidString).pem")
        try Data("not read until connecting".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let tls = try DatabaseURL("postgres://u@h/d?sslmode=require&sslrootcert=\(file.path)").tlsConfiguration()
        #expect(tls?.1.certificateVerification == .noHostnameVerification)
        #expect(tls?.1.trustRoots == .file(file.path))
    }

    @Test(arguments: [
        "mysql://u@h/d", "postgres://u:hunter2@h/d?sslmode=allow", "postgres://u:hunter2@h/d?sslmode=bogus",
        "postgres://u:hunter2@h/d?sslcert=/tmp/client.pem", "postgres://u:hunter2@h/d?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem",
    ])
    func refusesWhatItCannotHonourWithoutLeakingThePassword(url: String) throws {
        let error = #expect(throws: DatabaseURLError.self) {
            _ = try DatabaseURL(url).configuration()
        }
        #expect(error?.description.contains("hunter2") == false)
    }
}

/// The test cluster's certificate (it is its own CA).
let testRootCert = ProcessInfo.processInfo.environment["POSTERN_TEST_PG_SSL_ROOT_CERT"].flatMap {
    FileManager.default.fileExists(atPath: $0) ? $0 : nil
}

/// Against the test cluster, which scripts/test starts with `ssl = on` and a self-signed certificate
/// for `localhost` (POSTERN_TEST_PG_SSL_ROOT_CERT).
@Suite(.enabled(if: TestDatabase.isConfigured && testRootCert != nil, "needs the test cluster with TLS"))
struct TLSConnectionTests {

    /// The test cluster's URL with another host and query.
    func url(host: String? = nil, _ query: String) throws -> DatabaseURL {
        guard let base = TestDatabase.url, var components = URLComponents(string: base) else { throw TestSetupError.notConfigured }
        if let host { components.host = host }
        components.percentEncodedQuery = query
        return try DatabaseURL(components.string!)
    }

    /// Connects once and answers whether the connection is encrypted (pg_stat_ssl).
    func encrypted(_ url: DatabaseURL) async throws -> Bool {
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.next(), configuration: try url.connectionConfiguration(), id: 1, logger: TestDatabase.logger)
        defer { Task { try? await connection.close() } }
        for try await ssl in try await connection.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", logger: TestDatabase.logger)
            .decode(Bool.self)
        {
            return ssl
        }
        return false
    }

    @Test func disableIsPlainAndRequireAndPreferEncrypt() async throws {
        #expect(try await encrypted(try url("sslmode=disable")) == false)
        #expect(try await encrypted(try url("sslmode=require")) == true)
        #expect(try await encrypted(try url("sslmode=prefer")) == true)
    }

    @Test func thePoolEncryptsWithRequire() async throws {
        let configuration = try url("sslmode=require").configuration()
        let ssl = try await PostgresClient.withClient(configuration, logger: TestDatabase.logger) { client in
            for try await ssl in try await client.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").decode(Bool.self) {
                return ssl
            }
            return false
        }
        #expect(ssl)
    }

    @Test func verifyFullAcceptsTheRightNameAndCA() async throws {
        #expect(try await encrypted(try url(host: "localhost", "sslmode=verify-full&sslrootcert=\(testRootCert!)")) == true)
        #expect(try await encrypted(try url(host: "127.0.0.1", "sslmode=verify-ca&sslrootcert=\(testRootCert!)")) == true)
    }

    @Test func verifyFullRefusesAWrongNameOrAnUnknownCA() async throws {
        // The certificate names localhost only.
        await #expect(throws: (any Error).self) {
            try await encrypted(try url(host: "127.0.0.1", "sslmode=verify-full&sslrootcert=\(testRootCert!)"))
        }
        // Without sslrootcert the system's roots apply, and they do not know the self-signed certificate.
        await #expect(throws: (any Error).self) { try await encrypted(try url(host: "localhost", "sslmode=verify-full")) }
        await #expect(throws: (any Error).self) { try await encrypted(try url(host: "localhost", "sslmode=verify-ca")) }
    }
}
