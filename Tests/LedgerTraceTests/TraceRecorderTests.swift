import LedgerChat
import LedgerCore
import LedgerGit
import LedgerRuntime
import LedgerTestSupport
import Testing

@testable import LedgerTrace

@Suite struct TraceRecorderTests {
    static func runtime(_ root: String) throws -> Ledger {
        var c = LedgerConfiguration()
        c.root = root
        c.async = true
        return try Ledger(configuration: c)
    }

    @Test func overlappingRecordingsEachKeepWhatTheySaw() async throws {
        let fx = try await GitFixture.make()
        defer { fx.remove() }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ledger = try Self.runtime(dir.path)
        let recorder = TraceRecorder(bus: ledger.bus, ledger: GitLedger(repository: fx.repo))

        let all = try await recorder.startRecording(name: "everything", classification: "deployment")
        ledger.emit("task_start", agent: "cls", taskID: "deploy")
        ledger.emit("info", agent: "gg")
        #expect(await ledger.flush())
        let onlyGG = try await recorder.startRecording(name: "gg", filter: EventFilter(agents: ["gg"]))
        #expect(await recorder.activeTraceIDs == [all, onlyGG].sorted())
        ledger.emit("task_start", agent: "gg", taskID: "verify")
        ledger.emit("task_result", agent: "cls", taskID: "deploy", data: ["status": "ok", "duration_ms": 42])
        #expect(await ledger.flush())

        let first = try await recorder.stopRecording(all)
        ledger.emit("task_result", agent: "gg", taskID: "verify", data: ["status": "failed"])
        #expect(await ledger.flush())
        let second = try await recorder.stopRecording(onlyGG)
        _ = await ledger.shutdown()

        #expect(first.events.map(\.type) == ["task_start", "info", "task_start", "task_result"])
        #expect(first.events.last?.durationMs == 42)
        #expect(first.events.last?.result == "ok")
        #expect(first.user == "Test User")
        #expect(first.codeRef == (try await fx.gitAsync("rev-parse", "HEAD")))
        #expect(first.endedAt != nil)
        #expect(first.autoSummary.hasPrefix("[deployment] everything: 4 events from 2 agents (cls, gg)"))
        #expect(second.events.map(\.target) == ["verify", "verify"])
        #expect(second.events.map(\.result) == ["", "failed"])
        #expect(await recorder.activeTraceIDs.isEmpty)
        await #expect(throws: LedgerError.self) { try await recorder.stopRecording(all) }
    }

    @Test func aRecordingKeepsABoundedNumberOfEventsAndCountsTheRest() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ledger = try Self.runtime(dir.path)
        let recorder = TraceRecorder(bus: ledger.bus, bufferSize: 2)
        let id = try await recorder.startRecording()
        for i in 0..<5 { ledger.emit("info", agent: "cls", taskID: "t\(i)") }
        #expect(await ledger.flush())
        let trace = try await recorder.stopRecording(id)
        _ = await ledger.shutdown()
        #expect(trace.events.map(\.target) == ["t3", "t4"])
        #expect(trace.droppedEvents == 3)
        #expect(trace.autoSummary.hasSuffix("; 3 not recorded"))
    }

    @Test func aSavedTraceIsOnTheLedgerBranchAndItsSummaryInChat() async throws {
        let fx = try await GitFixture.make()
        defer { fx.remove() }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ledger = try Self.runtime(dir.path)
        let git = GitLedger(repository: fx.repo)
        let chat = Chat(ledger: git, keySource: EncryptionKeySource(environment: [:]))
        let recorder = TraceRecorder(bus: ledger.bus, ledger: git, chat: chat)
        let id = try await recorder.startRecording(name: "Release")
        ledger.emit("task_start", agent: "cls", taskID: "deploy")
        #expect(await ledger.flush())
        let trace = try await recorder.stopRecording(id)
        _ = await ledger.shutdown()
        let posted = try await recorder.saveTrace(trace, postSummary: true)

        let stored = try await fx.gitAsync("show", "refs/heads/scp-ledger:traces/\(id).json")
        #expect(try SessionTrace(jsonText: stored) == trace)
        #expect(try await TraceStore(ledger: git).load(id) == trace)
        #expect(try await TraceStore(ledger: git).list().map(\.traceID) == [id])
        #expect(posted?.source == .trace)
        let messages = try await chat.listMessages(threadID: "general")
        #expect(messages.map(\.text) == ["Trace \(id): \(trace.autoSummary)"])
        #expect(messages.first?.source == .trace)
        // A trace is never overwritten.
        await #expect(throws: LedgerError.self) { try await recorder.saveTrace(trace) }
    }

    @Test func aTraceStartedInOneProcessCollectsTheDayFilesWhenStopped() async throws {
        let fx = try await GitFixture.make()
        defer { fx.remove() }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let git = GitLedger(repository: fx.repo)
        let ledger = try Self.runtime(dir.path)
        // Written before the start: not in the trace.
        ledger.emit("task_start", agent: "cls", taskID: "old", at: Timestamp.now.adding(seconds: -3600))
        #expect(await ledger.flush())
        let pending = try await PendingTraces(ledger: git).start(
            name: "cross-process",
            classification: "config",
            ledgerRoot: dir.path
        )
        #expect(try await PendingTraces(ledger: git).list().map(\.trace.traceID) == [pending.trace.traceID])
        ledger.emit("task_start", agent: "cls", sessionID: "s-1", taskID: "a")
        ledger.emit("task_start", agent: "gg", taskID: "b")
        ledger.emit("task_result", agent: "cls", sessionID: "s-1", taskID: "a", data: ["status": "ok"])
        _ = await ledger.shutdown()

        let other = PendingTraces(ledger: GitLedger(repository: fx.repo))
        let trace = try await other.stop(pending.trace.traceID, agents: ["cls"])
        #expect(trace.events.map(\.target) == ["a", "a"])
        #expect(trace.name == "cross-process")
        #expect(
            trace.autoSummary
                == "[config] cross-process: 2 events from 1 agent (cls) over \(TraceSummary.span(nanoseconds: spanOf(trace))) — 1 task_result, 1 task_start"
        )
        #expect(try await other.list().isEmpty)
        #expect(try await TraceStore(ledger: git).load(trace.traceID) == trace)
        await #expect(throws: LedgerError.self) { try await other.stop(pending.trace.traceID) }
        await #expect(throws: LedgerError.self) { try await other.stop("trace_bad") }
    }

    private func spanOf(_ trace: SessionTrace) -> Int64 {
        let times = trace.events.compactMap { TimestampFormat.parseISO8601($0.ts)?.timestamp.nanoseconds }
        return (times.max() ?? 0) - (times.min() ?? 0)
    }
}
