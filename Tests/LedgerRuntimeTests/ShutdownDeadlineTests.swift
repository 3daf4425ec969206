import Foundation
import LedgerCore
import LedgerStore
import LedgerTestSupport
import Synchronization
import Testing

@testable import LedgerRuntime

#if canImport(Glibc)
import Glibc
#endif

/// A disk whose writes hang until the test lets them go.
final class StuckWrites: WriteFaults {
    private let released = Atomic<Bool>(false)
    private let stuckFiles = Mutex<Set<String>>([])
    func release() { released.store(true, ordering: .releasing) }
    /// How many different files have a write hanging now.
    var stuck: Int { stuckFiles.withLock { $0.count } }
    func fault(path: String, bytes: Int) -> (errno: Int32, writtenFirst: Int)? {
        stuckFiles.withLock { _ = $0.insert(path) }
        while !released.load(ordering: .acquiring) { usleep(10_000) }
        stuckFiles.withLock { _ = $0.remove(path) }
        return nil
    }
}

/// A disk that takes `seconds` for every write.
final class SlowWrites: WriteFaults {
    let seconds: Double
    init(seconds: Double) { self.seconds = seconds }
    func fault(path: String, bytes: Int) -> (errno: Int32, writtenFirst: Int)? {
        usleep(UInt32(seconds * 1e6))
        return nil
    }
}

/// Calls `fire` from its own thread after `seconds`, unless cancelled: it does not need the
/// concurrency pool, so it still acts when the pool is starved.
final class Watchdog: Sendable {
    private final class Flags: Sendable {
        let cancelled = Atomic<Bool>(false)
        let fired = Atomic<Bool>(false)
    }
    private let flags = Flags()

    init(seconds: Double, fire: @escaping @Sendable () -> Void) {
        let flags = self.flags
        let thread = Thread {
            let deadline = MonotonicClock.nanoseconds() + UInt64(seconds * 1e9)
            while MonotonicClock.nanoseconds() < deadline {
                if flags.cancelled.load(ordering: .acquiring) { return }
                usleep(20_000)
            }
            flags.fired.store(true, ordering: .releasing)
            fire()
        }
        thread.start()
    }

    func cancel() { flags.cancelled.store(true, ordering: .releasing) }
    var fired: Bool { flags.fired.load(ordering: .acquiring) }
}

@Suite struct ShutdownDeadlineTests {
    /// Starts `run()` and waits (up to a minute) until its loop is up.
    static func running(_ ledger: Ledger) async throws -> Task<Void, any Error> {
        let runner = Task { try await ledger.run() }
        try await waitUntil(seconds: 60) { ledger.control.withLock { $0.runnerActive } }
        #expect(ledger.control.withLock { $0.runnerActive })
        return runner
    }

    /// Polls `condition` every 10 ms until it holds or `seconds` have passed.
    static func waitUntil(seconds: Double = 30, _ condition: () -> Bool) async throws {
        for _ in 0..<Int(seconds * 100) {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// A batch still being written when the deadline passes is neither written nor dropped yet: the
    /// report counts it as not written, the statistics show it in flight (every event is accounted
    /// for), and neither they nor a flush with a deadline wait for the stuck write.
    @Test func aBatchStillBeingWrittenAtTheDeadlineIsReported() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let disk = StuckWrites()
        defer { disk.release() }
        let ledger = try Ledger(configuration: asyncConfig(dir.path), faults: disk)
        let runner = try await Self.running(ledger)
        for i in 0..<100 { ledger.emit("info", agent: "cls", data: ["seq": .int(Int64(i))]) }
        // A flush with a deadline returns at it, without the events, while the write is stuck.
        #expect(await ledger.flush(timeout: 0.5) == false)
        let report = await ledger.shutdown(timeout: 0.5)
        #expect(!report.complete)
        #expect(report.lost == 100)
        let s = report.statistics
        #expect(s.accepted == 100)
        #expect(s.written == 0)
        #expect(s.written + s.dropped + UInt64(s.queueDepth + s.pendingRetry + s.inFlight) == 100)
        disk.release()
        _ = try? await runner.value
    }

    /// Writes stuck on a dead disk hold their own threads, never the shared concurrency pool: with
    /// more agents stuck than the pool has threads, the rest of the program's tasks still run, and
    /// shutdown still returns at its deadline.
    @Test func aStuckDiskNeverStarvesTheProgramsTasks() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let disk = StuckWrites()
        defer { disk.release() }
        // Were the pool starved, nothing below could resume until the watchdog frees the disk.
        let watchdog = Watchdog(seconds: 60) { disk.release() }
        defer { watchdog.cancel() }
        let agents = max(8, 2 * ProcessInfo.processInfo.activeProcessorCount)
        // As many writer threads as agents, so that more writes hang at once than the pool has threads.
        let ledger = try Ledger(configuration: asyncConfig(dir.path) { $0.writers = agents }, faults: disk)
        let runner = try await Self.running(ledger)
        for a in 0..<agents { ledger.emit("info", agent: "agent-\(a)", data: ["seq": 1]) }
        #expect(await ledger.flush(timeout: 0.2) == false)
        // At least as many writes hang at once as the shared pool has threads.
        let stuckAtOnce = min(agents, max(2, ProcessInfo.processInfo.activeProcessorCount))
        try await Self.waitUntil { disk.stuck >= stuckAtOnce || watchdog.fired }
        #expect(disk.stuck >= stuckAtOnce)
        // Other work goes on while every agent's write hangs.
        let other = Task { () -> Int in
            var n = 0
            for _ in 0..<10 {
                try? await Task.sleep(for: .milliseconds(5))
                n += 1
            }
            return n
        }
        #expect(await other.value == 10)
        let report = await ledger.shutdown(timeout: 0.5)
        #expect(!report.complete)
        #expect(report.lost == UInt64(agents))
        #expect(!watchdog.fired, "the concurrency pool was starved until the watchdog released the disk")
        disk.release()
        _ = try? await runner.value
    }

    /// The agents' files are the record; the copies follow them. While an agent's write hangs, its
    /// lines are in neither the one-file ledger nor the global stream yet.
    @Test func theCopiesAreWrittenAfterTheAgentsFiles() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let disk = StuckWrites()
        defer { disk.release() }
        let path = dir.join("memory/resonance_ledger.jsonl")
        let ledger = try Ledger(
            configuration: asyncConfig(dir.path) {
                $0.ledgerPath = path
                $0.globalEvents = true
            },
            faults: disk
        )
        let runner = try await Self.running(ledger)
        for i in 0..<3 { ledger.emit("info", agent: "cls", data: ["seq": .int(Int64(i))]) }
        #expect(await ledger.flush(timeout: 0.5) == false)
        try await Self.waitUntil { disk.stuck > 0 }
        #expect(disk.stuck == 1)
        let copied = FileSystem.exists(path) ? try TestEvents.lines(path) : []
        #expect(copied.isEmpty)
        let global = LedgerLayout(root: dir.path).globalEventsDirectory
        #expect(FileSystem.list(global).filter { $0.hasSuffix(".jsonl") }.isEmpty)
        disk.release()
        #expect(await ledger.flush(timeout: 120))
        #expect(try TestEvents.lines(path).count == 3)
        #expect(FileSystem.list(global).filter { $0.hasSuffix(".jsonl") }.count == 1)
        _ = await ledger.shutdown()
        _ = try? await runner.value
    }

    /// Without `run()`, `flush` and `shutdown` drain in a task of their own: a write stuck on a
    /// hanging disk holds that task, and both still return at their deadlines with the stuck batch
    /// reported. Once the disk answers, the drain finishes and the batch is in the file.
    @Test func withoutRunFlushAndShutdownStillReturnAtTheirDeadlines() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let disk = StuckWrites()
        defer { disk.release() }
        // Were either call to wait for the stuck write, only the watchdog could free it.
        let watchdog = Watchdog(seconds: 60) { disk.release() }
        defer { watchdog.cancel() }
        let ledger = try Ledger(configuration: asyncConfig(dir.path), faults: disk)
        for i in 0..<100 { ledger.emit("info", agent: "cls", data: ["seq": .int(Int64(i))]) }
        #expect(await ledger.flush(timeout: 0.5) == false)
        try await Self.waitUntil { disk.stuck > 0 || watchdog.fired }
        #expect(disk.stuck == 1)
        let report = await ledger.shutdown(timeout: 0.5)
        #expect(!watchdog.fired, "flush or shutdown waited for the stuck write")
        #expect(!report.complete)
        #expect(report.lost == 100)
        let s = report.statistics
        #expect(s.accepted == 100)
        #expect(s.written == 0)
        #expect(s.written + s.dropped + UInt64(s.queueDepth + s.pendingRetry + s.inFlight) == 100)
        disk.release()
        let final = await ledger.shutdown(timeout: 120)
        #expect(final.statistics.written == 100)
        #expect(try ledgerEvents(dir.path, "cls").count == 100)
    }

    /// The same for `shutdown` alone: the drain it starts is the one that hangs.
    @Test func withoutRunShutdownReturnsAtItsDeadline() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let disk = StuckWrites()
        defer { disk.release() }
        let watchdog = Watchdog(seconds: 60) { disk.release() }
        defer { watchdog.cancel() }
        let ledger = try Ledger(configuration: asyncConfig(dir.path), faults: disk)
        for i in 0..<50 { ledger.emit("info", agent: "cls", data: ["seq": .int(Int64(i))]) }
        let report = await ledger.shutdown(timeout: 0.5)
        #expect(!watchdog.fired, "shutdown waited for the stuck write")
        #expect(!report.complete)
        #expect(report.lost == 50)
        // Intake is closed at once, even while the drain is stuck.
        #expect(!ledger.emit("info", agent: "cls"))
        disk.release()
        let final = await ledger.shutdown(timeout: 120)
        #expect(final.statistics.written == 50)
        #expect(try ledgerEvents(dir.path, "cls").count == 50)
    }

    /// Flushes that return at their deadline leave their drains running; the next flush's drain
    /// waits for them, so batches still reach the file in the order they were queued.
    @Test func drainsThatOutliveTheirFlushKeepTheQueuesOrder() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ledger = try Ledger(configuration: asyncConfig(dir.path), faults: SlowWrites(seconds: 0.03))
        for i in 0..<200 {
            ledger.emit("info", agent: "cls", data: ["seq": .int(Int64(i))])
            if i % 10 == 9 { _ = await ledger.flush(timeout: 0.005) }
        }
        #expect(await ledger.flush(timeout: 120))
        let report = await ledger.shutdown()
        #expect(report.complete)
        let seqs = try ledgerEvents(dir.path, "cls").compactMap { $0.data["seq"]?.intValue }
        #expect(seqs == Array(0..<200))
    }
}
