import Foundation
import PosternCrypto
import Testing

/// `Tests/Fixtures/sigv4_botocore.json`: requests signed by a real botocore `cognito-idp` client
/// (regenerate with `python3 Tests/Fixtures/sigv4_botocore.py`).
struct BotocoreFixture: Decodable {
    struct Request: Decodable {
        let name: String
        let method: String
        let path: String
        let query: String
        let headers: [[String]]
        let body: String

        var sigV4Request: SigV4Request {
            SigV4Request(
                method: method,
                path: path,
                query: query,
                headers: headers.map { (name: $0[0], value: $0[1]) },
                body: Array(body.utf8)
            )
        }
    }

    let accessKeyId: String
    let secretAccessKey: String
    let sessionToken: String
    let region: String
    let service: String
    let amzDate: String
    let requests: [Request]

    static func load() throws -> BotocoreFixture {
        try Fixtures.load(BotocoreFixture.self, from: "sigv4_botocore.json")
    }
}

extension SigV4Request {
    func replacingHeader(_ name: String, with value: String?) -> SigV4Request {
        var copy = self
        copy.headers.removeAll { $0.name.lowercased() == name.lowercased() }
        if let value { copy.headers.append((name: name, value: value)) }
        return copy
    }
}

@Suite("SigV4 verification")
struct SigV4Tests {
    /// 2026-11-26T12:00:00Z, the botocore fixture's signing time.
    static let fixtureNow = Date(timeIntervalSince1970: 1_795_694_400)

    let fixture: BotocoreFixture

    init() throws {
        fixture = try BotocoreFixture.load()
    }

    /// A verifier for the fixture's key; `sessionToken` is the one token it treats as live (none by default).
    func verifier(
        now: Date = fixtureNow, service: String = "cognito-idp", region: String = "us-east-1", secret: String? = nil,
        sessionToken: String? = nil
    ) -> SigV4Verifier {
        let key = fixture.accessKeyId
        let secret = secret ?? fixture.secretAccessKey
        var isValid: (@Sendable (String, String) async -> Bool)?
        if let live = sessionToken { isValid = { @Sendable token, id in token == live && id == key } }
        return SigV4Verifier(service: service, region: region, now: { now }, sessionTokenIsValid: isValid) { $0 == key ? secret : nil }
    }

    var request: SigV4Request {
        fixture.requests[0].sigV4Request
    }

    // MARK: Published and real-client vectors

    /// The IAM `ListUsers` example from the AWS SigV4 documentation ("Create a signed AWS API request").
    static let iamExample = SigV4Request(
        method: "GET",
        path: "/",
        query: "Action=ListUsers&Version=2010-05-08",
        headers: [
            (name: "Host", value: "iam.amazonaws.com"),
            (name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8"),
        ]
    )
    static let iamSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let iamDate = Date(timeIntervalSince1970: 1_440_938_160)  // 20150830T123600Z
    static let iamAuthorization =
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
        + "SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"

    @Test("the signer reproduces the AWS documentation's IAM ListUsers signature")
    func signerMatchesAWSExample() {
        let signer = SigV4Signer(accessKeyID: "AKIDEXAMPLE", secretAccessKey: Self.iamSecret, region: "us-east-1", service: "iam")
        let signed = signer.sign(Self.iamExample, at: Self.iamDate)
        #expect(signed.values(ofHeader: "x-amz-date") == ["20150830T123600Z"])
        #expect(signed.values(ofHeader: "authorization") == [Self.iamAuthorization])
    }

    @Test("the verifier accepts the AWS documentation's IAM ListUsers request")
    func verifierAcceptsAWSExample() async throws {
        let request = Self.iamExample
            .replacingHeader("X-Amz-Date", with: "20150830T123600Z")
            .replacingHeader("Authorization", with: Self.iamAuthorization)
        let verifier = SigV4Verifier(service: "iam", region: "us-east-1", now: { Self.iamDate }) { $0 == "AKIDEXAMPLE" ? Self.iamSecret : nil }
        let identity = try await verifier.verify(request)
        #expect(identity.accessKeyID == "AKIDEXAMPLE")
        #expect(identity.region == "us-east-1")
    }

    @Test("requests signed by real botocore verify, including dot segments, odd queries and session tokens", arguments: 0..<4)
    func botocoreRequestsVerify(index: Int) async throws {
        let request = fixture.requests[index]
        #expect(request.headers.contains { $0[0] == "X-Amz-Date" && $0[1] == fixture.amzDate })
        let identity = try await verifier(sessionToken: fixture.sessionToken).verify(request.sigV4Request)
        #expect(identity.accessKeyID == fixture.accessKeyId)
        #expect(identity.region == fixture.region)
    }

    // MARK: Rejections

    @Test("a tampered body fails the signature")
    func tamperedBody() async {
        var tampered = request
        tampered.body = Array(#"{"MaxResults": 60}"#.utf8)
        await #expect(throws: SigV4Error.signatureMismatch) { try await verifier().verify(tampered) }
    }

    @Test("a changed signed header fails the signature")
    func tamperedHeader() async {
        let tampered = request.replacingHeader("X-Amz-Target", with: "AWSCognitoIdentityProviderService.DeleteUserPool")
        await #expect(throws: SigV4Error.signatureMismatch) { try await verifier().verify(tampered) }
    }

    @Test("unsigned headers may change freely")
    func unsignedHeaderChange() async throws {
        let changed = request.replacingHeader("User-Agent", with: "something else")
        _ = try await verifier().verify(changed)
    }

    @Test("the wrong secret fails the signature")
    func wrongSecret() async {
        await #expect(throws: SigV4Error.signatureMismatch) { try await verifier(secret: "not-the-secret").verify(request) }
    }

    @Test("an unknown access key is reported as such")
    func unknownKey() async {
        let verifier = SigV4Verifier(service: "cognito-idp", region: "us-east-1", now: { Self.fixtureNow }) { _ in nil }
        await #expect(throws: SigV4Error.unknownAccessKey) { try await verifier.verify(request) }
    }

    @Test("X-Amz-Date more than five minutes from now is expired, within five minutes is fine", arguments: [-301.0, 301.0, 3600.0])
    func expired(offset: TimeInterval) async {
        let late = verifier(now: Self.fixtureNow.addingTimeInterval(offset))
        await #expect(throws: SigV4Error.requestExpired) { try await late.verify(request) }
    }

    @Test("skew within the limit is accepted", arguments: [-300.0, 0.0, 299.0])
    func withinSkew(offset: TimeInterval) async throws {
        _ = try await verifier(now: Self.fixtureNow.addingTimeInterval(offset)).verify(request)
    }

    @Test("a request without Authorization is unauthenticated")
    func missingAuthorization() async {
        await #expect(throws: SigV4Error.missingAuthentication) {
            try await verifier().verify(request.replacingHeader("Authorization", with: nil))
        }
    }

    @Test("two Authorization headers are malformed")
    func duplicateAuthorization() async throws {
        var doubled = request
        let authorization = try #require(request.values(ofHeader: "Authorization").first)
        doubled.headers.append((name: "authorization", value: authorization))
        await #expect(throws: SigV4Error.malformedAuthorization("more than one Authorization header")) {
            try await verifier().verify(doubled)
        }
    }

    @Test("a credential scoped to another service is refused")
    func wrongService() async {
        await #expect(throws: SigV4Error.wrongService) { try await verifier(service: "sts").verify(request) }
    }

    static func authorization(
        credential: String = "AKIDPOSTERNEXAMPLE/20261126/us-east-1/cognito-idp/aws4_request",
        signedHeaders: String = "host",
        signature: String = String(repeating: "a", count: 64)
    ) -> String {
        "AWS4-HMAC-SHA256 Credential=\(credential), SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

    @Test(
        "malformed Authorization headers are refused",
        arguments: [
            "Basic YWxhZGRpbjpvcGVuc2VzYW1l",
            "AWS4-HMAC-SHA256",
            "AWS4-HMAC-SHA256 Credential=AKIDPOSTERNEXAMPLE/20261126/us-east-1/cognito-idp/aws4_request, SignedHeaders=host",
            authorization(credential: "AKIDPOSTERNEXAMPLE/20261126/us-east-1/cognito-idp"),
            authorization(credential: "AKIDPOSTERNEXAMPLE/2026112/us-east-1/cognito-idp/aws4_request"),
            authorization(credential: "AKIDPOSTERNEXAMPLE/20261126/us-east-1/cognito-idp/aws5_request"),
            authorization(credential: "/20261126/us-east-1/cognito-idp/aws4_request"),
            authorization(signedHeaders: "x-amz-date"),
            authorization(signedHeaders: "Host"),
            authorization(signedHeaders: "host;host"),
            authorization(signature: "xyz"),
            authorization(signature: String(repeating: "g", count: 64)),
            authorization() + ", Signature=" + String(repeating: "b", count: 64),
        ]
    )
    func malformedAuthorization(header: String) async {
        await #expect {
            try await verifier().verify(request.replacingHeader("Authorization", with: header))
        } throws: { error in
            guard case .malformedAuthorization = error as? SigV4Error else { return false }
            return true
        }
    }

    @Test(
        "a missing or unparsable X-Amz-Date, or one from another day than the scope, is malformed",
        arguments: [
            nil, "2026-11-26T12:00:00Z", "20261326T120000Z", "20261127T120000Z",
        ] as [String?]
    )
    func badDate(amzDate: String?) async {
        await #expect {
            try await verifier().verify(request.replacingHeader("X-Amz-Date", with: amzDate))
        } throws: { error in
            guard case .malformedAuthorization = error as? SigV4Error else { return false }
            return true
        }
    }

    @Test("a signed header missing from the request is malformed")
    func missingSignedHeader() async {
        await #expect(throws: SigV4Error.malformedAuthorization("a signed header is missing from the request")) {
            try await verifier().verify(request.replacingHeader("X-Amz-Target", with: nil))
        }
    }

    @Test("a replaced session token fails the signature")
    func replacedSessionToken() async throws {
        let withToken = try #require(fixture.requests.first { $0.name == "ListUsersWithSessionToken" }).sigV4Request
        _ = try await verifier(sessionToken: fixture.sessionToken).verify(withToken)
        await #expect(throws: SigV4Error.signatureMismatch) {
            try await verifier(sessionToken: "other").verify(withToken.replacingHeader("X-Amz-Security-Token", with: "other"))
        }
    }

    @Test("a session token must be covered by the signature")
    func unsignedSessionToken() async {
        await #expect(throws: SigV4Error.malformedAuthorization("x-amz-security-token must be signed")) {
            try await verifier().verify(request.replacingHeader("X-Amz-Security-Token", with: "injected"))
        }
    }

    /// SHA-256 of `{"MaxResults": 10}`, computed with Python's hashlib.
    static let firstBodySHA256 = "8a9354f6dcd0e97e1f5804c376b5ed41c550757c400462c08746e820bee8250d"

    @Test("x-amz-content-sha256 must match the body")
    func contentHashMustMatch() async throws {
        let signer = SigV4Signer(
            accessKeyID: fixture.accessKeyId,
            secretAccessKey: fixture.secretAccessKey,
            region: "us-east-1",
            service: "cognito-idp"
        )
        let base = request.replacingHeader("Authorization", with: nil)
        let good = signer.sign(base.replacingHeader("X-Amz-Content-Sha256", with: Self.firstBodySHA256), at: Self.fixtureNow)
        _ = try await verifier().verify(good)
        let unsigned = signer.sign(base.replacingHeader("X-Amz-Content-Sha256", with: "UNSIGNED-PAYLOAD"), at: Self.fixtureNow)
        await #expect(throws: SigV4Error.signatureMismatch) { try await verifier().verify(unsigned) }
    }

    // MARK: What must be signed, scoped and known

    @Test("a credential scoped to another region than the server's is refused")
    func wrongRegion() async {
        await #expect(throws: SigV4Error.wrongRegion) { try await verifier(region: "eu-west-1").verify(request) }
    }

    @Test("every x-amz-* header sent must be signed, whatever its name", arguments: ["X-Amz-Target", "X-Amz-Foo", "x-amz-content-sha256"])
    func unsignedAmzHeader(name: String) async {
        let injected = request.replacingHeader(name, with: "injected")
        let signed = fixture.requests[0].headers.contains { $0[0].lowercased() == name.lowercased() }
        await #expect {
            try await verifier().verify(injected)
        } throws: { error in
            // A signed header that changed breaks the signature; an unsigned one is refused by name.
            error as? SigV4Error == (signed ? .signatureMismatch : .malformedAuthorization("\(name.lowercased()) must be signed"))
        }
    }

    @Test("host and x-amz-date must be in SignedHeaders")
    func hostAndDateMustBeSigned() async {
        await #expect(throws: SigV4Error.malformedAuthorization("host must be signed")) {
            try await verifier().verify(request.replacingHeader("Authorization", with: Self.authorization(signedHeaders: "x-amz-date;x-amz-target")))
        }
        await #expect(throws: SigV4Error.malformedAuthorization("x-amz-date must be signed")) {
            try await verifier().verify(request.replacingHeader("Authorization", with: Self.authorization(signedHeaders: "host;x-amz-target")))
        }
    }

    @Test("a signed session token is refused while no session credentials exist, and when the check says no")
    func sessionTokenMustBeLive() async throws {
        let withToken = try #require(fixture.requests.first { $0.name == "ListUsersWithSessionToken" }).sigV4Request
        await #expect(throws: SigV4Error.invalidSecurityToken) { try await verifier().verify(withToken) }
        await #expect(throws: SigV4Error.invalidSecurityToken) { try await verifier(sessionToken: "another").verify(withToken) }
    }

    // MARK: Signer round trips

    @Test(
        "the signer's output verifies, including session tokens, odd paths and unsorted queries",
        arguments: [
            ("/", ""),
            ("/a%20b/./c//d/../e", "z=1&a=%7e&a=2&empty=&flag"),
            ("/caf%C3%A9/x+y", "q=caf%C3%A9&p=a%2Fb"),
        ]
    )
    func signerRoundTrip(path: String, query: String) async throws {
        let signer = SigV4Signer(
            accessKeyID: fixture.accessKeyId,
            secretAccessKey: fixture.secretAccessKey,
            sessionToken: "token==",
            region: "eu-west-1",
            service: "cognito-idp"
        )
        let unsigned = SigV4Request(
            method: "POST",
            path: path,
            query: query,
            headers: [(name: "Host", value: "localhost:9229"), (name: "X-Custom", value: "  a   b  "), (name: "User-Agent", value: "test")],
            body: Array("{}".utf8)
        )
        let signed = signer.sign(unsigned, at: Self.fixtureNow)
        let authorization = try #require(signed.values(ofHeader: "authorization").first)
        #expect(authorization.contains("SignedHeaders=host;x-amz-date;x-amz-security-token;x-custom,"))
        let identity = try await verifier(region: "eu-west-1", sessionToken: "token==").verify(signed)
        #expect(identity.region == "eu-west-1")
        #expect(!String(describing: signer).contains(fixture.secretAccessKey))
        #expect(!String(describing: signed).contains("Signature"))
    }
}
