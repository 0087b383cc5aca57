import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import PosternCore
import PosternCrypto

/// Where an external OpenID issuer's signing keys come from, as the operator configured it
/// (`--openid-providers FILE`): keys given inline (so an air-gapped server verifies without fetching), a
/// JWKS URL, or, by default, the `jwks_uri` of the issuer's discovery document.
struct OpenIDKeyLocation: Sendable, Equatable {
    var issuer: String
    var jwks: JSONValue?
    var jwksURI: String?
}

/// Why an issuer's keys could not be had: its discovery document or key set was unreachable or unusable.
struct OpenIDKeyError: Error, CustomStringConvertible {
    var description: String
}

/// The signing keys of external OpenID Connect issuers, fetched on first use and kept for an hour.
///
/// A token naming a key id the cached set lacks makes the keys be fetched again (an issuer that rotated
/// its keys), at most once per `refreshInterval` per issuer, so tokens with made-up key ids cannot make the
/// server hammer an issuer; one that could not be reached is not asked again for `retryDelay`.
actor OpenIDKeySource {
    struct Entry {
        var keys: ExternalKeySet
        var fetchedAt: ContinuousClock.Instant
    }

    let client: HTTPClient
    let logger: Logger
    let lifetime: Duration = .seconds(3600)
    let refreshInterval: Duration = .seconds(30)
    /// How long an issuer that could not be reached is not asked again (its tokens are refused meanwhile).
    let retryDelay: Duration = .seconds(5)
    var entries: [String: Entry] = [:]
    /// When each issuer's keys were last fetched early for an unknown key id.
    var forcedRefreshes: [String: ContinuousClock.Instant] = [:]
    var failures: [String: ContinuousClock.Instant] = [:]
    var inFlight: [String: Task<ExternalKeySet, any Error>] = [:]

    init(client: HTTPClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The issuer's keys; `refresh` asks for a fresh copy (a token names a key the cached set lacks), granted
    /// once per `refreshInterval` per issuer.
    func keys(for location: OpenIDKeyLocation, refresh: Bool = false) async throws -> ExternalKeySet {
        let now = ContinuousClock.now
        if let entry = entries[location.issuer], entry.fetchedAt.duration(to: now) < lifetime {
            guard refresh, forcedRefreshes[location.issuer].map({ $0.duration(to: now) >= refreshInterval }) ?? true else {
                return entry.keys
            }
            forcedRefreshes[location.issuer] = now
        }
        if let failed = failures[location.issuer], failed.duration(to: now) < retryDelay {
            throw OpenIDKeyError(description: "the issuer's keys could not be fetched a moment ago")
        }
        if let running = inFlight[location.issuer] { return try await running.value }
        let task = Task { try await self.load(location) }
        inFlight[location.issuer] = task
        defer { inFlight[location.issuer] = nil }
        do {
            let keys = try await task.value
            entries[location.issuer] = Entry(keys: keys, fetchedAt: ContinuousClock.now)
            failures[location.issuer] = nil
            return keys
        } catch {
            failures[location.issuer] = ContinuousClock.now
            logger.warning("OpenID keys unavailable", metadata: ["issuer": "\(location.issuer)", "error": "\(error)"])
            throw error
        }
    }

    private func load(_ location: OpenIDKeyLocation) async throws -> ExternalKeySet {
        if let jwks = location.jwks { return try await Self.collection(jwks) }
        let jwksURI: String
        if let configured = location.jwksURI {
            jwksURI = configured
        } else {
            let base = location.issuer.hasSuffix("/") ? String(location.issuer.dropLast()) : location.issuer
            let discovery = try await fetchJSON(base + "/.well-known/openid-configuration")
            // OpenID Connect Discovery § 4.3: the document's issuer must be the one it was fetched for.
            guard let issuer = discovery["issuer"]?.stringValue, issuer == location.issuer || issuer == base else {
                throw OpenIDKeyError(description: "the discovery document names another issuer")
            }
            guard let uri = discovery["jwks_uri"]?.stringValue else { throw OpenIDKeyError(description: "the discovery document has no jwks_uri") }
            jwksURI = uri
        }
        return try await Self.collection(try await fetchJSON(jwksURI))
    }

    static func collection(_ jwks: JSONValue) async throws -> ExternalKeySet {
        guard let keys = await ExternalKeySet(jwks: jwks) else { throw OpenIDKeyError(description: "the key set holds no usable signing key") }
        return keys
    }

    /// GETs a JSON object over https (http only on this machine's loopback), at most 512 KiB, within 5 s.
    func fetchJSON(_ url: String) async throws -> JSONValue {
        guard let components = URLComponents(string: url), let host = components.host,
            components.scheme == "https" || (components.scheme == "http" && IAMOpenIDConnectProvider.isLoopback(host: host))
        else { throw OpenIDKeyError(description: "\(url) is not an https URL") }
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        let body: ByteBuffer
        do {
            let response = try await client.execute(request, timeout: .seconds(5))
            guard response.status.code == 200 else { throw OpenIDKeyError(description: "\(url) answered HTTP \(response.status.code)") }
            body = try await response.body.collect(upTo: 512 * 1024)
        } catch let error as OpenIDKeyError {
            throw error
        } catch {
            throw OpenIDKeyError(description: "\(url) could not be fetched (\(type(of: error)))")
        }
        guard let json = try? JSONValue.parse(Data(String(buffer: body).utf8)), json.objectValue != nil else {
            throw OpenIDKeyError(description: "\(url) is not a JSON object")
        }
        return json
    }
}
