import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// What a SAML 2.0 identity provider's metadata says about it (SAML Metadata 2.0 § 2.3.2 `EntityDescriptor`,
/// § 2.4.3 `IDPSSODescriptor`): the issuer name its assertions carry, the certificates that sign them, and where
/// its single sign-on service listens. This is what an assertion verifier needs; the document itself is kept too.
public struct SAMLMetadata: Codable, Equatable, Sendable {
    /// `EntityDescriptor@entityID`: the `Issuer` of the provider's responses and assertions.
    public var entityId: String
    /// The earliest `validUntil` of the `EntityDescriptor` and its `IDPSSODescriptor`, when either has one.
    public var validUntil: Date?
    /// The DER certificates (standard base64, no whitespace) of the `KeyDescriptor`s whose `use` is `signing`
    /// or absent, in document order, each once.
    public var signingCertificates: [String]
    /// The `SingleSignOnService` endpoints, in document order.
    public var singleSignOnServices: [SAMLEndpoint]

    /// The SAML 2.0 metadata namespace.
    static let metadataNamespace = "urn:oasis:names:tc:SAML:2.0:metadata"
    /// XML Signature's namespace (`ds:KeyInfo`, `ds:X509Data`, `ds:X509Certificate`).
    static let signatureNamespace = "http://www.w3.org/2000/09/xmldsig#"
    /// The `protocolSupportEnumeration` value of SAML 2.0.
    static let protocolURI = "urn:oasis:names:tc:SAML:2.0:protocol"

    /// Parses a metadata document with Foundation's `XMLParser` (libxml2). The document must be one
    /// `EntityDescriptor` with an `IDPSSODescriptor` for SAML 2.0, at least one signing certificate that
    /// `isCertificate` accepts (its DER bytes) and at least one `SingleSignOnService`.
    ///
    /// A document with a DTD is refused before parsing: metadata never needs one, and refusing it rules out
    /// entity expansion and external entities whatever the parser's defaults are.
    public static func parse(_ document: String, isCertificate: ([UInt8]) -> Bool) throws(IAMError) -> SAMLMetadata {
        let invalid = IAMError("InvalidInput", "Could not parse metadata", status: 400)
        if document.range(of: "<!DOCTYPE", options: .caseInsensitive) != nil || document.range(of: "<!ENTITY", options: .caseInsensitive) != nil {
            throw invalid
        }
        let reader = MetadataReader()
        let parser = XMLParser(data: Data(document.utf8))
        parser.shouldProcessNamespaces = true
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        parser.delegate = reader
        // corelibs' `parse()` answers true for a document that is not well-formed (it ends inside its root element,
        // or has content after it) and reports the error only to the delegate and in `parserError`.
        guard parser.parse(), parser.parserError == nil, !reader.sawParseError, reader.failure == nil else { throw reader.failure ?? invalid }
        guard reader.sawRoot, reader.closedRoot, let entityId = reader.entityId else { throw invalid }
        guard (1...1024).contains(entityId.count) else {
            throw IAMError("InvalidInput", "Could not parse metadata: the entityID must have 1 to 1024 characters", status: 400)
        }
        guard reader.sawIdentityProvider else {
            throw IAMError("InvalidInput", "Could not parse metadata: no IDPSSODescriptor supports SAML 2.0", status: 400)
        }
        var certificates: [String] = []
        for text in reader.certificates {
            let base64 = String(text.unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) })
            guard let der = Data(base64Encoded: base64), !der.isEmpty, isCertificate([UInt8](der)) else {
                throw IAMError("InvalidInput", "Could not parse metadata: a signing certificate is not a base64 X.509 certificate", status: 400)
            }
            if !certificates.contains(base64) { certificates.append(base64) }
        }
        guard !certificates.isEmpty else {
            throw IAMError("InvalidInput", "Could not parse metadata: the IDPSSODescriptor has no signing certificate", status: 400)
        }
        guard !reader.endpoints.isEmpty else {
            throw IAMError("InvalidInput", "Could not parse metadata: the IDPSSODescriptor has no SingleSignOnService", status: 400)
        }
        return SAMLMetadata(
            entityId: entityId, validUntil: reader.validUntil, signingCertificates: certificates, singleSignOnServices: reader.endpoints)
    }

    /// An `xs:dateTime` as metadata writes `validUntil` (a time without a zone is UTC), to whole seconds.
    static func dateTime(_ text: String) -> Date? {
        var text = text.trimmingCharacters(in: .whitespaces)
        if text.range(of: #"(Z|[+-]\d\d:\d\d)$"#, options: .regularExpression) == nil { text += "Z" }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date.wholeSeconds }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)?.wholeSeconds
    }
}

/// A SAML endpoint of the provider: its binding (`urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect` …) and URL.
public struct SAMLEndpoint: Codable, Equatable, Sendable {
    public var binding: String
    public var location: String
}

extension Date {
    /// The time truncated to a whole second, so it survives JSON as epoch seconds exactly.
    var wholeSeconds: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}

/// The `XMLParser` delegate that picks the metadata's parts out of the element stream.
private final class MetadataReader: NSObject, XMLParserDelegate {
    var sawRoot = false
    var closedRoot = false
    var sawParseError = false
    var entityId: String?
    var validUntil: Date?
    var sawIdentityProvider = false
    var certificates: [String] = []
    var endpoints: [SAMLEndpoint] = []
    var failure: IAMError?

    /// The open elements, outermost first: namespace and local name.
    private var stack: [(namespace: String, name: String)] = []
    /// The depth of the `IDPSSODescriptor` being read, while inside the first one for SAML 2.0.
    private var identityProviderDepth: Int?
    /// The depth of a signing `KeyDescriptor` of that descriptor, while inside one.
    private var signingKeyDepth: Int?
    /// The text of the `ds:X509Certificate` being read.
    private var certificateText: String?

    private func fail(_ parser: XMLParser, _ message: String) {
        failure = failure ?? IAMError("InvalidInput", "Could not parse metadata: \(message)", status: 400)
        parser.abortParsing()
    }

    private func earliest(_ text: String?, _ parser: XMLParser) {
        guard let text else { return }
        guard let date = SAMLMetadata.dateTime(text) else { return fail(parser, "validUntil is not an xs:dateTime") }
        validUntil = validUntil.map { min($0, date) } ?? date
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
        attributes attributeDict: [String: String] = [:]
    ) {
        let namespace = namespaceURI ?? ""
        let depth = stack.count
        stack.append((namespace, elementName))
        if depth == 0 {
            guard namespace == SAMLMetadata.metadataNamespace, elementName == "EntityDescriptor" else {
                return fail(parser, "the document is not a SAML 2.0 EntityDescriptor")
            }
            sawRoot = true
            entityId = attributeDict["entityID"]
            earliest(attributeDict["validUntil"], parser)
            return
        }
        if depth == 1, identityProviderDepth == nil, !sawIdentityProvider, namespace == SAMLMetadata.metadataNamespace,
            elementName == "IDPSSODescriptor",
            (attributeDict["protocolSupportEnumeration"] ?? "").split(whereSeparator: \.isWhitespace).contains(where: {
                $0 == SAMLMetadata.protocolURI
            })
        {
            identityProviderDepth = depth
            sawIdentityProvider = true
            earliest(attributeDict["validUntil"], parser)
            return
        }
        guard let identityProviderDepth else { return }
        if depth == identityProviderDepth + 1, namespace == SAMLMetadata.metadataNamespace {
            switch elementName {
            case "KeyDescriptor":
                let use = attributeDict["use"]
                if use == nil || use == "signing" { signingKeyDepth = depth }
            case "SingleSignOnService":
                guard let binding = attributeDict["Binding"], !binding.isEmpty, let location = attributeDict["Location"], !location.isEmpty else {
                    return fail(parser, "a SingleSignOnService needs a Binding and a Location")
                }
                endpoints.append(SAMLEndpoint(binding: binding, location: location))
            default: break
            }
        } else if let signingKeyDepth, depth == signingKeyDepth + 3, namespace == SAMLMetadata.signatureNamespace,
            elementName == "X509Certificate", isSignatureElement(at: depth - 1, "X509Data"), isSignatureElement(at: depth - 2, "KeyInfo")
        {
            certificateText = ""
        }
    }

    private func isSignatureElement(at depth: Int, _ name: String) -> Bool {
        stack[depth].namespace == SAMLMetadata.signatureNamespace && stack[depth].name == name
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        certificateText? += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        certificateText? += String(decoding: CDATABlock, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        let depth = stack.count - 1
        stack.removeLast()
        if let text = certificateText {
            certificates.append(text)
            certificateText = nil
        }
        if depth == signingKeyDepth { signingKeyDepth = nil }
        if depth == identityProviderDepth { identityProviderDepth = nil }
        if depth == 0 { closedRoot = true }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        sawParseError = true
    }

    func parser(_ parser: XMLParser, validationErrorOccurred validationError: any Error) {
        sawParseError = true
    }

    func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
        fail(parser, "entity declarations are not allowed")
    }

    func parser(_ parser: XMLParser, foundExternalEntityDeclarationWithName name: String, publicID: String?, systemID: String?) {
        fail(parser, "entity declarations are not allowed")
    }
}
