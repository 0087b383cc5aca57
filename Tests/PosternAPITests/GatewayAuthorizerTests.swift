import Foundation
import PosternCore
import PosternCrypto
import Testing

@testable import PosternAPI

/// API Gateway's IAM authorization as the gateway decides it: method ARNs, the session's condition keys,
/// policy variables and the refusals' wording.
@Suite struct GatewayAuthorizerTests {
    let authorizer = GatewayAuthorizer(region: "eu-west-1", account: "123456789012", apiId: "a1b2c3", stage: "prod")
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func session(amr: [String] = ["authenticated", "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_X"], tags: [String: String]? = nil)
        -> SessionCredentials.Session
    {
        SessionCredentials.Session(
            accessKeyId: "ASIAEXAMPLE", secretAccessKey: "secret", roleArn: "arn:aws:iam::123456789012:role/app", roleId: "AROAEXAMPLE",
            sessionName: "CognitoIdentityCredentials", issuedAt: 1_799_999_000, expiresAt: 1_800_002_600,
            subject: "eu-west-1:1111-2222", audience: "eu-west-1:pool-3333", amr: amr, tags: tags)
    }

    func policy(_ statements: String) throws -> PolicyDocument {
        try PolicyDocument(json: #"{"Version":"2012-10-17","Statement":[\#(statements)]}"#, kind: .identity)
    }

    func decide(
        _ policies: [PolicyDocument], _ method: String, _ path: String, session: SessionCredentials.Session? = nil,
        sessionPolicies: [PolicyDocument]? = nil
    ) -> PolicyDecision.Outcome {
        authorizer.decide(
            session: session ?? self.session(), policies: policies, sessionPolicies: sessionPolicies, method: method, resourcePath: path,
            sourceIp: "10.0.0.7", now: now
        ).outcome
    }

    @Test func sessionPoliciesNarrowTheRoleAndOneOfThemMustAllow() throws {
        let role = try policy(#"{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}"#)
        let pets = try policy(#"{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:a1b2c3/prod/GET/pets/*"}"#)
        let toys = try policy(#"{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:a1b2c3/prod/GET/toys/*"}"#)
        #expect(decide([role], "GET", "/pets/1", sessionPolicies: [pets]) == .allowed)
        #expect(decide([role], "GET", "/toys/1", sessionPolicies: [pets, toys]) == .allowed)
        #expect(decide([role], "GET", "/cars/1", sessionPolicies: [pets, toys]) == .implicitDeny)
        #expect(decide([role], "POST", "/pets/1", sessionPolicies: [pets]) == .implicitDeny)
        // A session policy never grants what the role does not.
        #expect(decide([toys], "GET", "/pets/1", sessionPolicies: [pets]) == .implicitDeny)
        // Given session policies of which none is left (deleted managed policies), the session may do nothing.
        #expect(decide([role], "GET", "/pets/1", sessionPolicies: []) == .implicitDeny)
    }

    @Test func methodArnNamesRegionAccountApiStageMethodAndPathWithoutLeadingSlash() {
        #expect(
            authorizer.resourceArn(method: "get", resourcePath: "/pets/42") == "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3/prod/GET/pets/42")
        #expect(authorizer.resourceArn(method: "POST", resourcePath: "/") == "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3/prod/POST/")
    }

    @Test func allowsWhatAStatementAllowsAndNothingElse() throws {
        let allow = try policy(#"{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:a1b2c3/prod/GET/pets/*"}"#)
        #expect(decide([allow], "GET", "/pets/42") == .allowed)
        #expect(decide([allow], "DELETE", "/pets/42") == .implicitDeny)
        #expect(decide([allow], "GET", "/owners/1") == .implicitDeny)
        #expect(decide([], "GET", "/pets/42") == .implicitDeny)
    }

    @Test func anExplicitDenyWinsOverAnAllowInAnotherPolicy() throws {
        let allow = try policy(#"{"Effect":"Allow","Action":"execute-api:*","Resource":"*"}"#)
        let deny = try policy(#"{"Effect":"Deny","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:a1b2c3/prod/*/admin/*"}"#)
        #expect(decide([allow, deny], "GET", "/admin/users") == .explicitDeny)
        #expect(decide([allow, deny], "GET", "/pets") == .allowed)
    }

    @Test func theIdentityIdPolicyVariableLimitsAnIdentityToItsOwnPath() throws {
        let own = try policy(
            #"{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:eu-west-1:123456789012:a1b2c3/prod/*/users/${cognito-identity.amazonaws.com:sub}/*"}"#
        )
        #expect(decide([own], "GET", "/users/eu-west-1:1111-2222/profile") == .allowed)
        #expect(decide([own], "GET", "/users/eu-west-1:9999-0000/profile") == .implicitDeny)
    }

    @Test func amrSeparatesGuestsFromSignedInIdentities() throws {
        let signedIn = try policy(
            #"{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*","Condition":{"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"authenticated"}}}"#
        )
        #expect(decide([signedIn], "GET", "/x") == .allowed)
        #expect(decide([signedIn], "GET", "/x", session: session(amr: ["unauthenticated"])) == .implicitDeny)
    }

    @Test func sessionTagsArePrincipalTags() throws {
        let tagged = try policy(
            #"{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:a1b2c3/prod/GET/teams/${aws:PrincipalTag/team}"}"#
        )
        let withTag = session(tags: ["team": "blue"])
        #expect(decide([tagged], "GET", "/teams/blue", session: withTag) == .allowed)
        #expect(decide([tagged], "GET", "/teams/red", session: withTag) == .implicitDeny)
        #expect(decide([tagged], "GET", "/teams/blue", session: session()) == .implicitDeny)
        #expect(authorizer.context(for: withTag, sourceIp: nil, now: now)["aws:PrincipalTagKeys"] == ["team"])
    }

    @Test func aTokenIssueTimeDenyRevokesSessionsIssuedBeforeIt() throws {
        let allow = try policy(#"{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}"#)
        let revokeOlder = try policy(
            #"{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"2027-01-15T08:00:00Z"}}}"#
        )
        #expect(decide([allow, revokeOlder], "GET", "/x") == .explicitDeny)  // issued 2027-01-15T07:43:20Z
        let revokeEarlier = try policy(
            #"{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"2027-01-15T07:00:00Z"}}}"#
        )
        #expect(decide([allow, revokeEarlier], "GET", "/x") == .allowed)
    }

    @Test func sourceIpConditionsSeeThePeer() throws {
        let office = try policy(
            #"{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/24"}}}"#)
        #expect(decide([office], "GET", "/x") == .allowed)
        #expect(
            authorizer.decide(
                session: session(), policies: [office], sessionPolicies: nil, method: "GET", resourcePath: "/x", sourceIp: "192.0.2.1", now: now
            ).outcome
                == .implicitDeny)
    }

    @Test func theContextCarriesTheAssumedRoleKeys() {
        let context = authorizer.context(for: session(), sourceIp: "10.0.0.7", now: now)
        #expect(context["aws:PrincipalArn"] == ["arn:aws:iam::123456789012:role/app"])
        #expect(context["aws:PrincipalType"] == ["AssumedRole"])
        #expect(context["aws:userid"] == ["AROAEXAMPLE:CognitoIdentityCredentials"])
        #expect(context["cognito-identity.amazonaws.com:aud"] == ["eu-west-1:pool-3333"])
        #expect(context["aws:SecureTransport"] == ["false"])
    }

    @Test func refusalsAreWordedAsApiGatewayWordsThem() {
        let denied = GatewayRefusal.accessDenied(
            principal: "arn:aws:sts::123456789012:assumed-role/app/CognitoIdentityCredentials", resource: "arn:x", explicit: true)
        #expect(denied.message.hasSuffix("execute-api:Invoke on resource: arn:x with an explicit deny"))
        #expect(denied.capitalized && denied.type == "AccessDeniedException")
        #expect(GatewayRefusal.from(.missingAuthentication) == .missingToken)
        #expect(GatewayRefusal.from(.invalidSecurityToken) == .invalidToken)
        #expect(GatewayRefusal.from(.wrongService).type == "IncompleteSignatureException")
    }
}

extension GatewayAuthorizerTests {
    @Test func aSessionPolicyNarrowsTheRolesPermissions() throws {
        let role = try policy(#"{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}"#)
        let narrowed = [try policy(#"{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:a1b2c3/prod/GET/*"}"#)]
        #expect(decide([role], "GET", "/pets", sessionPolicies: narrowed) == .allowed)
        #expect(decide([role], "POST", "/pets", sessionPolicies: narrowed) == .implicitDeny)
        #expect(decide([], "GET", "/pets", sessionPolicies: narrowed) == .implicitDeny)  // a session policy grants nothing by itself
    }
}

extension GatewayAuthorizerTests {
    @Test func theResourcePathIsWhatFollowsTheStage() throws {
        #expect(try authorizer.resourcePath(of: "/prod/pets/42") == "/pets/42")
        #expect(try authorizer.resourcePath(of: "/prod") == "/")
        #expect(try authorizer.resourcePath(of: "/prod/") == "/")
        #expect(try authorizer.resourcePath(of: "/prod/pets/") == "/pets/")
        #expect(throws: GatewayRefusal.forbidden) { try authorizer.resourcePath(of: "/dev/pets") }
        #expect(throws: GatewayRefusal.forbidden) { try authorizer.resourcePath(of: "/production/pets") }
    }

    @Test(arguments: [
        "/prod/public/../admin", "/prod/public/%2e%2e/admin", "/prod/public/%2E./admin", "/prod/./admin", "/prod/../prod/admin",
        "/prod//admin", "/prod/a%2Fb", "/prod/a%5cb", "/prod/a\\b",
    ])
    func ambiguousPathsAreRefusedBeforeAnyPolicyIsAsked(path: String) {
        #expect(throws: GatewayRefusal.forbidden) { try authorizer.resourcePath(of: path) }
    }
}

extension GatewayAuthorizerTests {
    @Test func anAuthorizationMessageOpensOnlyWithItsKeyAndUnaltered() throws {
        let deny = try policy(#"{"Sid":"NoPets","Effect":"Deny","Action":"execute-api:Invoke","Resource":"*"}"#)
        let request = authorizer.policyRequest(session: session(), method: "GET", resourcePath: "/pets", sourceIp: "10.0.0.7", now: now)
        let decision = PolicyEvaluator(identityPolicies: [deny]).evaluate(request)
        let message = AuthorizationMessage(
            decision: decision, request: request, principalId: "AROAEXAMPLE:s", principalArn: "arn:aws:sts::123456789012:assumed-role/app/s",
            now: now)
        let key = try MasterKey(base64: MasterKey.generateBase64())
        let encoded = try message.encoded(sealer: key.sessions)
        #expect(encoded.count <= AuthorizationMessage.maximumEncodedLength)
        #expect(AuthorizationMessage.decode(encoded, sealer: key.sessions) == message)
        #expect(AuthorizationMessage.decode(encoded, sealer: try MasterKey(base64: MasterKey.generateBase64()).sessions) == nil)
        #expect(AuthorizationMessage.decode(encoded, sealer: key.sessionCredentials) == nil)
        var altered = Array(encoded)
        altered[altered.count / 2] = altered[altered.count / 2] == "A" ? "B" : "A"
        #expect(AuthorizationMessage.decode(String(altered), sealer: key.sessions) == nil)
        // Nothing of the context is readable without the key.
        #expect(!encoded.contains("10.0.0.7") && !(Base64URL.decode(encoded).map { String(decoding: $0, as: UTF8.self) } ?? "").contains("NoPets"))
        let document = message.decodedDocument
        #expect(document["explicitDeny"] == .bool(true))
        #expect(document["context"]?["resource"] == .string("arn:aws:execute-api:eu-west-1:123456789012:a1b2c3/prod/GET/pets"))
    }
}
