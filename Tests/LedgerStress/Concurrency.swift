import LedgerCore
import LedgerRuntime
import LedgerStore
import LedgerTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// One producer process of the multi-process suite: `--root R --agent A --producer P --count N
/// [--batch 64]` emits N events numbered 0..<N with `data.producer` P, then shuts down.
enum Appender {
    static func run(_ options: StressOptions) async {
        var config = LedgerConfiguration()
        config.root = options.string("root")
        config.async = true
        config.timeZone = "UTC"
        config.batchSize = options.int("batch", default: 64)
        config.shutdownTimeout = 300
        let agent = options.string("agent")
        let producer = Int64(options.int("producer", default: 0))
        let count = options.int("count", default: 10_000)
        let ledger: Ledger
        do { ledger = try Ledger(configuration: config) } catch { StressOptions.fail("\(error)") }
        let runner = Task { try await ledger.run() }
        for i in 0..<count {
            let e = ledger.encoder.event(
                agent: agent,
                type: "info",
                data: ["producer": .int(producer), "seq": .int(Int64(i))]
            )
            guard await ledger.emitWaiting(e) else { StressOptions.fail("event \(i) refused") }
        }
        let report = await ledger.shutdown()
        _ = try? await runner.value
        guard report.complete, report.lost == 0, report.statistics.written == UInt64(count) else {
            StressOptions.fail("shutdown wrote \(report.statistics.written) of \(count), lost \(report.lost)")
        }
    }
}

/// The concurrency suite: many producers at once, then every event checked exactly once and in order.
enum ConcurrencySuite {
    /// `--root R [--tasks 8] [--agents 4] [--events 250000]`: each task emits `events` events to each
    /// agent (round robin) from one process, with backpressure (`emitWaiting`), so none may be dropped.
    static func runInProcess(_ options: StressOptions) async {
        let root = options.string("root")
        let tasks = options.int("tasks", default: 8)
        let agents = options.int("agents", default: 4)
        let events = options.int("events", default: 250_000)
        var config = LedgerConfiguration()
        config.root = root
        config.async = true
        config.timeZone = "UTC"
        config.shutdownTimeout = 600
        let ledger: Ledger
        do { ledger = try Ledger(configuration: config) } catch { StressOptions.fail("\(error)") }
        let runner = Task { try await ledger.run() }
        let start = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for t in 0..<tasks {
                group.addTask {
                    for i in 0..<events {
                        for a in 0..<agents {
                            let e = ledger.encoder.event(
                                agent: "conc-\(a)",
                                type: "info",
                                data: ["producer": .int(Int64(t)), "seq": .int(Int64(i))]
                            )
                            _ = await ledger.emitWaiting(e)
                        }
                    }
                }
            }
        }
        let report = await ledger.shutdown()
        _ = try? await runner.value
        let elapsed = ContinuousClock.now - start
        var failures: [String] = []
        if !report.complete || report.lost > 0 { failures.append("shutdown lost \(report.lost)") }
        let audited = audit(root: root, producers: tasks, events: events, agents: agents, failures: &failures)
        finish(
            "concurrency",
            failures,
            report.statistics,
            audited,
            extra: [
                ("tasks", .int(Int64(tasks))), ("agents", .int(Int64(agents))), ("events", .int(Int64(events))),
                (
                    "seconds",
                    .double(elapsed.inSeconds)
                ),
            ]
        )
    }

    /// `--root R [--processes 4] [--events 50000]`: that many ``Appender`` processes at once, all to the
    /// agent `shared`, so every batch of each competes for the same day file.
    static func runProcesses(_ options: StressOptions) async {
        let root = options.string("root")
        let processes = options.int("processes", default: 4)
        let events = options.int("events", default: 50_000)
        var children: [Shell.Child] = []
        for p in 0..<processes {
            do {
                children.append(
                    try Shell.spawn([
                        CrashSuite.selfPath, "append", "--root", root, "--agent", "shared", "--producer", "\(p)",
                        "--count", "\(events)",
                    ])
                )
            } catch {
                StressOptions.fail("cannot start producer \(p): \(error)")
            }
        }
        var failures: [String] = []
        for (p, child) in children.enumerated() {
            guard let out = try? child.wait() else { StressOptions.fail("cannot wait for producer \(p)") }
            if out.status != 0 { failures.append("producer \(p) exited \(out.status): \(out.stderr)") }
        }
        let audited = audit(root: root, producers: processes, events: events, agents: 1, failures: &failures)
        finish(
            "multiprocess",
            failures,
            nil,
            audited,
            extra: [("processes", .int(Int64(processes))), ("events", .int(Int64(events)))]
        )
    }

    /// Counts every (agent, producer, seq) and checks each is on disk exactly once.
    static func audit(
        root: String,
        producers: Int,
        events: Int,
        agents: Int,
        failures: inout [String]
    ) -> (audit: LedgerAudit, found: Int, missing: Int, doubled: Int) {
        let agentNames = agents == 1 ? ["shared"] : (0..<agents).map { "conc-\($0)" }
        var counts = [UInt8](repeating: 0, count: agents * producers * events)
        var found = 0
        var stray = 0
        let audit: LedgerAudit
        do {
            audit = try LedgerAudit.scan(root: root) { e in
                guard let a = agentNames.firstIndex(of: e.agent), let p = e.data["producer"]?.intValue,
                    let s = e.data["seq"]?.intValue, p >= 0, p < producers, s >= 0, s < events
                else {
                    stray += 1
                    return
                }
                found += 1
                let index = (a * producers + Int(p)) * events + Int(s)
                counts[index] &+= 1
            }
        } catch {
            StressOptions.fail("cannot read the ledger: \(error)")
        }
        let missing = counts.filter { $0 == 0 }.count
        let doubled = counts.filter { $0 > 1 }.count
        if missing > 0 { failures.append("\(missing) events missing") }
        if doubled > 0 { failures.append("\(doubled) events on disk more than once") }
        if stray > 0 { failures.append("\(stray) events that no producer sent") }
        if !audit.malformed.isEmpty {
            failures.append("\(audit.malformed.count) lines do not parse (interleaved bytes?)")
        }
        if audit.unsealedTails > 0 { failures.append("\(audit.unsealedTails) files end without a newline") }
        if audit.orderViolations > 0 {
            failures.append("\(audit.orderViolations) events out of their producer's order")
        }
        return (audit, found, missing, doubled)
    }

    static func finish(
        _ suite: String,
        _ failures: [String],
        _ statistics: LedgerStatistics?,
        _ audited: (audit: LedgerAudit, found: Int, missing: Int, doubled: Int),
        extra: [(String, JSONValue)]
    ) -> Never {
        var o = JSONObject()
        o.appendUnchecked("suite", .string(suite))
        o.appendUnchecked("ok", .bool(failures.isEmpty))
        for (k, v) in extra { o.appendUnchecked(k, v) }
        o.appendUnchecked("on_disk", .int(Int64(audited.found)))
        o.appendUnchecked("lost", .int(Int64(audited.missing)))
        o.appendUnchecked("doubled", .int(Int64(audited.doubled)))
        if let statistics {
            o.appendUnchecked("written", .int(Int64(statistics.written)))
            o.appendUnchecked("dropped", .int(Int64(statistics.dropped)))
        }
        audited.audit.summary(into: &o)
        o.appendUnchecked("failures", .array(failures.prefix(20).map { .string($0) }))
        var line: [UInt8] = []
        JSONWriter.writeObject(o, into: &line)
        StressOptions.say(String(decoding: line, as: UTF8.self))
        exit(failures.isEmpty ? 0 : 1)
    }
}
