import Foundation
import PosternCore
import PostgresNIO

/// An IAM OpenID Connect provider as the directory holds it.
public struct IAMOpenIDConnectProviderRecord: Sendable {
    public var provider: IAMOpenIDConnectProvider
    public var createdAt: Date
}

extension DirectoryQueries {
    /// The provider registered for `url` (host and path, no scheme; any case).
    public func iamOpenIDConnectProvider(_ url: String) async throws -> IAMOpenIDConnectProviderRecord? {
        try await iamOpenIDConnectProviders(
            "SELECT provider::text, created_at FROM directory.iam_oidc_providers WHERE provider_key = \(url.lowercased())"
        ).first
    }

    /// Every provider of the account, in URL order.
    public func iamOpenIDConnectProviders() async throws -> [IAMOpenIDConnectProviderRecord] {
        try await iamOpenIDConnectProviders("SELECT provider::text, created_at FROM directory.iam_oidc_providers ORDER BY provider_key")
    }

    private func iamOpenIDConnectProviders(_ query: PostgresQuery) async throws -> [IAMOpenIDConnectProviderRecord] {
        var found: [IAMOpenIDConnectProviderRecord] = []
        for try await (provider, created) in try await client.query(query, logger: logger).decode((String, Date).self) {
            found.append(
                IAMOpenIDConnectProviderRecord(provider: try JSONValue.parse(provider).decode(IAMOpenIDConnectProvider.self), createdAt: created))
        }
        return found
    }
}
