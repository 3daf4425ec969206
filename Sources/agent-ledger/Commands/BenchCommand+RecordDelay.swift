import AgentLedger
import ArgumentParser
import Foundation
import Histogram

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension BenchCommand {
    /// What `--record-delay` measured: from the moment `emit` was called to the moment a reader tailing
    /// the day file could read the line.
    struct DelayResult {
        var seen: Int
        var p50: UInt64
        var p99: UInt64
        var p999: UInt64
        var max: UInt64
        var dropped: UInt64
    }

    func runRecordDelay(configuration config: LedgerConfiguration) async throws {
        let r = try await Self.measureRecordDelay(configuration: config, events: events, agents: agents, rate: rate)
        let peakRSS = Self.peakRSSBytes()
        if json {
            let out: JSONValue = [
                "mode": .string(mode.rawValue), "fsync": .string(fsync.rawValue), "events": .int(Int64(events)),
                "agents": .int(Int64(agents)), "rate": .int(Int64(rate)), "seen": .int(Int64(r.seen)),
                "delay_p50_ns": .int(Int64(r.p50)), "delay_p99_ns": .int(Int64(r.p99)),
                "delay_p999_ns": .int(Int64(r.p999)), "delay_max_ns": .int(Int64(r.max)),
                "dropped": .int(Int64(r.dropped)), "flush_interval": .double(config.flushInterval),
                "peak_rss_bytes": .int(peakRSS),
            ]
            print(out.jsonString)
        } else {
            print("mode \(mode.rawValue), \(events) events at \(rate)/s, \(agents) agents")
            print("recording delay p50 \(r.p50) ns, p99 \(r.p99) ns, p99.9 \(r.p999) ns, max \(r.max) ns")
            print(
                "seen         \(r.seen) of \(events) lines; dropped \(r.dropped); flush interval \(config.flushInterval) s"
            )
        }
        if UInt64(r.seen) + r.dropped != UInt64(events) {
            throw CLIError.failed("the reader saw \(r.seen) of \(events) lines (\(r.dropped) dropped)")
        }
    }

    /// One producer emits `events` events evenly spaced at `rate` per second; a reader thread polls every
    /// agent's day file every 100 µs and, for each new complete line, records now minus the time its `seq`
    /// was emitted. Ends when every line was seen (or the flush interval plus 30 s after the last emit).
    static func measureRecordDelay(
        configuration: LedgerConfiguration,
        events: Int,
        agents: Int,
        rate: Int
    ) async throws -> DelayResult {
        let ledger = try Ledger(configuration: configuration, agent: "bench")
        let (agentNames, sessions) = try benchAgents(agents, configuration: configuration)
        let zone = try LedgerTimeZone.parse(configuration.timeZone)
        let emitted = EmitTimes(count: events)
        let layout = configuration.layout
        let box = DelayBox()

        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await ledger.run() }
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                let remaining = Countdown(2) { done.resume() }
                let reader = Thread {
                    box.set(tail(layout: layout, zone: zone, agents: agentNames, emitted: emitted, events: events))
                    remaining.done()
                }
                reader.stackSize = 1 << 20
                reader.start()
                let producer = Thread {
                    let start = MonotonicClock.nanoseconds()
                    let spacing = 1_000_000_000 / UInt64(rate)
                    for seq in 0..<events {
                        let due = start &+ UInt64(seq) &* spacing
                        var now = MonotonicClock.nanoseconds()
                        while now < due {
                            let wait = due - now
                            if wait > 60_000 {
                                var ts = timespec(tv_sec: 0, tv_nsec: Int(wait - 50_000))
                                nanosleep(&ts, nil)
                            }
                            now = MonotonicClock.nanoseconds()
                        }
                        let agentIndex = seq % agents
                        let event = benchEvent(seq, agent: agentNames[agentIndex], session: sessions[agentIndex])
                        emitted.set(seq, MonotonicClock.nanoseconds())
                        ledger.emit(event)
                    }
                    emitted.finish(
                        deadline: MonotonicClock.nanoseconds() &+ UInt64((configuration.flushInterval + 30) * 1e9)
                    )
                    remaining.done()
                }
                producer.stackSize = 1 << 20
                producer.start()
            }
            let report = await ledger.shutdown(timeout: 600)
            try await group.waitForAll()
            var r = box.get()
            r.dropped = report.statistics.dropped
            return r
        }
    }

    /// The reader: polls the day files and records each new line's delay.
    private static func tail(
        layout: LedgerLayout,
        zone: LedgerTimeZone,
        agents: [String],
        emitted: EmitTimes,
        events: Int
    ) -> DelayResult {
        var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        var offsets: [String: Int64] = [:]
        var descriptors: [String: Int32] = [:]
        defer { for fd in descriptors.values { close(fd) } }
        var pending: [String: [UInt8]] = [:]
        var seen = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while seen < events {
            if let deadline = emitted.deadline, MonotonicClock.nanoseconds() > deadline { break }
            var grew = false
            for agent in agents {
                let path = layout.dayFile(agent: agent, date: zone.localDate(of: .now))
                let fd = descriptors[path] ?? open(path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { continue }
                descriptors[path] = fd
                var offset = offsets[path] ?? 0
                while true {
                    let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset)) }
                    guard n > 0 else { break }
                    let now = MonotonicClock.nanoseconds()
                    offset += Int64(n)
                    grew = true
                    var buffer = pending[path] ?? []
                    buffer.append(contentsOf: chunk[0..<n])
                    var lineStart = 0
                    while let newline = buffer[lineStart...].firstIndex(of: UInt8(ascii: "\n")) {
                        if let e = try? EventLine.parse(buffer[lineStart..<newline]), e.type == "task_result",
                            let seq = e.data["seq"]?.intValue, seq >= 0, seq < events
                        {
                            let t = emitted.get(Int(seq))
                            if t > 0 {
                                _ = histogram.record(now > t ? now - t : 0)
                                seen += 1
                            }
                        }
                        lineStart = newline + 1
                    }
                    pending[path] = Array(buffer[lineStart...])
                }
                offsets[path] = offset
            }
            if !grew { usleep(100) }
        }
        return DelayResult(
            seen: seen,
            p50: histogram.valueAtPercentile(50),
            p99: histogram.valueAtPercentile(99),
            p999: histogram.valueAtPercentile(99.9),
            max: histogram.max,
            dropped: 0
        )
    }
}

/// When each `seq` was emitted (monotonic ns, 0 = not yet), shared by the producer and the reader.
/// Each slot is written once by the producer before the event is emitted; the reader reads it only
/// after the line is in the file, which the queue's lock and the write to the file order after it.
final class EmitTimes: @unchecked Sendable {
    private let times: UnsafeMutablePointer<UInt64>
    private let lock = NSLock()
    private var end: UInt64?

    init(count: Int) {
        times = .allocate(capacity: max(count, 1))
        times.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { times.deallocate() }

    func set(_ i: Int, _ t: UInt64) { times[i] = t }
    func get(_ i: Int) -> UInt64 { times[i] }

    /// The producer is done; the reader gives up at `deadline`.
    func finish(deadline: UInt64) {
        lock.lock()
        end = deadline
        lock.unlock()
    }

    var deadline: UInt64? {
        lock.lock()
        defer { lock.unlock() }
        return end
    }
}

/// Hands the reader's result to the command.
final class DelayBox: @unchecked Sendable {
    private let lock = NSLock()
    private var result = BenchCommand.DelayResult(seen: 0, p50: 0, p99: 0, p999: 0, max: 0, dropped: 0)

    func set(_ r: BenchCommand.DelayResult) {
        lock.lock()
        result = r
        lock.unlock()
    }

    func get() -> BenchCommand.DelayResult {
        lock.lock()
        defer { lock.unlock() }
        return result
    }
}
