import AgentLedger
import Benchmark
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A ledger under a fresh temporary folder, running its flusher, for one benchmark.
final class RunningLedger: @unchecked Sendable {
    let root: String
    let ledger: Ledger
    private var runner: Task<Void, any Error>?

    init(async: Bool, fsync: FsyncPolicy = .none) throws {
        var template = Array("/tmp/agent-ledger-benchmark-XXXXXX".utf8CString)
        _ = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        root = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var config = LedgerConfiguration()
        config.root = root
        config.async = async
        config.fsync = fsync
        ledger = try Ledger(configuration: config, agent: "bench")
        let ledger = self.ledger
        runner = Task { try await ledger.run() }
    }

    func stop() async {
        _ = await ledger.shutdown(timeout: 120)
        _ = try? await runner?.value
        try? FileManager.default.removeItem(atPath: root)
    }
}

/// The `agent-ledger bench` event: about 280 bytes of task_result with a counting `seq`.
@inline(__always)
func benchEvent(_ seq: Int, agents: [String], sessions: [String]) -> LedgerEvent {
    let i = seq % agents.count
    return LedgerEvent(
        timestamp: .now,
        agent: agents[i],
        type: "task_result",
        sessionID: sessions[i],
        taskID: "wo-\(seq)",
        source: "gg_orchestrator",
        summary: "Completed layout SPEC + PLAN for the ledger app",
        data: ["status": "success", "duration_sec": 1, "seq": .int(Int64(seq))]
    )
}

let agents = ["agent-1", "agent-2", "agent-3", "agent-4"]
let sessions = agents.map { "2025-11-16_\($0)_001" }

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .throughput, .mallocCountTotal, .instructions],
        timeUnits: .nanoseconds,
        warmupIterations: 1,
        scalingFactor: .kilo,
        maxDuration: .seconds(5),
        maxIterations: 20
    )

    // Throughput and cost of emit in async mode, building each event per call as a caller would.
    nonisolated(unsafe) var asyncLedger: RunningLedger?
    Benchmark(
        "emit async, event built per call",
        configuration: .init(
            setup: { asyncLedger = try RunningLedger(async: true) },
            teardown: {
                await asyncLedger?.stop()
                asyncLedger = nil
            }
        )
    ) { benchmark in
        let ledger = asyncLedger!.ledger
        var seq = 0
        for _ in benchmark.scaledIterations {
            blackHole(ledger.emit(benchEvent(seq, agents: agents, sessions: sessions)))
            seq += 1
        }
    }

    // The cost of emit alone: the event is built once, so what is measured (mallocs included) is the
    // emitter's own work — validation, encoding, queueing — not the caller's payload.
    nonisolated(unsafe) var prebuiltLedger: RunningLedger?
    Benchmark(
        "emit async, prebuilt event (emitter cost only)",
        configuration: .init(
            setup: { prebuiltLedger = try RunningLedger(async: true) },
            teardown: {
                await prebuiltLedger?.stop()
                prebuiltLedger = nil
            }
        )
    ) { benchmark in
        let ledger = prebuiltLedger!.ledger
        let event = benchEvent(1, agents: agents, sessions: sessions)
        for _ in benchmark.scaledIterations {
            blackHole(ledger.emit(event))
        }
    }

    // Sync mode: the line is in the file when emit returns.
    nonisolated(unsafe) var syncLedger: RunningLedger?
    Benchmark(
        "emit sync, event built per call",
        configuration: .init(
            scalingFactor: .one,
            setup: { syncLedger = try RunningLedger(async: false) },
            teardown: {
                await syncLedger?.stop()
                syncLedger = nil
            }
        )
    ) { benchmark in
        let ledger = syncLedger!.ledger
        var seq = 0
        for _ in benchmark.scaledIterations {
            blackHole(ledger.emit(benchEvent(seq, agents: agents, sessions: sessions)))
            seq += 1
        }
    }

    // Encoding one event into a line, for reference.
    Benchmark("encode one event line") { benchmark in
        let encoder = EventEncoder(timeZone: .utc)
        var out: [UInt8] = []
        out.reserveCapacity(1 << 20)
        var event = benchEvent(1, agents: agents, sessions: sessions)
        for _ in benchmark.scaledIterations {
            out.removeAll(keepingCapacity: true)
            try? encoder.encode(&event, into: &out)
            blackHole(out.count)
        }
    }
}
