import AgentLedger
import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a simulated orchestrator: agents with tasks, heartbeats, errors and sessions, in async mode.",
        discussion: """
            Writes under ./demo-ledger unless --root is given (no server, nothing else needed), shows a live
            progress line on a terminal, and ends with the events written, the status table, and where the
            day files and session summaries are.

            Examples:
              agent-ledger demo
              agent-ledger demo --agents 8 --events 1000000
              agent-ledger demo --duration 10s --root /tmp/ledger
            """
    )

    @Option(name: .long, help: "How many agents (the first four are cls, andy, hybrid and kim).")
    var agents: Int = 4

    @Option(name: .long, help: "How many events in all (default 200000 unless --duration is given).")
    var events: Int?

    @Option(name: .long, help: "Run for this long instead (10s, 2m).")
    var duration: String?

    @Option(name: .long, help: "Ledger root folder (default: ./demo-ledger).")
    var root: String = "demo-ledger"

    @Option(name: .long, help: "Zone of ts and day files (default: system).")
    var timeZone: String?

    static let names = ["cls", "andy", "hybrid", "kim"]

    func validate() throws {
        guard (1...256).contains(agents) else { throw ValidationError("--agents must be between 1 and 256") }
        if let events, events < 2 * agents {
            throw ValidationError(
                "--events \(events) is too few for \(agents) agents: each agent's session needs at least a start and an end, so use at least \(2 * agents)"
            )
        }
        if let duration {
            guard let seconds = LedgerConfiguration.parseSeconds(duration), seconds <= 30 * 86400 else {
                throw ValidationError("--duration \"\(duration)\" is not a time like 10s or 2m (at most 30 days)")
            }
        }
    }

    func run() async throws {
        try await runReportingErrors {
            var overrides = [Setting.root.fileKey: root, Setting.async.fileKey: "true"]
            if let timeZone { overrides[Setting.timeZone.fileKey] = timeZone }
            let config = try await LedgerOptions.configuration(overrides: overrides)
            let seconds = duration.flatMap(LedgerConfiguration.parseSeconds)
            let total = events ?? (seconds == nil ? 200_000 : Int.max)
            let agentNames = (0..<agents).map { $0 < Self.names.count ? Self.names[$0] : "agent-\($0 + 1)" }
            let zone = try LedgerTimeZone.parse(config.timeZone)
            let allocator = SessionAllocator(layout: config.layout)
            let sessions = try agentNames.map { try allocator.next(agent: $0, date: zone.localDate(of: .now)) }

            print("Recording a simulated orchestrator with \(agents) agents into \(config.layout.root)/ (async mode)")
            let emitted = SharedCount()
            let start = ContinuousClock.now
            let deadline = seconds.map { start.advanced(by: .nanoseconds(Int64($0 * 1e9))) }
            // The ledger and the simulated agents run as services: SIGTERM or Ctrl-C stops the agents
            // and drains everything accepted before the process exits.
            let ledger = try Ledger(configuration: config, agent: "orchestrator")
            let simulation = Simulation(
                ledger: ledger,
                agents: agentNames,
                sessions: sessions,
                total: total,
                deadline: deadline,
                emitted: emitted
            )
            let group = ServiceGroup(
                configuration: ServiceGroupConfiguration(
                    services: [
                        .init(service: ledger),
                        .init(service: simulation, successTerminationBehavior: .gracefullyShutdownGroup),
                    ],
                    gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: Logger(label: "agent-ledger.demo") { _ in SwiftLogNoOpLogHandler() }
                )
            )
            try await group.run()
            let report = await ledger.shutdown()
            Terminal.endProgress()
            let elapsed = ContinuousClock.now - start
            let secs = elapsed.inSeconds
            let stats = report.statistics
            print(
                "Done: \(stats.accepted) events accepted, \(stats.written) events written in \(String(format: "%.2f", secs)) s (\(Terminal.count(Double(stats.written) / secs))/s), \(stats.dropped) dropped, \(stats.rejected) rejected."
            )
            if stats.ledgerPathWriteErrors > 0 || stats.globalStreamWriteErrors > 0 {
                Terminal.printStderr(
                    "agent-ledger: warning: writes of the copies failed (AGI_LEDGER_PATH: \(stats.ledgerPathWriteErrors), global stream: \(stats.globalStreamWriteErrors)); the agents' files are complete"
                )
            }
            print("")
            print(
                StatusView.render(
                    StatusStore(layout: config.layout).readAll(),
                    offlineAfter: config.offlineAfter,
                    json: false
                )
            )
            print("")
            print("Day files:          \(config.layout.ledgerDirectory)/<agent>/YYYY-MM-DD.jsonl")
            print("Status snapshots:   \(config.layout.root)/agents/<agent>/status.json")
            for (i, name) in agentNames.prefix(4).enumerated() {
                let path = config.layout.sessionSummaryFile(agent: name, session: sessions[i])
                if FileSystem.exists(path) { print("Session summary:    \(path)") }
            }
            if agents > 4 { print("                    … and \(agents - 4) more under \(config.layout.root)/memory/") }
            print("")
            print("Try: agent-ledger status --root \(config.layout.root)")
            print("     agent-ledger session list --root \(config.layout.root)")
            if !report.complete {
                throw CLIError.failed("\(report.lost) events could not be written: \(ledgerErrorText(report))")
            }
        }
    }

    private func ledgerErrorText(_ report: ShutdownReport) -> String {
        "see the ledger.degraded events in the day files"
    }

    /// One agent's life: a session of tasks with heartbeats, notes, the odd error, lessons, and a session end.
    static func simulate(
        _ agent: AgentHandle,
        quota: Int,
        deadline: ContinuousClock.Instant?,
        seed: UInt64,
        emitted: SharedCount
    ) async {
        var rng = SplitMix64(seed: seed)
        var sent = 0
        var task = 0
        // One event of the quota is kept for the session's end, so the total is exact.
        let budget = quota == Int.max ? Int.max : quota - 1
        func send(_ e: LedgerEvent, last: Bool = false) async {
            if !last && (sent >= budget || Task.isCancelled) { return }
            let accepted: Bool
            if Task.isCancelled {
                // The run was stopped (SIGTERM, Ctrl-C): the session's end is still recorded. It waits
                // for room in a task of its own, which the stop does not cancel; the ledger drains
                // until every agent is done, so the wait is short even when the queue was full.
                let ledger = agent.ledger
                accepted = await Task { await ledger.emitWaiting(e) }.value
            } else {
                accepted = await agent.ledger.emitWaiting(e)
            }
            if accepted {
                sent += 1
                emitted.add(1)
            }
        }
        func event(_ type: String, task: String? = nil, summary: String? = nil, data: JSONValue = [:]) -> LedgerEvent {
            LedgerEvent(
                timestamp: .now,
                agent: agent.agent,
                type: type,
                sessionID: agent.session,
                taskID: task,
                source: agent.source,
                summary: summary,
                data: data
            )
        }
        await send(event("session_start", summary: "\(agent.agent) session started"))
        while sent < budget && !Task.isCancelled {
            if let deadline, ContinuousClock.now >= deadline { break }
            task += 1
            let id = "wo-\(agent.agent)-\(task)"
            let started = ContinuousClock.now
            await send(
                event(
                    "task_start",
                    task: id,
                    summary: "Task \(task) for \(agent.agent)",
                    data: ["priority": rng.next() % 3 == 0 ? "high" : "normal"]
                )
            )
            let steps = Int(rng.next() % 4)
            for step in 0..<steps where sent < budget {
                await send(
                    event(
                        "info",
                        task: id,
                        summary: "step \(step + 1) of task \(task)",
                        data: ["step": .int(Int64(step + 1))]
                    )
                )
            }
            if sent % 50 < 6 { await send(event("heartbeat", data: ["load": .double(Double(rng.next() % 100) / 100)])) }
            let failed = rng.next() % 50 == 0
            if failed {
                await send(
                    event(
                        "error",
                        task: id,
                        summary: "Tool call failed: timeout after 30s",
                        data: ["tool": "search", "retryable": true]
                    )
                )
            }
            let elapsed = ContinuousClock.now - started
            await send(
                event(
                    "task_result",
                    task: id,
                    summary: failed ? "Task \(task) failed" : "Completed task \(task)",
                    data: [
                        "status": failed ? "failure" : "success",
                        "duration_sec": .double(elapsed.inSeconds),
                        "files_touched": .int(Int64(rng.next() % 5)),
                    ]
                )
            )
            if failed && rng.next() % 4 == 0 {
                await send(event("lesson", task: id, summary: "Retry search with a shorter query when it times out"))
            }
            if task % 64 == 0 { await Task.yield() }
        }
        await send(event("session_end", summary: "\(agent.agent) finished \(task) tasks"), last: true)
    }
}

/// A counter shared between tasks.
final class SharedCount: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
    func add(_ n: Int) { count.add(n, ordering: .relaxed) }
}

/// The simulated orchestrator as a service: one task per agent, plus the progress line.
struct Simulation: Service {
    let ledger: Ledger
    let agents: [String]
    let sessions: [String]
    let total: Int
    let deadline: ContinuousClock.Instant?
    let emitted: SharedCount

    func run() async throws {
        // A graceful shutdown (SIGTERM, Ctrl-C) cancels the agents; that is a normal end, not an error.
        try? await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    var last = (ContinuousClock.now, 0)
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .milliseconds(250))
                        if Task.isCancelled { break }
                        let stats = await ledger.statistics()
                        let now = ContinuousClock.now
                        let n = emitted.value
                        let dt = now - last.0
                        let seconds = dt.inSeconds
                        let rate = Double(n - last.1) / seconds
                        last = (now, n)
                        Terminal.progress(
                            "events \(Terminal.count(Double(n)))  \(Terminal.count(rate))/s  queue \(stats.queueDepth)  written \(Terminal.count(Double(stats.written)))  dropped \(stats.dropped)"
                        )
                    }
                }
                let count = agents.count
                let share = total == Int.max ? Int.max : total / count
                for (i, name) in agents.enumerated() {
                    let quota = total == Int.max ? Int.max : share + (i < total % count ? 1 : 0)
                    let handle = ledger.agent(name, session: sessions[i], source: "demo_orchestrator")
                    group.addTask {
                        await DemoCommand.simulate(
                            handle,
                            quota: quota,
                            deadline: deadline,
                            seed: UInt64(i + 1),
                            emitted: emitted
                        )
                    }
                }
                var finished = 0
                while finished < count {
                    try await group.next()
                    finished += 1
                }
                group.cancelAll()
            }
        }
    }
}
