import Foundation

extension Stream {
    /// An IAM OpenID Connect provider: `iamoidc-{url without scheme, in lower case}` (one provider per URL).
    public static func iamOpenIDConnectProvider(_ url: String) -> String { "iamoidc-\(url.lowercased())" }
}

/// CreateOpenIDConnectProvider. `url` is the provider's URL without its scheme, as IAM names it in the ARN and
/// GetOpenIDConnectProvider; `issuer` is the URL as given (the `iss` its tokens carry).
public struct IAMOpenIDConnectProviderCreated: EventPayload, Equatable {
    public static let eventType = "IAMOpenIDConnectProviderCreated"
    public var url: String
    public var issuer: String
    public var clientIds: [String]
    public var thumbprints: [String]
    public var tags: [String: String]
}

/// AddClientIDToOpenIDConnectProvider (a new audience).
public struct IAMOpenIDConnectProviderClientIDAdded: EventPayload, Equatable {
    public static let eventType = "IAMOpenIDConnectProviderClientIDAdded"
    public var url: String
    public var clientId: String
}

/// RemoveClientIDFromOpenIDConnectProvider.
public struct IAMOpenIDConnectProviderClientIDRemoved: EventPayload, Equatable {
    public static let eventType = "IAMOpenIDConnectProviderClientIDRemoved"
    public var url: String
    public var clientId: String
}

/// UpdateOpenIDConnectProviderThumbprint: the list replaced.
public struct IAMOpenIDConnectProviderThumbprintsUpdated: EventPayload, Equatable {
    public static let eventType = "IAMOpenIDConnectProviderThumbprintsUpdated"
    public var url: String
    public var thumbprints: [String]
}

/// TagOpenIDConnectProvider: tags added or replaced (a key differing only in case replaces the old one).
public struct IAMOpenIDConnectProviderTagged: EventPayload, Equatable {
    public static let eventType = "IAMOpenIDConnectProviderTagged"
    public var url: String
    public var tags: [String: String]
}

/// UntagOpenIDConnectProvider: the keys removed, matched regardless of case.
public struct IAMOpenIDConnectProviderUntagged: EventPayload, Equatable {
    public static let eventType = "IAMOpenIDConnectProviderUntagged"
    public var url: String
    public var tagKeys: [String]
}

/// DeleteOpenIDConnectProvider. Roles trusting it keep their trust policies; no token of it is accepted any more.
public struct IAMOpenIDConnectProviderDeleted: EventPayload, Equatable {
    public static let eventType = "IAMOpenIDConnectProviderDeleted"
    public var url: String
}

/// The write model of an IAM OpenID Connect provider (stream `iamoidc-<url>`): the issuer whose ID tokens
/// STS and identity pools accept, the audiences (client ids) they must be issued to, the TLS thumbprints
/// and tags, decided as IAM decides them.
public struct IAMOpenIDConnectProvider: Codable, Equatable, Sendable {
    /// Host and path, no scheme: `login.example.com/realms/app`.
    public var url: String
    /// The URL with its scheme, the `iss` of the provider's tokens and the base of its discovery document.
    public var issuer: String
    public var clientIds: [String]
    public var thumbprints: [String]
    public var tags: [String: String]
    public var version: Int

    /// IAM's quotas: client ids per provider, thumbprints per provider, providers per account.
    public static let maxClientIds = 100
    public static let maxThumbprints = 5
    public static let maxProviders = 100

    /// `arn:aws:iam::{account}:oidc-provider/{url}`.
    public func arn(account: String) -> String { "arn:aws:iam::\(account):oidc-provider/\(url)" }

    public static func evolve(_ state: IAMOpenIDConnectProvider?, with event: any EventPayload) -> IAMOpenIDConnectProvider? {
        if let created = event as? IAMOpenIDConnectProviderCreated {
            return IAMOpenIDConnectProvider(
                url: created.url, issuer: created.issuer, clientIds: created.clientIds, thumbprints: created.thumbprints, tags: created.tags,
                version: 1)
        }
        guard var provider = state else { return nil }
        provider.version += 1
        switch event {
        case let added as IAMOpenIDConnectProviderClientIDAdded: provider.clientIds.append(added.clientId)
        case let removed as IAMOpenIDConnectProviderClientIDRemoved: provider.clientIds.removeAll { $0 == removed.clientId }
        case let updated as IAMOpenIDConnectProviderThumbprintsUpdated: provider.thumbprints = updated.thumbprints
        case let tagged as IAMOpenIDConnectProviderTagged: provider.tags = IAMTags.merge(provider.tags, tagged.tags)
        case let untagged as IAMOpenIDConnectProviderUntagged:
            let keys = Set(untagged.tagKeys.map { $0.lowercased() })
            provider.tags = provider.tags.filter { !keys.contains($0.key.lowercased()) }
        case is IAMOpenIDConnectProviderDeleted: return nil
        default: break
        }
        return provider
    }

    // MARK: Decisions

    /// Whether `host` is this machine: the one place a provider may be served over plain http (a local IdP
    /// in development and tests, reached without leaving the host).
    public static func isLoopback(host: String) -> Bool {
        let host = host.lowercased()
        return host == "localhost" || host.hasSuffix(".localhost") || host == "127.0.0.1" || host.hasPrefix("127.") || host == "[::1]"
    }

    /// A provider URL split into the issuer (with scheme) and the ARN's URL (without). IAM requires https;
    /// Postern also takes http for loopback hosts. No query, fragment or user info: `iss` is an https URL
    /// without them (OpenID Connect Core § 2).
    public static func parseURL(_ text: String?) throws(IAMError) -> (issuer: String, url: String) {
        guard let text, !text.isEmpty else { throw .validation("The specified value for url is invalid. It must not be empty.") }
        guard text.count <= 255 else {
            throw .validation(
                "1 validation error detected: Value '\(text)' at 'url' failed to satisfy constraint: Member must have length less than or equal to 255"
            )
        }
        let invalid = IAMError("InvalidInput", "Invalid OpenID Connect provider URL: \(text)", status: 400)
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(), let host = components.host,
            !host.isEmpty, components.query == nil, components.fragment == nil, components.user == nil, components.password == nil
        else { throw invalid }
        let hostPart = components.port.map { "\(host):\($0)" } ?? host
        guard scheme == "https" || (scheme == "http" && isLoopback(host: host)) else {
            throw IAMError("InvalidInput", "The URL of an OpenID Connect provider must begin with https://: \(text)", status: 400)
        }
        let path = components.percentEncodedPath
        guard !path.contains("//"), !path.split(separator: "/").contains(where: { $0 == "." || $0 == ".." }) else { throw invalid }
        let url = hostPart.lowercased() + (path == "/" ? "" : path)
        return ("\(scheme)://\(url)", url)
    }

    static func validateClientId(_ clientId: String) throws(IAMError) {
        guard (1...255).contains(clientId.count) else {
            throw .validation(
                "1 validation error detected: Value '\(clientId)' at 'clientID' failed to satisfy constraint: Member must have length \(clientId.isEmpty ? "greater than or equal to 1" : "less than or equal to 255")"
            )
        }
    }

    /// A thumbprint list: at most five SHA-1 fingerprints of 40 hexadecimal digits, kept in lower case.
    static func validateThumbprints(_ thumbprints: [String]) throws(IAMError) -> [String] {
        guard thumbprints.count <= maxThumbprints else {
            throw .limitExceeded("Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: \(maxThumbprints)")
        }
        return try thumbprints.map { thumbprint throws(IAMError) in
            guard thumbprint.count == 40 else {
                throw .validation(
                    "1 validation error detected: Value '\(thumbprint)' at 'thumbprintList' failed to satisfy constraint: Member must have length 40")
            }
            guard thumbprint.allSatisfy(\.isHexDigit) else {
                throw IAMError("InvalidInput", "Thumbprint must be a hexadecimal value: \(thumbprint)", status: 400)
            }
            return thumbprint.lowercased()
        }
    }

    /// CreateOpenIDConnectProvider. `existing` is the number of providers the account has.
    public static func create(
        url text: String?, clientIds: [String], thumbprints: [String], tags: [(key: String, value: String)], existing: Int
    ) throws(IAMError) -> IAMOpenIDConnectProviderCreated {
        let (issuer, url) = try parseURL(text)
        for clientId in clientIds { try validateClientId(clientId) }
        guard Set(clientIds).count <= maxClientIds else {
            throw .limitExceeded("Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: \(maxClientIds)")
        }
        let thumbprints = try validateThumbprints(thumbprints)
        let tags = try IAMTags.validate(tags)
        guard existing < maxProviders else { throw .limitExceeded("Cannot exceed quota for OpenIdConnectProvidersPerAccount: \(maxProviders)") }
        var distinct: [String] = []
        for clientId in clientIds where !distinct.contains(clientId) { distinct.append(clientId) }
        return IAMOpenIDConnectProviderCreated(url: url, issuer: issuer, clientIds: distinct, thumbprints: thumbprints, tags: tags)
    }

    /// AddClientIDToOpenIDConnectProvider: nothing to do for a client id it has (IAM answers success).
    public func addClientId(_ clientId: String?) throws(IAMError) -> IAMOpenIDConnectProviderClientIDAdded? {
        let clientId = clientId ?? ""
        try Self.validateClientId(clientId)
        if clientIds.contains(clientId) { return nil }
        guard clientIds.count < Self.maxClientIds else {
            throw .limitExceeded("Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: \(Self.maxClientIds)")
        }
        return IAMOpenIDConnectProviderClientIDAdded(url: url, clientId: clientId)
    }

    /// RemoveClientIDFromOpenIDConnectProvider: nothing to do for a client id it lacks (IAM answers success).
    public func removeClientId(_ clientId: String?) throws(IAMError) -> IAMOpenIDConnectProviderClientIDRemoved? {
        let clientId = clientId ?? ""
        try Self.validateClientId(clientId)
        guard clientIds.contains(clientId) else { return nil }
        return IAMOpenIDConnectProviderClientIDRemoved(url: url, clientId: clientId)
    }

    public func updateThumbprints(_ thumbprints: [String]) throws(IAMError) -> IAMOpenIDConnectProviderThumbprintsUpdated {
        IAMOpenIDConnectProviderThumbprintsUpdated(url: url, thumbprints: try Self.validateThumbprints(thumbprints))
    }

    /// TagOpenIDConnectProvider: at most 50 tags once merged.
    public func tag(_ tags: [(key: String, value: String)]) throws(IAMError) -> IAMOpenIDConnectProviderTagged {
        guard !tags.isEmpty else { throw .validation("The specified value for tags is invalid. It must not be empty.") }
        let added = try IAMTags.validate(tags)
        guard IAMTags.merge(self.tags, added).count <= IAMTags.maxTags else {
            throw .limitExceeded("Cannot exceed quota for TagsPerOpenIdConnectProvider: \(IAMTags.maxTags).")
        }
        return IAMOpenIDConnectProviderTagged(url: url, tags: added)
    }

    /// UntagOpenIDConnectProvider: keys it does not have are ignored.
    public func untag(_ keys: [String]) throws(IAMError) -> IAMOpenIDConnectProviderUntagged {
        guard keys.count <= IAMTags.maxTags else {
            throw .validation(
                "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to 50")
        }
        for key in keys { try IAMTags.validateKey(key) }
        return IAMOpenIDConnectProviderUntagged(url: url, tagKeys: keys)
    }

    public func delete() -> IAMOpenIDConnectProviderDeleted { IAMOpenIDConnectProviderDeleted(url: url) }

    /// Whether a token's audience is one of the provider's client ids: any `aud` value, or `azp` (the party
    /// the token was issued to, which IAM uses as `:aud` when the token has one).
    public func acceptsAudience(aud: [String], azp: String?) -> Bool {
        aud.contains(where: clientIds.contains) || azp.map(clientIds.contains) == true
    }
}
