import Foundation
import PosternCore
import Testing
import _CryptoExtras

@testable import PosternCrypto

/// SAML key material: metadata certificates must be X.509, private keys RSA (2048 bits or more, unencrypted PEM),
/// named by their public key and sealed so that only the SAML purpose opens them.
@Suite struct SAMLKeyMaterialTests {
    /// A self-signed certificate (`openssl req -x509 -newkey rsa:2048 -subj /CN=idp.example.com`).
    static let certificate = """
        MIIDFzCCAf+gAwIBAgIUCWzMRVTGZ1YfbBXAEMzC34yujUgwDQYJKoZIhvcNAQELBQAwGjEYMBYGA1UEAwwPaWRwLmV4YW1wbGUuY29tMCAXDTI2MTIwODAx
        MTQxNFoYDzIxMjYxMTE0MDExNDE0WjAaMRgwFgYDVQQDDA9pZHAuZXhhbXBsZS5jb20wggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQDY2FXmNFL/
        eIoVD7LBXvZkfJtY4yfmfJU3oJWnYC3bmYUFs7JVAZm/ZgJT0PhXUBxv/70NhcpZKCwaCeq7J0q383iEe7nLGrSGTqXM/+Rb7ifLm5fR0coQmeMpfpjEZFUf
        FQ3Ajt9fWWWHCFNlxCJbgLTmHZkGAx5Epw0bGid07Pkxf6nkk1DdJZJv0OtxESACj3X7dcPJDqv96ZKh8vcBWtkfAbg9ufI3zlall4ljrYBKELc8tyeCjPyS
        Csw13ecITpohJ0QnoOxq0gw6tKntb1MCz9Dd2NOTe3MDXujpEHxlWLOdPWzkHdZse28qyxdjpynqgVPXYbyf+6hM2+N/AgMBAAGjUzBRMB0GA1UdDgQWBBQw
        twqyv7+lyCdAYXlH8N/orkzH/DAfBgNVHSMEGDAWgBQwtwqyv7+lyCdAYXlH8N/orkzH/DAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3DQEBCwUAA4IBAQCd
        XViRzP+PpBz+3z65xX5tiYWI1OfyArbJ5+3euIlokE2xm34ZA4i4DO/rvKV9kaRh0i7JguJUVKQNpzVJLHxyHW0aB9IT2F5s99uW4D1o6yBwwROfTzaYKDSr
        2EZGNBwxg/yLaDqy5pA8fgDyTVwF40Qvu17fd18f/0HI+/5pZ77bS9SD5GXgPQRJMhxeCfOxwrz8d/4sAX7xMvdqJkUUnUa5zCJuneskwXu0wUp2BYcUbuDz
        ulLNcCiPMVaxgdgNK0f9bGqER5Xl5ZaYHuHGLoELhhnqhOD2Jy+gj5Ddde5jsjSx8p2u1CPJEY2w6bVHN8ExvLN/QuyU8Sq86aVz
        """
    static let key = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    static let sealer = try! MasterKey(base64: MasterKey.generateBase64()).secrets

    @Test func aMetadataCertificateIsX509() throws {
        let der = try #require(Data(base64Encoded: Self.certificate, options: .ignoreUnknownCharacters))
        #expect(SAMLKeyMaterial.isCertificate([UInt8](der)))
        #expect(!SAMLKeyMaterial.isCertificate([0x30, 0x03, 0x02, 0x01, 0x01]))
        #expect(!SAMLKeyMaterial.isCertificate([UInt8](der.dropLast(10))))
    }

    @Test func aKeyIsNamedByItsPublicKeyInEitherPEMForm() throws {
        let id = try SAMLKeyMaterial.keyId(ofPrivateKey: Self.key.pemRepresentation)
        #expect(id.count == 26 && id.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("2"..."7").contains($0) })
        #expect(try SAMLKeyMaterial.keyId(ofPrivateKey: Self.key.pkcs8PEMRepresentation) == id)
        let other = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        #expect(try SAMLKeyMaterial.keyId(ofPrivateKey: other.pemRepresentation) != id)
    }

    @Test func whatIsNoRSAPrivateKeyIsRefused() throws {
        #expect(throws: CryptoError.invalidKey) {
            try SAMLKeyMaterial.keyId(ofPrivateKey: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")
        }
        #expect(throws: CryptoError.invalidKey) { try SAMLKeyMaterial.keyId(ofPrivateKey: Self.key.publicKey.pemRepresentation) }
        let small = try _RSA.Signing.PrivateKey(unsafeKeySize: .init(bitCount: 1024))
        #expect(throws: CryptoError.invalidKey) { try SAMLKeyMaterial.keyId(ofPrivateKey: small.pemRepresentation) }
    }

    @Test func aSealedKeyOpensOnlyAsASAMLKey() throws {
        let pem = Self.key.pemRepresentation
        let (id, sealed) = try SAMLKeyMaterial.seal(privateKey: pem, with: Self.sealer)
        #expect(id == (try SAMLKeyMaterial.keyId(ofPrivateKey: pem)))
        #expect(!sealed.contains("PRIVATE") && sealed.hasPrefix("v1."))
        #expect(try SAMLKeyMaterial.openPrivateKey(sealed, with: Self.sealer) == pem)
        #expect(throws: (any Error).self) { try Self.sealer.open(sealed, as: String.self) }
        let otherSealer = try MasterKey(base64: MasterKey.generateBase64()).secrets
        #expect(throws: (any Error).self) { try SAMLKeyMaterial.openPrivateKey(sealed, with: otherSealer) }
    }
}
