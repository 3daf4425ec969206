import AgentLedger
import LedgerTestSupport
import Testing

@Suite struct GitLedgerPublishingTests {
    @Test func aRecordedRunIsPublishedAsLedgerRun() async throws {
        let fixture = try GitFixture(commit: true)
        defer { fixture.remove() }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var config = LedgerConfiguration()
        config.root = dir.path
        config.async = true
        let ledger = try Ledger(configuration: config)
        let subscription = ledger.bus.subscribe(EventFilter(typePrefixes: ["ledger:"]))
        let runs = GitLedger(repository: fixture.repo, publishingTo: ledger)
        let run = try await runs.recordRun(Run(type: "apply", summary: "Applied 3 resources"), events: [])
        _ = await ledger.shutdown()
        var seen: [LedgerEvent] = []
        for await e in subscription { seen.append(e) }
        #expect(seen.count == 1)
        #expect(seen.first?.type == "ledger:run")
        #expect(seen.first?.taskID == run.runID)
        #expect(seen.first?.summary == "Applied 3 resources")
        let written = try LedgerReader(layout: LedgerLayout(root: dir.path)).events(agent: "git-ledger").events
        #expect(written.map(\.type) == ["ledger:run"])
    }
}
