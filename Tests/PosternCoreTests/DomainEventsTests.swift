import Foundation
import Testing

@testable import PosternCore

@Suite struct DomainEventsTests {
    /// Every `static let eventType = "…"` in PosternCore's sources.
    func declaredEventTypes() throws -> Set<String> {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/PosternCore")
        let marker = "static let eventType = \""
        var found: Set<String> = []
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            guard file.pathExtension == "swift" else { continue }
            for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") {
                guard let start = line.range(of: marker) else { continue }
                let rest = line[start.upperBound...]
                if let end = rest.firstIndex(of: "\"") { found.insert(String(rest[..<end])) }
            }
        }
        return found
    }

    @Test func theCatalogListsEveryEventTypeTheSourcesDeclare() throws {
        let declared = try declaredEventTypes()
        #expect(!declared.isEmpty)
        #expect(DomainEvents.types == declared, "missing from DomainEvents.all: \(declared.subtracting(DomainEvents.types).sorted())")
    }

    @Test func everyPersistedTypeNameIsUsedByOnePayloadOnly() {
        #expect(DomainEvents.types.count == DomainEvents.all.count)
    }

    @Test func persistedNamesStayWhatStoredEventsSay() {
        // A rename in code must never change stored data: the one name that differs from its Swift type.
        #expect(UserRegistered.eventType == "UserSignedUp")
        #expect(DomainEvents.types.contains("UserSignedUp"))
    }
}
