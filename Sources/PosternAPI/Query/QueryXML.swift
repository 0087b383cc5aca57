import Foundation

/// An XML element of a query-protocol answer. Written by hand: the answers are small fixed trees of
/// text elements, and escaping five characters is all the serialising they need (Foundation's XMLDocument
/// is not on Linux's corelibs in a form worth the dependency).
indirect enum QueryXML: Sendable {
    case text(String, String)
    case element(String, [QueryXML])

    /// `<name>` holding one `<member>` per item, each with the item's elements.
    static func members(_ name: String, _ items: [[QueryXML]]) -> QueryXML { .element(name, items.map { .element("member", $0) }) }
    static func memberTexts(_ name: String, _ values: [String]) -> QueryXML { .element(name, values.map { .text("member", $0) }) }

    func render(into out: inout String) {
        switch self {
        case .text(let name, let value):
            out += "<\(name)>\(Self.escape(value))</\(name)>"
        case .element(let name, let children):
            out += "<\(name)>"
            for child in children { child.render(into: &out) }
            out += "</\(name)>"
        }
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }

    /// `2026-12-04T18:00:00Z`, as IAM and STS write timestamps.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// A policy document as IAM returns it: URL-encoded JSON (botocore decodes it).
    static func policy(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
