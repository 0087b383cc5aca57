import PosternCore
import PosternStore
import Testing

/// Every event type is decided by the directory projection: reduced, or deliberately ignored. No database.
@Suite struct DirectoryCoverageTests {
    @Test func everyCatalogedEventTypeIsReducedOrDeliberatelyIgnored() {
        let decided = DirectoryProjector.reducedEventTypes.union(DirectoryProjector.ignoredEventTypes)
        let undecided = DomainEvents.types.subtracting(decided)
        #expect(undecided.isEmpty, "add a reducer or an entry in DirectoryProjector.ignored for: \(undecided.sorted())")
    }

    @Test func noEventTypeIsBothReducedAndIgnored() {
        #expect(DirectoryProjector.reducedEventTypes.isDisjoint(with: DirectoryProjector.ignoredEventTypes))
    }

    @Test func theProjectionNamesNoEventTypeOutsideTheCatalog() {
        let decided = DirectoryProjector.reducedEventTypes.union(DirectoryProjector.ignoredEventTypes)
        #expect(decided.subtracting(DomainEvents.types).isEmpty)
    }

    @Test func anEventTypeOutsideTheCatalogIsUnknownNotSilentlyIgnored() {
        #expect(DirectoryProjector.disposition(of: "SomethingFromTheFuture") == .unknown)
        #expect(DirectoryProjector.disposition(of: MessageQueued.eventType) == .ignored)
        #expect(DirectoryProjector.disposition(of: UserConfirmed.eventType) == .reduced)
    }
}
