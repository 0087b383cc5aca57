import Foundation
import Testing

@testable import PosternAPI

/// Reading AWS STS's answers and errors, and encoding its form, without a network.
@Suite struct UpstreamSTSTests {
    @Test func readsTheCredentialsElementsOfAnAnswer() throws {
        let xml = """
            <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult>
            <Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>s/e+c&amp;r</SecretAccessKey>
            <SessionToken>tok</SessionToken><Expiration>2027-01-15T08:00:00Z</Expiration></Credentials>
            </AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>
            """
        #expect(UpstreamSTS.element("AccessKeyId", in: xml) == "ASIAEXAMPLE")
        #expect(UpstreamSTS.element("SecretAccessKey", in: xml) == "s/e+c&r")
        #expect(UpstreamSTS.element("Missing", in: xml) == nil)
        let expiration = try #require(UpstreamSTS.element("Expiration", in: xml).flatMap(UpstreamSTS.parseDate))
        #expect(expiration == Date(timeIntervalSince1970: 1_800_000_000))
        #expect(UpstreamSTS.parseDate("2027-01-15T08:00:00.000Z") == Date(timeIntervalSince1970: 1_800_000_000))
    }

    @Test func readsTheCodeOfAnError() {
        let xml = """
            <ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code>
            <Message>No OpenIDConnect provider found in your account for https://issuer</Message></Error></ErrorResponse>
            """
        #expect(UpstreamSTS.element("Code", in: xml) == "InvalidIdentityToken")
        #expect(UpstreamSTS.element("Message", in: xml)?.hasPrefix("No OpenIDConnect provider") == true)
    }

    @Test func formEncodesEverythingButUnreservedCharacters() {
        #expect(UpstreamSTS.formEncode("arn:aws:iam::1:role/a b+c") == "arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fa%20b%2Bc")
        #expect(UpstreamSTS.formEncode("a-b_c.d~e") == "a-b_c.d~e")
    }
}
