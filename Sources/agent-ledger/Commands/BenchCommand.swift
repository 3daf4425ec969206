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
            end of the final flush, emit latency p50/p99/p99.9 (of every 8th emit; --latency-every 1
            times them all), drops and bytes written. Other settings
            (AGI_EVENT_BUFFER_SIZE, AGI_EVENT_FLUSH_INTERVAL, AGENT_LEDGER_BATCH_SIZE, …) apply as usual.

            Examples:
              agent-ledger bench
              agent-ledger bench --events 500000 --producers 2 --json
              agent-ledger bench --mode sync --events 100000
              agent-ledger bench --fsync batch --flush-interval 1
              agent-ledger bench --buffer-size 1024 --buffer-bytes 1048576 --overflow dropNewest --verify
              agent-ledger bench --record-delay --events 2000 --rate 1000
              agent-ledger bench --verify-only --root /tmp/run --events 200000
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

    @Option(name: .long, help: "Seconds between flushes, like 0.2 or 1s (AGI_EVENT_FLUSH_INTERVAL).")
    var flushInterval: String?

    @Option(name: .long, help: "Queue capacity in events (AGI_EVENT_BUFFER_SIZE).")
    var bufferSize: Int?

    @Option(name: .long, help: "Queue capacity in bytes (AGENT_LEDGER_BUFFER_BYTES).")
    var bufferBytes: Int?

    @Option(name: .long, help: "Events per batch the flusher waits for (AGENT_LEDGER_BATCH_SIZE).")
    var batchSize: Int?

    @Option(name: .long, help: "What a full queue does: dropNewest, dropOldest or block (AGENT_LEDGER_OVERFLOW).")
    var overflow: String?

    @Option(name: .long, help: "How long block waits for room, like 0.05 or 10s (AGENT_LEDGER_BLOCK_TIMEOUT).")
    var blockTimeout: String?

    @Flag(
        name: .long,
        help: """
            Check afterwards that every event's line is there once, in its agent's file, and parses, and that \
            the ledger.dropped lines record exactly the dropped events.
            """
    )
    var verify = false

    @Flag(
        name: .long,
        help: "Emit nothing: check a --root written by an earlier bench with the same --events and --agents."
    )
    var verifyOnly = false

    @Flag(
        name: .long,
        help: """
            Measure the recording delay instead: one producer emits at --rate events/s while a reader thread \
            tails the files; reports p50/p99 from emit to the line being readable.
            """
    )
    var recordDelay = false

    @Option(name: .long, help: "Events per second with --record-delay.")
    var rate: Int = 1000

    @Option(
        name: .long,
        help:
            "Time every Nth emit for the latency figures (1 times them all; the clock reads cost about 50 ns per timed emit)."
    )
    var latencyEvery: Int = 8

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard events >= 1 else { throw ValidationError("--events must be at least 1") }
        guard (1...1024).contains(agents) else { throw ValidationError("--agents must be between 1 and 1024") }
        guard (1...64).contains(producers) else { throw ValidationError("--producers must be between 1 and 64") }
        guard (1...1_000_000).contains(latencyEvery) else {
            throw ValidationError("--latency-every must be between 1 and 1000000")
        }
        if let bufferSize, bufferSize < 1 { throw ValidationError("--buffer-size must be at least 1") }
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if let bufferBytes, bufferBytes < 1024 { throw ValidationError("--buffer-bytes must be at least 1024") }
        if verifyOnly {
            guard root != nil else {
                throw ValidationError("--verify-only needs --root: the folder an earlier bench --root wrote")
            }
            guard !recordDelay else { throw ValidationError("--verify-only and --record-delay exclude each other") }
        }
        if recordDelay {
            guard producers == 1 else { throw ValidationError("--record-delay uses one producer: drop --producers") }
            guard (1...1_000_000).contains(rate) else { throw ValidationError("--rate must be between 1 and 1000000") }
            guard events <= 10_000_000 else { throw ValidationError("--record-delay takes at most 10000000 events") }
        }
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
            var overrides = [
                Setting.root.fileKey: rootPath,
                Setting.async.fileKey: mode == .async ? "true" : "false",
                Setting.fsync.fileKey: fsync.rawValue,
            ]
            if let flushInterval { overrides[Setting.flushInterval.fileKey] = flushInterval }
            if let bufferSize { overrides[Setting.bufferSize.fileKey] = String(bufferSize) }
            if let bufferBytes { overrides[Setting.bufferBytes.fileKey] = String(bufferBytes) }
            if let batchSize { overrides[Setting.batchSize.fileKey] = String(batchSize) }
            if let overflow { overrides[Setting.overflow.fileKey] = overflow }
            if let blockTimeout { overrides[Setting.blockTimeout.fileKey] = blockTimeout }
            let config = try await LedgerOptions.configuration(overrides: overrides)
            if verifyOnly {
                try verifyExisting(layout: config.layout)
                return
            }
            if recordDelay {
                try await runRecordDelay(configuration: config)
                return
            }
            let result = try await Self.measure(
                configuration: config,
                events: events,
                agents: agents,
                producers: producers,
                latencyEvery: latencyEvery
            )
            var verified: JSONValue = .null
            var recordedDropped: JSONValue = .null
            if verify {
                let check = try Self.verify(layout: config.layout, agents: agents, events: events)
                verified = .bool(check.matches(dropped: result.dropped))
                recordedDropped = .int(Int64(check.recordedDropped))
                if !check.matches(dropped: result.dropped) {
                    throw CLIError.failed(
                        "verification failed: \(check.describe(events: events, dropped: result.dropped))"
                    )
                }
            }
            let peakRSS = Self.peakRSSBytes()
            if json {
                let out: JSONValue = [
                    "mode": .string(mode.rawValue), "fsync": .string(fsync.rawValue), "events": .int(Int64(events)),
                    "agents": .int(Int64(agents)), "producers": .int(Int64(producers)),
                    "seconds": .double(result.seconds), "events_per_sec": .double(result.eventsPerSecond.rounded()),
                    "p50_ns": .int(Int64(result.p50)), "p99_ns": .int(Int64(result.p99)),
                    "p999_ns": .int(Int64(result.p999)), "max_ns": .int(Int64(result.max)),
                    "latency_every": .int(Int64(latencyEvery)), "dropped": .int(Int64(result.dropped)),
                    "written": .int(Int64(result.written)),
                    "bytes_written": .int(result.bytesWritten), "verified": verified,
                    "recorded_dropped": recordedDropped, "peak_rss_bytes": .int(peakRSS),
                    "batch_size": .int(Int64(config.batchSize)), "buffer_size": .int(Int64(config.bufferSize)),
                    "buffer_bytes": .int(Int64(config.bufferBytes)), "overflow": .string(config.overflow.rawValue),
                    "block_timeout": .double(config.blockTimeout), "flush_interval": .double(config.flushInterval),
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
                print("peak RSS     \(peakRSS / 1024) KiB (queue cap \(config.bufferBytes / 1024) KiB)")
                if verify {
                    print("verified     every line present and parsing; ledger.dropped records \(recordedDropped)")
                }
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

    /// The bench's event number `seq`, built anew on every call as an orchestrator would: a
    /// `task_result` of about 280 bytes with a counting `seq` in `data`.
    @inline(__always)
    static func benchEvent(_ seq: Int, agent: String, session: String) -> LedgerEvent {
        LedgerEvent(
            timestamp: .now,
            agent: agent,
            type: "task_result",
            sessionID: session,
            taskID: taskID(seq),
            source: "gg_orchestrator",
            summary: "Completed layout SPEC + PLAN for the ledger app",
            data: ["status": "success", "duration_sec": 1, "seq": .int(Int64(seq))]
        )
    }

    /// The bench's agents (`agent-1` …) and each one's session of today.
    static func benchAgents(
        _ count: Int,
        configuration: LedgerConfiguration
    ) throws -> (names: [String], sessions: [String]) {
        let names = (0..<count).map { "agent-\($0 + 1)" }
        let today = try LedgerTimeZone.parse(configuration.timeZone).localDate(of: .now)
        return (names, names.map { SessionAllocator.sessionID(date: today, agent: $0, number: 1) })
    }

    static func measure(
        configuration: LedgerConfiguration,
        events: Int,
        agents: Int,
        producers: Int,
        latencyEvery: Int = 1
    ) async throws -> Result {
        let ledger = try Ledger(configuration: configuration, agent: "bench")
        let (agentNames, sessions) = try benchAgents(agents, configuration: configuration)
        let histograms = HistogramBox(count: producers)

        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await ledger.run() }
            let start = MonotonicClock.nanoseconds()
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                let remaining = Countdown(producers) { done.resume() }
                for p in 0..<producers {
                    let thread = Thread {
                        var histogram = Histogram<UInt64>(
                            highestTrackableValue: 60_000_000_000,
                            numberOfSignificantValueDigits: .three
                        )
                        var seq = p
                        var untilTimed = 0
                        while seq < events {
                            let agentIndex = seq % agents
                            let agent = agentNames[agentIndex]
                            let session = sessions[agentIndex]
                            if untilTimed == 0 {
                                // A sample of the emits is timed, so that the clock reads do not weigh
                                // on the throughput being measured.
                                untilTimed = latencyEvery
                                let event = benchEvent(seq, agent: agent, session: session)
                                // The event outlives the second clock read: its release is the caller's
                                // work, and without this the optimizer moves it into the timed window.
                                withExtendedLifetime(event) {
                                    let t0 = MonotonicClock.nanoseconds()
                                    ledger.emit(event)
                                    let t1 = MonotonicClock.nanoseconds()
                                    _ = histogram.record(t1 &- t0)
                                }
                            } else {
                                ledger.emit(benchEvent(seq, agent: agent, session: session))
                            }
                            untilTimed -= 1
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
            let end = MonotonicClock.nanoseconds()
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

    /// What ``verify(layout:agents:events:)`` found in the files.
    struct Check: Equatable {
        /// How many events were emitted.
        var expected: Int
        /// Distinct `seq` values found, each in its own agent's file.
        var found = 0
        /// Lines that do not parse, and `seq` values out of range, repeated or in another agent's file.
        var bad = 0
        /// The sum of `dropped` over the `ledger.dropped` lines.
        var recordedDropped: UInt64 = 0

        /// Every event is either in the files or counted as dropped, and the ledger records every drop.
        func matches(dropped: UInt64) -> Bool {
            bad == 0 && recordedDropped == dropped && UInt64(found) + dropped == UInt64(expected)
        }

        func describe(events: Int, dropped: UInt64) -> String {
            "\(found) of \(events) events found, \(bad) bad or misplaced lines, \(dropped) reported dropped, "
                + "\(recordedDropped) recorded in ledger.dropped lines"
        }
    }

    /// Reads every agent's day files: each `seq` from 0 to events-1 must appear at most once, in the file of
    /// agent `seq % agents`, and every line must parse. The caller compares the result with the drops.
    static func verify(layout: LedgerLayout, agents: Int, events: Int) throws -> Check {
        var seen = [Bool](repeating: false, count: events)
        var check = Check(expected: events)
        let reader = LedgerReader(layout: layout)
        for a in 0..<agents {
            let agent = "agent-\(a + 1)"
            for date in layout.days(agent: agent) {
                check.bad += try reader.forEachEvent(agent: agent, date: date) { e in
                    if e.type == "ledger.dropped" {
                        check.recordedDropped += UInt64(max(0, e.data["dropped"]?.intValue ?? 0))
                        return true
                    }
                    guard e.type == "task_result", let seq = e.data["seq"]?.intValue else { return true }
                    let i = Int(seq)
                    if i < 0 || i >= events || seen[i] || i % agents != a {
                        check.bad += 1
                    } else {
                        seen[i] = true
                        check.found += 1
                    }
                    return true
                }
            }
        }
        return check
    }

    /// `--verify-only`: the drops are taken to be the ones the ledger recorded.
    func verifyExisting(layout: LedgerLayout) throws {
        let check = try Self.verify(layout: layout, agents: agents, events: events)
        let dropped = check.recordedDropped
        if json {
            let out: JSONValue = [
                "events": .int(Int64(events)), "agents": .int(Int64(agents)), "found": .int(Int64(check.found)),
                "bad": .int(Int64(check.bad)), "recorded_dropped": .int(Int64(dropped)),
                "verified": .bool(check.matches(dropped: dropped)),
            ]
            print(out.jsonString)
        }
        guard check.matches(dropped: dropped) else {
            throw CLIError.failed("verification failed: \(check.describe(events: events, dropped: dropped))")
        }
        if !json { print("verified     \(check.found) of \(events) events; \(dropped) recorded as dropped") }
    }

    /// The process's peak resident set size so far (`getrusage`'s `ru_maxrss`, KiB on Linux).
    static func peakRSSBytes() -> Int64 {
        var usage = rusage()
        #if canImport(Glibc)
        let who = __rusage_who_t(RUSAGE_SELF.rawValue)
        #else
        let who = RUSAGE_SELF
        #endif
        guard getrusage(who, &usage) == 0 else { return 0 }
        #if canImport(Darwin)
        return Int64(usage.ru_maxrss)
        #else
        return Int64(usage.ru_maxrss) * 1024
        #endif
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
