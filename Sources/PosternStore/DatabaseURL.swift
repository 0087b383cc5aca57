import Foundation
import NIOSSL
import PostgresNIO

/// A `postgres://user:password@host:port/database?sslmode=…&sslrootcert=…` URL, read as libpq reads it.
///
/// `sslmode` follows libpq: `disable` (plain), `prefer` (the default: TLS when the server offers it,
/// unverified), `require` (TLS, unverified; verified against `sslrootcert` like `verify-ca` when one is
/// given), `verify-ca` (TLS, certificate chain checked) and `verify-full` (chain and host name).
/// `allow` (plain first) has no postgres-nio equivalent and is refused rather than silently changed.
public struct DatabaseURL: Sendable, Equatable {
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String?
    public var sslMode: SSLMode
    /// CA certificates (PEM) that verify the server; the system's trust store when nil.
    public var sslRootCert: String?

    public init(_ url: String) throws(DatabaseURLError) {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? "") else {
            throw DatabaseURLError("database URL must look like postgres://user:password@host:port/database")
        }
        host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        port = components.port ?? 5432
        username = components.user ?? "postgres"
        password = components.password
        database = components.path.count > 1 ? String(components.path.dropFirst()) : nil
        sslMode = .prefer
        sslRootCert = nil
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = SSLMode(rawValue: item.value ?? "") else {
                    throw DatabaseURLError(
                        "sslmode must be one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", ")) (got \(item.value ?? ""))")
                }
                sslMode = mode
            case "sslrootcert":
                sslRootCert = item.value
            case let name where name.hasPrefix("ssl"):
                // sslcert, sslkey, sslcrl…: refused rather than ignored, so nobody believes they are in force.
                throw DatabaseURLError("unsupported database URL parameter \(name)")
            default:
                break  // application_name and the like: nothing postgres-nio's connection needs
            }
        }
    }

    /// The TLS settings for `sslMode`: nil for plain connections, else whether TLS is required and how the
    /// server's certificate is checked.
    public func tlsConfiguration() throws(DatabaseURLError) -> (required: Bool, TLSConfiguration)? {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let sslRootCert {
            guard FileManager.default.isReadableFile(atPath: sslRootCert) else {
                throw DatabaseURLError("sslrootcert \(sslRootCert) is not readable")
            }
            tls.trustRoots = .file(sslRootCert)
        }
        switch sslMode {
        case .disable: return nil
        case .prefer: tls.certificateVerification = .none
        case .require: tls.certificateVerification = sslRootCert == nil ? .none : .noHostnameVerification
        case .verifyCA: tls.certificateVerification = .noHostnameVerification
        case .verifyFull: tls.certificateVerification = .fullVerification
        }
        return (sslMode != .prefer, tls)
    }

    /// postgres-nio's pool configuration for this URL.
    public func configuration() throws(DatabaseURLError) -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS =
            switch try tlsConfiguration() {
            case nil: .disable
            case (true, let configuration)?: .require(configuration)
            case (false, let configuration)?: .prefer(configuration)
            }
        return PostgresClient.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
    }

    /// postgres-nio's single-connection configuration for this URL.
    public func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS =
            switch try tlsConfiguration() {
            case nil: .disable
            case (true, let configuration)?: .require(try NIOSSLContext(configuration: configuration))
            case (false, let configuration)?: .prefer(try NIOSSLContext(configuration: configuration))
            }
        return PostgresConnection.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
    }
}

/// A database URL that cannot be used; the message never contains the password.
public struct DatabaseURLError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
