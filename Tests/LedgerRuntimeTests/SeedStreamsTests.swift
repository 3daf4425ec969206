import LedgerCore
import LedgerRuntime
import LedgerStore
import LedgerTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A clock the test moves by hand.
final class SteppedTime: TimeSource, Sendable {
    let nanos: Atomic<Int64>
    init(_ start: Timestamp) { nanos = Atomic(start.nanoseconds) }
    func now() -> Timestamp { Timestamp(nanoseconds: nanos.load(ordering: .relaxed)) }
    func set(_ t: Timestamp) { nanos.store(t.nanoseconds, ordering: .relaxed) }
}

func at(_ iso: String) -> Timestamp { TimestampFormat.parseISO8601(iso)!.timestamp }

@Suite struct SeedStreamsTests {
    @Test(arguments: [false, true])
    func theGlobalStreamHoldsEveryAgentInSeed001sEnvelope(async: Bool) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let config = asyncConfig(dir.path) {
            $0.async = async
            $0.globalEvents = true
            $0.context = true
            $0.timeZone = "UTC"
        }
        let ledger = try Ledger(configuration: config)
        ledger.emit("agent.spawn", agent: "build", sessionID: "session-abc", source: "liku-core", data: ["n": 1])
        ledger.emit("info", agent: "cls", meta: ["user": "primary"], at: at("2025-11-16T23:59:59Z"))
        ledger.emit("info", agent: "cls", at: at("2025-11-17T00:00:01Z"))
        _ = await ledger.shutdown()

        let files = FileSystem.list(dir.join("state/events"))
        #expect(files.contains("2025-11-16.jsonl") && files.contains("2025-11-17.jsonl"))
        var all: [JSONObject] = []
        for f in files where f.hasSuffix(".jsonl") {
            all += try TestEvents.lines(dir.join("state/events/\(f)")).map {
                try #require(JSONParser.parse($0).objectValue)
            }
        }
        #expect(all.count == 3)
        for o in all { try GlobalEnvelope.validate(o) }
        let spawn = try #require(all.first { $0["type"]?.stringValue == "agent.spawn" })
        #expect(spawn["agent"]?.stringValue == "build")
        #expect(spawn["payload"] == ["n": 1])
        #expect(spawn["meta"]?["session"]?.stringValue == "session-abc")
        #expect(spawn["meta"]?["source"]?.stringValue == "liku-core")
        // Context from this very process.
        #expect(spawn["pid"]?.intValue == Int64(getpid()))
        #expect(spawn["pgid"]?.intValue == Int64(getpgrp()))
        #expect(spawn["session"]?.stringValue != nil)
        let old = try #require(all.first { $0["ts"]?.stringValue == "2025-11-16T23:59:59.000Z" })
        #expect(old["meta"]?["user"]?.stringValue == "primary")
        // No session id on the event: the terminal session stands in, so meta.session is never missing.
        #expect(old["meta"]?["session"]?.stringValue == old["session"]?.stringValue)
        // The agents' own files carry the context too.
        let cls = try ledgerEvents(dir.path, "cls")
        #expect(cls.first?.context?.pid == getpid())
    }

    @Test func requiredFieldsAreEnforced() {
        #expect(throws: LedgerError.self) { try GlobalEnvelope.validate(["type": "x", "meta": ["session": "s"]]) }
        #expect(throws: LedgerError.self) {
            try GlobalEnvelope.validate(["ts": "2025-11-16T12:00:01Z", "meta": ["session": "s"]])
        }
        #expect(throws: LedgerError.self) { try GlobalEnvelope.validate(["ts": "2025-11-16T12:00:01Z", "type": "x"]) }
        #expect(throws: Never.self) {
            try GlobalEnvelope.validate(["ts": "2025-11-16T12:00:01Z", "type": "x", "meta": ["session": "s"]])
        }
    }

    @Test func theGlobalStreamIsOffByDefault() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ledger = try Ledger(configuration: asyncConfig(dir.path))
        ledger.emit("info", agent: "cls")
        _ = await ledger.shutdown()
        #expect(!FileSystem.exists(dir.join("state")))
        #expect(try ledgerEvents(dir.path, "cls").first?.context == nil)
    }

    @Test func theSingleFileRotatesDaily() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let clock = SteppedTime(at("2025-11-16T10:00:00Z"))
        let path = dir.join("memory/resonance_ledger.jsonl")
        let config = asyncConfig(dir.path) {
            $0.ledgerPath = path
            $0.timeZone = "UTC"
            $0.async = false
        }
        let ledger = try Ledger(configuration: config, timeSource: clock)
        ledger.emit("eval", agent: "cls")
        ledger.emit("eval", agent: "cls")
        clock.set(at("2025-11-17T00:00:02Z"))
        ledger.emit("eval", agent: "cls")
        _ = await ledger.shutdown()
        #expect(try TestEvents.lines(dir.join("memory/resonance_ledger.2025-11-16.jsonl")).count == 2)
        let today = try TestEvents.lines(path)
        #expect(today.count == 1)
        #expect(try EventLine.parse(today[0]).ts == "2025-11-17T00:00:02.000+00:00")
    }

    @Test func aSingleFileLastWrittenOnAnEarlierDayIsMovedAsideFirst() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.join("ledger.jsonl")
        try FileSystem.writeAtomically(Array("{\"old\":true}\n".utf8), to: path)
        // Last written 2025-11-16 at noon UTC, by a real timestamp on the file.
        var times = [
            timespec(tv_sec: 1_763_294_400, tv_nsec: 0), timespec(tv_sec: 1_763_294_400, tv_nsec: 0),
        ]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        let ledger = try Ledger(
            configuration: asyncConfig(dir.path) {
                $0.ledgerPath = path
                $0.timeZone = "UTC"
            }
        )
        ledger.emit("eval", agent: "cls")
        _ = await ledger.shutdown()
        #expect(try readFile(dir.join("ledger.2025-11-16.jsonl")) == "{\"old\":true}\n")
        #expect(try TestEvents.lines(path).count == 1)
        #expect(try EventLine.parse(TestEvents.lines(path)[0]).type == "eval")
    }

    @Test func theLegacyAppendLedgerCallStillWorks() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ledger = try Ledger(configuration: asyncConfig(dir.path), agent: "orchestrator")
        // Through a protocol, as old call sites that are not rebuilt would reach it, without a warning here.
        (ledger as any LegacyAppendLedger).appendLedger(["event": "eval", "task_id": "t-1", "quality": 0.85])
        _ = await ledger.shutdown()
        let e = try #require(try ledgerEvents(dir.path, "orchestrator").first)
        #expect(e.type == "eval")
        #expect(e.taskID == "t-1")
        #expect(e.data == ["quality": 0.85])
    }

    @Test func everySeedEventTypeIsInTheCatalogue() {
        let seed003 = [
            "task_started", "task_completed", "task_failed", "thesis_start", "thesis_end", "synthesis_start",
            "synthesis_end", "eval", "rune", "replan", "evidence_search", "evidence_added", "evidence_rejected",
            "rag_retrieval", "citation_added", "second_pass", "quality_check", "confidence_check", "system_startup",
            "system_shutdown", "health_check", "performance_metric", "migration", "deployment", "rollback",
            "configuration_change", "scale_event", "bqi_pattern_learned", "bqi_rule_applied", "binoche_decision",
            "ensemble_update", "alert_triggered", "alert_resolved", "threshold_exceeded", "anomaly_detected",
            "session_start", "session_end", "persona_activated", "persona_switched",
        ]
        let seed001 = [
            "agent.spawn", "agent.error", "guidance.append", "approval.request", "guidance.list",
            "guidance.delete.requested", "approval.workspace_trust", "approval.permission.toggle",
            "approval.plan.review", "approval.policy.set",
        ]
        for type in seed003 + seed001 { #expect(EventCatalog.contains(type), "\(type)") }
    }
}

/// The legacy call, seen through a protocol so that the test compiles without a deprecation warning.
protocol LegacyAppendLedger {
    @discardableResult func appendLedger(_ record: JSONObject) -> Bool
}

extension Ledger: LegacyAppendLedger {}
