import AgentLedger
import ArgumentParser
import Foundation
import Histogram

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure emit throughput and latency with a realistic load, to size a configuration.",
        discussion: """
            Each event is about 280 bytes (a task_result with status, duration_sec and a counting seq),
            agents round robin, emitted by producer threads. Reports events/s from the first emit to the
            end of the final flush, emit latency p50/p99/p99.9, drops and bytes written. Other settings
            (AGI_EVENT_BUFFER_SIZE, AGI_EVENT_FLUSH_INTERVAL, AGENT_LEDGER_BATCH_SIZE, …) apply as usual.

            Examples:
              agent-ledger bench
              agent-ledger bench --events 500000 --producers 2 --json
              agent-ledger bench --mode sync --events 100000
              agent-ledger bench --fsync batch
            """
    )

    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case async
        case sync
    }

    enum FsyncChoice: String, ExpressibleByArgument, CaseIterable {
        case none
        case batch
    }

    @Option(name: .long, help: "How many events.")
    var events: Int = 2_000_000

    @Option(name: .long, help: "How many agents, round robin.")
    var agents: Int = 4

    @Option(name: .long, help: "How many producer threads.")
    var producers: Int = 1

    @Option(name: .long, help: "async or sync.")
    var mode: Mode = .async

    @Option(name: .long, help: "none or batch.")
    var fsync: FsyncChoice = .none

    @Option(name: .long, help: "Ledger root (default: a temporary folder, removed afterwards).")
    var root: String?

    @Flag(name: .long, help: "Check afterwards that every line is there and parses.")
    var verify = false

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard events >= 1 else { throw ValidationError("--events must be at least 1") }
        guard (1...1024).contains(agents) else { throw ValidationError("--agents must be between 1 and 1024") }
        guard (1...64).contains(producers) else { throw ValidationError("--producers must be between 1 and 64") }
    }

    func run() async throws {
        try await runReportingErrors {
            var temporary: String?
            let rootPath: String
            if let root {
                rootPath = root
            } else {
                var template = Array("/tmp/agent-ledger-bench-XXXXXX".utf8CString)
                guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
                    throw CLIError.failed("cannot create a temporary folder in /tmp")
                }
                rootPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
                temporary = rootPath
            }
            defer {
                if let temporary { _ = try? FileManager.default.removeItem(atPath: temporary) }
            }
            let config = try await LedgerOptions.configuration(overrides: [
                Setting.root.fileKey: rootPath,
                Setting.async.fileKey: mode == .async ? "true" : "false",
                Setting.fsync.fileKey: fsync.rawValue,
            ])
            let result = try await Self.measure(
                configuration: config,
                events: events,
                agents: agents,
                producers: producers
            )
            var verified: JSONValue = .null
            if verify {
                let v = try Self.verify(layout: config.layout, agents: agents, events: events, dropped: result.dropped)
                verified = .bool(v)
                if !v { throw CLIError.failed("verification failed: the files do not hold exactly the written events") }
            }
            if json {
                let out: JSONValue = [
                    "mode": .string(mode.rawValue), "fsync": .string(fsync.rawValue), "events": .int(Int64(events)),
                    "agents": .int(Int64(agents)), "producers": .int(Int64(producers)),
                    "seconds": .double(result.seconds), "events_per_sec": .double(result.eventsPerSecond.rounded()),
                    "p50_ns": .int(Int64(result.p50)), "p99_ns": .int(Int64(result.p99)),
                    "p999_ns": .int(Int64(result.p999)), "max_ns": .int(Int64(result.max)),
                    "dropped": .int(Int64(result.dropped)), "written": .int(Int64(result.written)),
                    "bytes_written": .int(result.bytesWritten), "verified": verified,
                    "batch_size": .int(Int64(config.batchSize)), "buffer_size": .int(Int64(config.bufferSize)),
                    "flush_interval": .double(config.flushInterval),
                ]
                print(out.jsonString)
            } else {
                print(
                    "mode \(mode.rawValue), fsync \(fsync.rawValue), \(producers) producer(s), \(agents) agents, \(events) events"
                )
                print(
                    String(
                        format: "throughput   %.0f events/s (%.3f s, first emit to final flush)",
                        result.eventsPerSecond,
                        result.seconds
                    )
                )
                print(
                    "emit latency p50 \(result.p50) ns, p99 \(result.p99) ns, p99.9 \(result.p999) ns, max \(result.max) ns"
                )
                print("written      \(result.written) events, \(result.bytesWritten) bytes; dropped \(result.dropped)")
                if verify { print("verified     every line present and parsing") }
            }
        }
    }

    struct Result {
        var seconds: Double
        var eventsPerSecond: Double
        var p50: UInt64
        var p99: UInt64
        var p999: UInt64
        var max: UInt64
        var dropped: UInt64
        var written: UInt64
        var bytesWritten: Int64
    }

    static func measure(
        configuration: LedgerConfiguration,
        events: Int,
        agents: Int,
        producers: Int
    ) async throws -> Result {
        let ledger = try Ledger(configuration: configuration, agent: "bench")
        let agentNames = (0..<agents).map { "agent-\($0 + 1)" }
        let zone = try LedgerTimeZone.parse(configuration.timeZone)
        let today = zone.localDate(of: .now)
        let sessions = agentNames.map { SessionAllocator.sessionID(date: today, agent: $0, number: 1) }
        let histograms = HistogramBox(count: producers)

        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await ledger.run() }
            let start = monotonic()
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                let remaining = Countdown(producers) { done.resume() }
                for p in 0..<producers {
                    let thread = Thread {
                        var histogram = Histogram<UInt64>(
                            highestTrackableValue: 60_000_000_000,
                            numberOfSignificantValueDigits: .three
                        )
                        var seq = p
                        while seq < events {
                            let agentIndex = seq % agents
                            let event = LedgerEvent(
                                timestamp: .now,
                                agent: agentNames[agentIndex],
                                type: "task_result",
                                sessionID: sessions[agentIndex],
                                taskID: taskID(seq),
                                source: "gg_orchestrator",
                                summary: "Completed layout SPEC + PLAN for the ledger app",
                                data: ["status": "success", "duration_sec": 1, "seq": .int(Int64(seq))]
                            )
                            let t0 = monotonic()
                            ledger.emit(event)
                            let t1 = monotonic()
                            _ = histogram.record(t1 &- t0)
                            seq += producers
                        }
                        histograms.set(p, histogram)
                        remaining.done()
                    }
                    thread.stackSize = 1 << 20
                    thread.start()
                }
            }
            let report = await ledger.shutdown(timeout: 600)
            let end = monotonic()
            try await group.waitForAll()
            var merged = Histogram<UInt64>(
                highestTrackableValue: 60_000_000_000,
                numberOfSignificantValueDigits: .three
            )
            for h in histograms.all() { merged.add(h) }
            let seconds = Double(end - start) / 1e9
            var bytes: Int64 = 0
            for a in agentNames {
                for d in configuration.layout.days(agent: a) {
                    bytes += FileSystem.fileSize(configuration.layout.dayFile(agent: a, date: d)) ?? 0
                }
            }
            let stats = report.statistics
            return Result(
                seconds: seconds,
                eventsPerSecond: Double(events) / seconds,
                p50: merged.valueAtPercentile(50),
                p99: merged.valueAtPercentile(99),
                p999: merged.valueAtPercentile(99.9),
                max: merged.max,
                dropped: stats.dropped,
                written: stats.written,
                bytesWritten: bytes
            )
        }
    }

    /// Every `seq` from 0 to events-1 appears exactly once (less the dropped ones), each in its agent's file.
    static func verify(layout: LedgerLayout, agents: Int, events: Int, dropped: UInt64) throws -> Bool {
        var seen = [Bool](repeating: false, count: events)
        var count = 0
        var bad = 0
        let reader = LedgerReader(layout: layout)
        for a in 0..<agents {
            let agent = "agent-\(a + 1)"
            for date in layout.days(agent: agent) {
                bad += try reader.forEachEvent(agent: agent, date: date) { e in
                    guard e.type == "task_result", let seq = e.data["seq"]?.intValue else { return true }
                    let i = Int(seq)
                    if i < 0 || i >= events || seen[i] || i % agents != a {
                        bad += 1
                    } else {
                        seen[i] = true
                        count += 1
                    }
                    return true
                }
            }
        }
        return bad == 0 && UInt64(count) + dropped == UInt64(events)
    }

    /// `wo-0000042`: at least seven digits, written into a small buffer in one pass (an id of up to
    /// 15 bytes is a small string, so no allocation either).
    static func taskID(_ seq: Int) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buf in
            var n = seq.magnitude
            var pos = 24
            repeat {
                pos -= 1
                buf[pos] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: n % 10)
                n /= 10
            } while n > 0
            while pos > 17 {
                pos -= 1
                buf[pos] = UInt8(ascii: "0")
            }
            if seq < 0 {
                pos -= 1
                buf[pos] = UInt8(ascii: "-")
            }
            for c in "wo-".utf8.reversed() {
                pos -= 1
                buf[pos] = c
            }
            return String(decoding: UnsafeBufferPointer(rebasing: buf[pos..<24]), as: UTF8.self)
        }
    }

    static func monotonic() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}

/// Collects the producers' histograms.
final class HistogramBox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Histogram<UInt64>?]

    init(count: Int) { items = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ h: Histogram<UInt64>) {
        lock.lock()
        items[i] = h
        lock.unlock()
    }

    func all() -> [Histogram<UInt64>] {
        lock.lock()
        defer { lock.unlock() }
        return items.compactMap { $0 }
    }
}

/// Calls `body` when `done()` has been called `count` times.
final class Countdown: @unchecked Sendable {
    private let lock = NSLock()
    private var count: Int
    private let body: () -> Void

    init(_ count: Int, _ body: @escaping () -> Void) {
        self.count = count
        self.body = body
    }

    func done() {
        lock.lock()
        count -= 1
        let fire = count == 0
        lock.unlock()
        if fire { body() }
    }
}
