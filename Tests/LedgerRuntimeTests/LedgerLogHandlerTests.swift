import LedgerCore
import LedgerRuntime
import LedgerTestSupport
import Logging
import Testing

@Suite struct LedgerLogHandlerTests {
    @Test func loggerMessagesBecomeEvents() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ledger = try Ledger(configuration: asyncConfig(dir.path))
        var logger = Logger(label: "MyApp.Worker") { label in LedgerLogHandler(label: label, ledger: ledger) }
        logger.logLevel = .debug
        logger[metadataKey: "request"] = "r-1"
        logger.info("task picked", metadata: ["task": "wo-1"])
        logger.error("tool failed")
        _ = await ledger.shutdown()
        let events = try ledgerEvents(dir.path, "myapp.worker")
        #expect(events.map(\.type) == ["log.info", "error"])
        #expect(events[0].summary == "task picked")
        #expect(events[0].data["task"] == "wo-1")
        #expect(events[0].data["request"] == "r-1")
        #expect(LedgerLogHandler.agentID(from: "../Evil Label") == "x-evil-label")
    }
}
