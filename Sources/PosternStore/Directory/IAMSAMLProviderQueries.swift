import Foundation
import PosternCore
import PostgresNIO

/// An IAM SAML provider as the directory holds it.
public struct IAMSAMLProviderRecord: Sendable {
    public var provider: IAMSAMLProvider
    public var createdAt: Date
}

extension DirectoryQueries {
    /// The provider named `name` (any case).
    public func iamSAMLProvider(_ name: String) async throws -> IAMSAMLProviderRecord? {
        try await iamSAMLProviders(
            "SELECT provider::text, created_at FROM directory.iam_saml_providers WHERE provider_key = \(name.lowercased())"
        ).first
    }

    /// Every provider of the account, in name order.
    public func iamSAMLProviders() async throws -> [IAMSAMLProviderRecord] {
        try await iamSAMLProviders("SELECT provider::text, created_at FROM directory.iam_saml_providers ORDER BY provider_key")
    }

    private func iamSAMLProviders(_ query: PostgresQuery) async throws -> [IAMSAMLProviderRecord] {
        var found: [IAMSAMLProviderRecord] = []
        for try await (provider, created) in try await client.query(query, logger: logger).decode((String, Date).self) {
            found.append(IAMSAMLProviderRecord(provider: try JSONValue.parse(provider).decode(IAMSAMLProvider.self), createdAt: created))
        }
        return found
    }
}
