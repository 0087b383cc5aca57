import Foundation
import PosternCore
import PosternCrypto

/// API Gateway's IAM authorization (`AWS_IAM` on a method) for one request: the caller's session is
/// evaluated against its role's permission policies for `execute-api:Invoke` on the method's ARN,
/// `arn:aws:execute-api:{region}:{account}:{api-id}/{stage}/{METHOD}/{resource path}`.
///
/// Pure: the session, the role's policies and the request come in, a decision goes out, so every rule
/// is tested without a server.
struct GatewayAuthorizer: Sendable {
    var region: String
    var account: String
    var apiId: String
    var stage: String

    /// The path after `/{stage}`; another stage is API Gateway's 403 Forbidden. A path with dot
    /// segments (`..`, `.`, also percent-encoded) or empty ones is refused too: the policy must be
    /// decided on exactly the path the upstream serves, and an upstream that normalizes `/a/../b` would
    /// otherwise serve a resource the policy never saw.
    func resourcePath(of path: String) throws(GatewayRefusal) -> String {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        for (index, segment) in segments.enumerated() {
            let decoded = segment.replacingOccurrences(of: "%2e", with: ".", options: .caseInsensitive)
            if decoded == "." || decoded == ".." || segment.contains("%2f") || segment.contains("%2F") || segment.contains("%5c")
                || segment.contains("%5C") || segment.contains("\\")
            {
                throw .forbidden
            }
            if segment.isEmpty && index != segments.count - 1 { throw .forbidden }
        }
        let prefix = "/" + stage
        guard path == prefix || path.hasPrefix(prefix + "/") else { throw .forbidden }
        let rest = String(path.dropFirst(prefix.count))
        return rest.isEmpty ? "/" : rest
    }

    /// The method ARN API Gateway authorizes: the path without its leading `/`, the method in capitals.
    func resourceArn(method: String, resourcePath: String) -> String {
        let path = resourcePath.hasPrefix("/") ? String(resourcePath.dropFirst()) : resourcePath
        return "arn:aws:execute-api:\(region):\(account):\(apiId)/\(stage)/\(method.uppercased())/\(path)"
    }

    /// The request context a session's policies see: the global keys STS sets for an assumed-role
    /// session, the web identity's `cognito-identity.amazonaws.com:` keys, and the session's tags.
    func context(for session: SessionCredentials.Session, sourceIp: String?, now: Date) -> ConditionContext {
        var context = ConditionContext()
        context.setCurrentTime(now)
        context["aws:SecureTransport"] = ["false"]
        context["aws:SourceIp"] = sourceIp.map { [$0] }
        context["aws:PrincipalArn"] = [session.roleArn]
        context["aws:PrincipalAccount"] = [account]
        context["aws:PrincipalType"] = ["AssumedRole"]
        context["aws:userid"] = ["\(session.roleId):\(session.sessionName)"]
        context["aws:TokenIssueTime"] = [ConditionContext.dateValue(epochSeconds: session.issuedAt)]
        if session.subject != nil {
            let provider = IdentityAPI.identityPoolTokenProvider
            context["aws:FederatedProvider"] = [provider]
            context["\(provider):sub"] = session.subject.map { [$0] }
            context["\(provider):aud"] = session.audience.map { [$0] }
            context["\(provider):amr"] = session.amr
        }
        if let federated = session.federated {
            // An external provider's web identity: its keys as AssumeRoleWithWebIdentity evaluated them.
            let principal =
                SocialProvider.named(federated.provider) != nil ? federated.provider : "arn:aws:iam::\(account):oidc-provider/\(federated.provider)"
            context["aws:FederatedProvider"] = [principal]
            context["\(federated.provider):sub"] = [federated.subject]
            context["\(federated.provider):aud"] = [federated.audience]
        }
        let tags = session.tags ?? [:]
        for (key, value) in tags { context["aws:PrincipalTag/\(key)"] = [value] }
        if !tags.isEmpty { context["aws:PrincipalTagKeys"] = tags.keys.sorted() }
        return context
    }

    /// `execute-api:Invoke` on the method's ARN, with the session's request context.
    func policyRequest(session: SessionCredentials.Session, method: String, resourcePath: String, sourceIp: String?, now: Date) -> PolicyRequest {
        PolicyRequest(
            action: "execute-api:Invoke", resource: resourceArn(method: method, resourcePath: resourcePath),
            context: context(for: session, sourceIp: sourceIp, now: now))
    }

    /// Whether the session may invoke the method, from its role's permission policies and its session
    /// policies (explicit deny first, then allow, else implicit deny, as IAM decides). A session given
    /// session policies may do only what the role and one of them allow; given some of which none is
    /// left (managed policies deleted since), it may do nothing.
    func decide(
        session: SessionCredentials.Session, policies: [PolicyDocument], sessionPolicies: [PolicyDocument]?, method: String,
        resourcePath: String, sourceIp: String?, now: Date
    ) -> PolicyDecision {
        let request = policyRequest(session: session, method: method, resourcePath: resourcePath, sourceIp: sourceIp, now: now)
        return PolicyEvaluator(identityPolicies: policies, sessionPolicies: sessionPolicies).evaluate(request)
    }
}

/// Why the gateway refused a request, worded as API Gateway answers it (status 403 unless said
/// otherwise; `x-amzn-ErrorType` and a JSON `message`).
struct GatewayRefusal: Error, Equatable, Sendable {
    var status: Int
    var type: String
    var message: String
    /// API Gateway spells the member `Message` on AccessDenied answers and `message` elsewhere.
    var capitalized = false
    /// An AccessDenied's `AuthorizationMessage`, sealed, sent as `X-Postern-Authorization-Message` for the
    /// account to decode with STS DecodeAuthorizationMessage.
    var authorizationMessage: String? = nil

    static let forbidden = GatewayRefusal(status: 403, type: "ForbiddenException", message: "Forbidden")
    static let missingToken = GatewayRefusal(
        status: 403, type: "MissingAuthenticationTokenException", message: "Missing Authentication Token")
    static let invalidToken = GatewayRefusal(
        status: 403, type: "UnrecognizedClientException", message: "The security token included in the request is invalid.")
    static let expiredToken = GatewayRefusal(
        status: 403, type: "ExpiredTokenException", message: "The security token included in the request is expired")
    static let signatureMismatch = GatewayRefusal(
        status: 403, type: "InvalidSignatureException",
        message:
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
    )
    static let tooLarge = GatewayRefusal(status: 413, type: "RequestTooLargeException", message: "Request Too Long")

    static func incompleteSignature(_ detail: String) -> GatewayRefusal {
        GatewayRefusal(status: 403, type: "IncompleteSignatureException", message: detail)
    }

    static func signatureExpired() -> GatewayRefusal {
        GatewayRefusal(
            status: 403, type: "InvalidSignatureException",
            message: "Signature expired: the request's X-Amz-Date is not within 5 minutes of the server's time.")
    }

    static func accessDenied(principal: String, resource: String, explicit: Bool) -> GatewayRefusal {
        GatewayRefusal(
            status: 403, type: "AccessDeniedException",
            message:
                "User: \(principal) is not authorized to perform: execute-api:Invoke on resource: \(resource)\(explicit ? " with an explicit deny" : "")",
            capitalized: true)
    }

    /// SigV4 failures as API Gateway names them.
    static func from(_ error: SigV4Error) -> GatewayRefusal {
        switch error {
        case .missingAuthentication: return .missingToken
        case .unknownAccessKey, .invalidSecurityToken: return .invalidToken
        case .signatureMismatch: return .signatureMismatch
        case .requestExpired: return .signatureExpired()
        case .wrongService, .wrongRegion:
            return .incompleteSignature("Credential should be scoped to a valid region and to the service 'execute-api'.")
        case .malformedAuthorization(let detail): return .incompleteSignature("Authorization header requires a valid signature: \(detail).")
        case .keyLookupFailed: return GatewayRefusal(status: 500, type: "InternalServerErrorException", message: "Internal server error")
        }
    }
}
