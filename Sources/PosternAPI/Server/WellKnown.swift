import Foundation
import Hummingbird
import NIOCore
import PosternCore
import PosternCrypto
import PosternStore

/// JWKS and OpenID discovery per pool, at `{issuer}/.well-known/…` as Cognito publishes them.
struct WellKnown: Sendable {
    let postern: Postern

    func register(on router: Router<PosternRequestContext>) {
        // The identity-pool token issuer (GetOpenIdToken): its discovery document and key, at the paths
        // AWS publishes them under https://cognito-identity.amazonaws.com.
        router.get("/cognito-identity/.well-known/openid-configuration") { _, _ in
            let issuer = postern.identityTokenIssuer
            return try Self.json(
                .object([
                    "issuer": .string(issuer), "jwks_uri": .string("\(issuer)/.well-known/jwks_uri"),
                    "response_types_supported": .array(["id_token"]), "subject_types_supported": .array(["public"]),
                    "id_token_signing_alg_values_supported": .array(["RS512"]),
                    "claims_supported": .array(["sub", "aud", "amr", "iss", "exp", "iat"]),
                ]))
        }
        router.get("/cognito-identity/.well-known/jwks_uri") { _, _ in
            let call = Call(requestId: UUID().uuidString.lowercased(), operation: "IdentityTokenKeys", now: Date())
            return try Self.json(try await postern.identityTokenSigner(call: call).jwks())
        }
        router.get("/:poolId/.well-known/jwks.json") { _, context in
            let pool = try await self.pool(context)
            return try Self.json(try await postern.signingKeys.keys(for: pool).jwks())
        }
        router.get("/:poolId/.well-known/openid-configuration") { _, context in
            let pool = try await self.pool(context)
            let issuer = postern.issuer(pool.id)
            let base = postern.configuration.issuerBase
            return try Self.json(
                .object([
                    "issuer": .string(issuer),
                    "jwks_uri": .string("\(issuer)/.well-known/jwks.json"),
                    "authorization_endpoint": .string("\(base)/oauth2/authorize"),
                    "token_endpoint": .string("\(base)/oauth2/token"),
                    "userinfo_endpoint": .string("\(base)/oauth2/userInfo"),
                    "revocation_endpoint": .string("\(base)/oauth2/revoke"),
                    "end_session_endpoint": .string("\(base)/logout"),
                    "response_types_supported": .array(["code", "token"]),
                    "subject_types_supported": .array(["public"]),
                    "id_token_signing_alg_values_supported": .array(["RS256"]),
                    "scopes_supported": .array(["openid", "email", "phone", "profile"]),
                    "token_endpoint_auth_methods_supported": .array(["client_secret_basic", "client_secret_post"]),
                ]))
        }
    }

    func pool(_ context: PosternRequestContext) async throws -> PoolRecord {
        let id = context.parameters.get("poolId") ?? ""
        do {
            return try await postern.directory.pool(id)
        } catch {
            throw HTTPError(.notFound, message: "No such user pool.")
        }
    }

    static func json(_ value: JSONValue) throws -> Response {
        let data = try WireJSON.encode(value)
        return Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: "public, max-age=300"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
