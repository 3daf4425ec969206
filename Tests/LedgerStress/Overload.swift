import LedgerCore
import LedgerRuntime
import LedgerStore

#if canImport(Glibc)
import Glibc
#endif

/// A disk that takes `delay` for every write: the seam's production-shaped fault, a throttled device.
final class SlowDisk: WriteFaults {
    let delayMicroseconds: UInt32
    init(milliseconds: Int) { delayMicroseconds = UInt32(milliseconds * 1000) }
    func fault(path: String, bytes: Int) -> (errno: Int32, writtenFirst: Int)? {
        usleep(delayMicroseconds)
        return nil
    }
}

/// The overload suite: producers far faster than a throttled disk.
///
/// `--root R [--producers 4] [--events 500000] [--cap-bytes 4194304] [--write-delay-ms 20]
/// [--policy dropNewest|dropOldest|block] [--shutdown-seconds 2] [--pad 200]`: each producer emits
/// `events` events with a `pad`-byte payload as fast as it can; then `shutdown()` with its deadline. Prints the
/// accounting (emitted = written + dropped), the `ledger.dropped` counts found on disk, the peak
/// resident memory, and whether shutdown returned.
enum OverloadSuite {
    static func run(_ options: StressOptions) async {
        let root = options.string("root")
        let producers = options.int("producers", default: 4)
        let events = options.int("events", default: 500_000)
        var config = LedgerConfiguration()
        config.root = root
        config.async = true
        config.timeZone = "UTC"
        config.bufferBytes = options.int("cap-bytes", default: 4 << 20)
        config.batchSize = 1024
        config.maxEventBytes = 4096
        config.flushInterval = 0.05
        config.blockTimeout = 0.001
        guard let policy = OverflowPolicy(rawValue: options.string("policy")) else {
            StressOptions.fail("--policy must be dropNewest, dropOldest or block")
        }
        config.overflow = policy
        config.shutdownTimeout = Double(options.int("shutdown-seconds", default: 2))
        let ledger: Ledger
        do {
            ledger = try Ledger(
                configuration: config,
                faults: SlowDisk(milliseconds: options.int("write-delay-ms", default: 20))
            )
        } catch {
            StressOptions.fail("\(error)")
        }
        let runner = Task { try await ledger.run() }
        let padding = String(repeating: "p", count: options.int("pad", default: 200))
        let rssBefore = peakResidentKiB()
        await withTaskGroup(of: Void.self) { group in
            for p in 0..<producers {
                group.addTask {
                    for i in 0..<events {
                        ledger.emit(
                            "info",
                            agent: "load-\(p % 2)",
                            data: ["producer": .int(Int64(p)), "seq": .int(Int64(i)), "pad": .string(padding)]
                        )
                    }
                }
            }
        }
        let emitted = UInt64(producers * events)
        let start = ContinuousClock.now
        let report = await ledger.shutdown()
        let shutdownTook = ContinuousClock.now - start
        _ = try? await runner.value
        // Before the audit below, which reads the files back.
        let rssAfter = peakResidentKiB()
        // The report shutdown() returns at its deadline can miss a batch the flusher was still
        // writing; once run() has returned, the counters are final.
        let s = await ledger.statistics()
        let reportGap = Int64(s.written + s.dropped) - Int64(report.statistics.written + report.statistics.dropped)
        var failures: [String] = []
        var onDisk = 0
        let audit: LedgerAudit
        do {
            audit = try LedgerAudit.scan(root: root) { _ in onDisk += 1 }
        } catch {
            StressOptions.fail("cannot read the ledger: \(error)")
        }
        if s.accepted + s.droppedQueueFull != emitted {
            failures.append("accepted \(s.accepted) + refused for room \(s.droppedQueueFull) != emitted \(emitted)")
        }
        if s.written + s.dropped != emitted {
            failures.append("written \(s.written) + dropped \(s.dropped) != \(emitted)")
        }
        if UInt64(onDisk) != s.written { failures.append("\(onDisk) events on disk, \(s.written) counted as written") }
        if s.dropped == 0 { failures.append("nothing dropped: the disk was not slower than the producers") }
        if !audit.malformed.isEmpty || audit.orderViolations > 0 { failures.append("malformed or out of order lines") }
        var o = JSONObject()
        o.appendUnchecked("suite", "overload")
        o.appendUnchecked("ok", .bool(failures.isEmpty))
        o.appendUnchecked("policy", .string(policy.rawValue))
        o.appendUnchecked("emitted", .int(Int64(emitted)))
        o.appendUnchecked("accepted", .int(Int64(s.accepted)))
        o.appendUnchecked("written", .int(Int64(s.written)))
        o.appendUnchecked("dropped", .int(Int64(s.dropped)))
        o.appendUnchecked("dropped_queue_full", .int(Int64(s.droppedQueueFull)))
        o.appendUnchecked("dropped_oldest", .int(Int64(s.droppedOldest)))
        o.appendUnchecked("dropped_not_written", .int(Int64(s.droppedNotWritten)))
        o.appendUnchecked("dropped_recorded_on_disk", .int(audit.droppedRecorded))
        o.appendUnchecked("shutdown_complete", .bool(report.complete))
        o.appendUnchecked("in_flight_at_shutdown_return", .int(reportGap))
        o.appendUnchecked(
            "shutdown_seconds",
            .double(shutdownTook.inSeconds)
        )
        o.appendUnchecked("cap_bytes", .int(Int64(config.bufferBytes)))
        o.appendUnchecked("emitted_bytes_at_least", .int(Int64(emitted) * Int64(padding.utf8.count)))
        o.appendUnchecked("peak_rss_kib_before", .int(rssBefore))
        o.appendUnchecked("peak_rss_kib", .int(rssAfter))
        audit.summary(into: &o)
        o.appendUnchecked("failures", .array(failures.map { .string($0) }))
        var line: [UInt8] = []
        JSONWriter.writeObject(o, into: &line)
        StressOptions.say(String(decoding: line, as: UTF8.self))
        exit(failures.isEmpty ? 0 : 1)
    }

    /// The process's peak resident memory, in KiB.
    static func peakResidentKiB() -> Int64 {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Int64(usage.ru_maxrss)
    }
}
