import LedgerCore
import LedgerRuntime
import LedgerStore
import LedgerTestSupport
import Testing

import class Foundation.NSLock

#if canImport(Glibc)
import Glibc
#endif

/// A small real tmpfs, mounted for the test (needs root); `nil` where mounting is refused.
struct SmallFilesystem {
    let dir: TemporaryDirectory

    init?(sizeKiB: Int) throws {
        dir = try TemporaryDirectory(prefix: "agent-ledger-tmpfs")
        let result = try Shell.run(["mount", "-t", "tmpfs", "-o", "size=\(sizeKiB)k", "tmpfs", dir.path])
        if result.status != 0 {
            dir.remove()
            return nil
        }
    }

    var path: String { dir.path }

    func unmount() {
        _ = try? Shell.run(["umount", dir.path])
        dir.remove()
    }

    /// Remounts the filesystem read-only (`true`) or read-write; whether mount agreed.
    @discardableResult
    func remount(readOnly: Bool) throws -> Bool {
        try Shell.run(["mount", "-o", readOnly ? "remount,ro" : "remount,rw", dir.path]).status == 0
    }

    /// Fills the filesystem with one file; returns its path.
    func fill() throws -> String {
        let filler = dir.join("filler")
        _ = try Shell.run(["dd", "if=/dev/zero", "of=\(filler)", "bs=64k"])
        return filler
    }
}

/// The sum of the counts of `ledger.dropped` notices with `reason`.
func droppedNoticed(_ events: [LedgerEvent], reason: String) -> Int64 {
    events.filter { $0.type == "ledger.dropped" && $0.data["reason"] == .string(reason) }
        .compactMap { $0.data["dropped"]?.intValue }.reduce(0, +)
}

/// A ledger root under `dir` whose agent `bad` has its folder symlinked to `outside`: every write of
/// that agent is refused (`symlink_refused`) until the link is removed.
func refusedAgent(in dir: TemporaryDirectory) throws -> (root: String, outside: String) {
    let root = dir.join("root")
    let outside = dir.join("outside")
    try FileSystem.makeDirectories(outside)
    try FileSystem.makeDirectories("\(root)/g/ledger")
    #expect(symlink(outside, "\(root)/g/ledger/bad") == 0)
    return (root, outside)
}

@Suite(.serialized) struct SupervisorTests {
    @Test func aFullDiskDegradesKeepsTheLinesAndRecovers() async throws {
        guard let fs = try SmallFilesystem(sizeKiB: 2048) else {
            print("skipped: mounting a tmpfs was refused (needs root)")
            return
        }
        defer { fs.unmount() }
        let root = fs.dir.join("ledger")
        let ledger = try Ledger(configuration: asyncConfig(root))
        // Create the agent's folder and file while there is room, then fill the disk.
        ledger.emit("info", agent: "cls", data: ["seq": 0])
        #expect(await ledger.flush())
        let filler = try fs.fill()

        for i in 1...200 { ledger.emit("info", agent: "cls", data: ["seq": .int(Int64(i))]) }
        #expect(await ledger.flush(timeout: 0.3) == false)
        let degraded = await ledger.statistics()
        #expect(degraded.writeErrors > 0)
        #expect(degraded.pendingRetry > 0)
        #expect(ledger.lastWriteError?.code == .diskFull)

        // Room again: the kept lines are written, in order, with the health events around them.
        try FileSystem.remove(filler)
        #expect(await ledger.flush(timeout: 120))
        let report = await ledger.shutdown()
        #expect(report.complete)
        let events = try ledgerEvents(root, "cls")
        let seqs = events.filter { $0.type == "info" }.compactMap { $0.data["seq"]?.intValue }
        #expect(seqs == Array(0...200))
        #expect(events.contains { $0.type == "ledger.degraded" })
        #expect(events.contains { $0.type == "ledger.recovered" })
        #expect(report.statistics.written == 201)
        #expect(report.statistics.dropped == 0)
    }

    @Test func aDiskThatNeverRecoversDoesNotHangShutdown() async throws {
        guard let fs = try SmallFilesystem(sizeKiB: 1024) else {
            print("skipped: mounting a tmpfs was refused (needs root)")
            return
        }
        defer { fs.unmount() }
        let root = fs.dir.join("ledger")
        let ledger = try Ledger(configuration: asyncConfig(root) { $0.shutdownTimeout = 1 })
        ledger.emit("info", agent: "cls")
        #expect(await ledger.flush())
        _ = try fs.fill()
        for i in 0..<100 { ledger.emit("info", agent: "cls", data: ["seq": .int(Int64(i))]) }
        let start = ContinuousClock.now
        let report = await ledger.shutdown()
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(!report.complete)
        // Some lines may still fit in the file's last page; the rest are lost, and the count is exact.
        #expect(report.lost > 0)
        #expect(report.statistics.written + report.lost == 101)
        // What was lost is in the statistics as dropped too: one account, not two.
        #expect(report.statistics.dropped == report.lost)
    }
}

@Suite(.serialized) struct DiskFullAccountingTests {
    /// Events of `agent` with a `seq`, in file order.
    func seqs(_ root: String, _ agent: String) throws -> [Int64] {
        try ledgerEvents(root, agent).filter { $0.type == "info" }.compactMap { $0.data["seq"]?.intValue }
    }

    @Test func aFullDiskKeepsWhatFitsInTheCapDropsTheRestAndTheAccountingIsExact() async throws {
        guard let fs = try SmallFilesystem(sizeKiB: 2048) else {
            print("skipped: mounting a tmpfs was refused (needs root)")
            return
        }
        defer { fs.unmount() }
        let root = fs.dir.join("ledger")
        // A 16 KiB budget for lines waiting for the disk: far less than what is emitted while it is full.
        let ledger = try Ledger(
            configuration: asyncConfig(root) {
                $0.bufferBytes = 16 << 10
                $0.maxEventBytes = 4096
            }
        )
        ledger.emit("info", agent: "cls", data: ["seq": 0])
        #expect(await ledger.flush())
        let filler = try fs.fill()
        var emitted: UInt64 = 1
        // The queue shares the 16 KiB cap: a flush every 50 events keeps it from refusing them, so the
        // drops counted below are the supervisor's, for lines that did not fit while the disk was full.
        for i in 1...2000 {
            ledger.emit("info", agent: "cls", data: ["seq": .int(Int64(i)), "pad": "0123456789abcdef"])
            emitted += 1
            if i % 50 == 0 { _ = await ledger.flush(timeout: 0.05) }
        }
        // Flushes return at their deadlines and their drains go on: on a loaded machine the batches
        // may reach the full disk only later. Wait (bounded) until they have.
        var full = await ledger.statistics()
        for _ in 0..<600 where full.droppedWriteFailed == 0 || full.pendingRetry == 0 {
            _ = await ledger.flush(timeout: 0.2)
            full = await ledger.statistics()
        }
        #expect(full.droppedWriteFailed > 0)
        #expect(full.pendingRetry > 0)
        #expect(full.droppedWriteRefused == 0)

        try FileSystem.remove(filler)
        #expect(await ledger.flush(timeout: 120))
        let report = await ledger.shutdown()
        let s = report.statistics
        #expect(s.written + s.dropped == emitted)
        #expect(s.accepted + s.droppedQueueFull == emitted)
        let written = try seqs(root, "cls")
        #expect(UInt64(written.count) == s.written)
        // Kept lines are written in order, after the line that was there before the disk filled.
        #expect(written.first == 0)
        #expect(written == written.sorted())
        let events = try ledgerEvents(root, "cls")
        #expect(events.contains { $0.type == "ledger.degraded" })
        let recovered = try #require(events.first { $0.type == "ledger.recovered" })
        #expect(recovered.data["dropped"]?.intValue == Int64(s.droppedWriteFailed))
        // On a loaded machine the queue may also have been full now and then: those drops have notices
        // of their own, with their own reason. Each kind adds up to its count.
        #expect(droppedNoticed(events, reason: "disk_unavailable") == Int64(s.droppedWriteFailed))
        #expect(droppedNoticed(events, reason: "queue_full") == Int64(s.droppedQueueFull))
    }

    @Test func oneAgentsBacklogLeavesOtherAgentsTheirShareOfTheCap() async throws {
        guard let fs = try SmallFilesystem(sizeKiB: 2048) else {
            print("skipped: mounting a tmpfs was refused (needs root)")
            return
        }
        defer { fs.unmount() }
        let root = fs.dir.join("ledger")
        let ledger = try Ledger(
            configuration: asyncConfig(root) {
                $0.bufferBytes = 64 << 10
                $0.maxEventBytes = 4096
            }
        )
        for agent in ["busy", "late"] { ledger.emit("info", agent: agent, data: ["seq": 0]) }
        #expect(await ledger.flush())
        let filler = try fs.fill()
        // "busy" fails first and far past the cap ...
        var emitted: UInt64 = 2
        for i in 1...3000 {
            ledger.emit("info", agent: "busy", data: ["seq": .int(Int64(i)), "pad": "0123456789abcdef"])
            emitted += 1
            if i % 50 == 0 { _ = await ledger.flush(timeout: 0.05) }
        }
        // ... then "late" fails too: it still finds room for its lines.
        for i in 1...100 {
            ledger.emit("info", agent: "late", data: ["seq": .int(Int64(i))])
            emitted += 1
        }
        _ = await ledger.flush(timeout: 0.2)
        try FileSystem.remove(filler)
        #expect(await ledger.flush(timeout: 120))
        let report = await ledger.shutdown()
        #expect(report.statistics.written + report.statistics.dropped == emitted)
        #expect(try seqs(root, "late") == Array(0...100))
        #expect(try seqs(root, "busy").count < 3001)
    }

    @Test func aReadOnlyRemountDegradesWithoutBlockingAndRecoversWhenWritable() async throws {
        guard let fs = try SmallFilesystem(sizeKiB: 4096) else {
            print("skipped: mounting a tmpfs was refused (needs root)")
            return
        }
        defer {
            _ = try? fs.remount(readOnly: false)
            fs.unmount()
        }
        let root = fs.dir.join("ledger")
        let first = try Ledger(configuration: asyncConfig(root))
        first.emit("info", agent: "cls", data: ["seq": 0])
        _ = await first.shutdown()
        // Linux refuses to remount read-only while a file is open for writing (EBUSY), so the disk
        // goes read-only between two runs, as after an error remount, and the second run starts on it.
        guard try fs.remount(readOnly: true) else {
            print("skipped: remounting read-only was refused")
            return
        }
        let ledger = try Ledger(configuration: asyncConfig(root))
        for i in 1...300 { #expect(ledger.emit("info", agent: "cls", data: ["seq": .int(Int64(i))])) }
        #expect(await ledger.flush(timeout: 0.3) == false)
        #expect(ledger.lastWriteError?.errno == EROFS)
        #expect(await ledger.statistics().pendingRetry > 0)

        #expect(try fs.remount(readOnly: false))
        #expect(await ledger.flush(timeout: 120))
        let report = await ledger.shutdown()
        #expect(report.complete)
        #expect(report.statistics.written == 300)
        #expect(report.statistics.written + report.statistics.dropped == 300)
        #expect(try seqs(root, "cls") == Array(0...300))
        let events = try ledgerEvents(root, "cls")
        #expect(events.contains { $0.type == "ledger.degraded" && $0.data["errno"] == .int(Int64(EROFS)) })
        #expect(events.contains { $0.type == "ledger.recovered" })
    }

    @Test func aPermanentErrorDropsAtOnceWithAReasonAndLeavesOtherAgentsAlone() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (root, outside) = try refusedAgent(in: dir)
        let ledger = try Ledger(configuration: asyncConfig(root))
        let notices = ledger.bus.subscribe(EventFilter(typePrefixes: ["ledger.degraded"]))
        for i in 0..<500 {
            ledger.emit("info", agent: "bad", data: ["seq": .int(Int64(i))])
            ledger.emit("info", agent: "good", data: ["seq": .int(Int64(i))])
        }
        // Nothing waits for a retry that cannot succeed: the flush completes.
        #expect(await ledger.flush(timeout: 120))
        let s = await ledger.statistics()
        #expect(s.droppedWriteRefused == 500)
        #expect(s.droppedWriteFailed == 500)
        #expect(s.pendingRetry == 0)
        #expect(ledger.lastWriteError?.code == .symlinkRefused)
        #expect(try seqs(root, "good") == Array(0..<500))
        #expect(FileSystem.list(outside).isEmpty)
        var iterator = notices.makeAsyncIterator()
        let degraded = try #require(await iterator.next())
        #expect(degraded.agent == "bad")
        #expect(degraded.data["retrying"] == false)
        #expect(degraded.summary?.contains("symlink") == true)

        // Fixed: the agent's lines flow again, with the episode and its count recorded.
        try FileSystem.remove("\(root)/g/ledger/bad")
        ledger.emit("info", agent: "bad", data: ["seq": 500])
        let report = await ledger.shutdown()
        #expect(report.statistics.written == 501)
        let events = try ledgerEvents(root, "bad")
        #expect(events.filter { $0.type == "info" }.count == 1)
        let recovered = try #require(events.first { $0.type == "ledger.recovered" })
        #expect(recovered.data["dropped"] == 500)
        let dropped = try #require(events.first { $0.type == "ledger.dropped" })
        #expect(dropped.data["reason"] == "write_refused")
        #expect(dropped.data["dropped"] == 500)
    }
}

/// Fails every write to one agent's files with EIO until told to stop.
final class FailingAgent: WriteFaults, @unchecked Sendable {
    private let lock = NSLock()
    private let agent: String
    private var failing = true

    init(_ agent: String) { self.agent = agent }

    func stop() {
        lock.lock()
        defer { lock.unlock() }
        failing = false
    }

    func fault(path: String, bytes: Int) -> (errno: Int32, writtenFirst: Int)? {
        lock.lock()
        defer { lock.unlock() }
        return failing && path.contains("/ledger/\(agent)/") ? (EIO, 0) : nil
    }
}

/// Episodes whose lines were not kept (refused, or over the budget) are still recorded, without
/// waiting for the agent's next event.
@Suite struct QuietEpisodeTests {
    /// Events of `agent` once `condition` holds for them, polled for up to a minute.
    func events(_ root: String, _ agent: String, until condition: ([LedgerEvent]) -> Bool) async throws -> [LedgerEvent]
    {
        var events: [LedgerEvent] = []
        for _ in 0..<6000 {
            events = (try? ledgerEvents(root, agent)) ?? []
            if condition(events) { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        return events
    }

    /// Refused writes, then the cause removed and nothing more emitted: the running ledger's retries
    /// write `ledger.recovered` and `ledger.dropped` with the count on their own.
    @Test func aRefusedEpisodeIsRecordedOnceFixedWithoutAnotherEvent() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (root, _) = try refusedAgent(in: dir)
        let ledger = try Ledger(configuration: asyncConfig(root) { $0.flushInterval = 0.05 })
        let runner = try await ShutdownDeadlineTests.running(ledger)
        for i in 0..<50 { ledger.emit("info", agent: "bad", data: ["seq": .int(Int64(i))]) }
        #expect(await ledger.flush(timeout: 120))
        #expect(await ledger.statistics().droppedWriteRefused == 50)

        try FileSystem.remove("\(root)/g/ledger/bad")
        let events = try await events(root, "bad") { e in e.contains { $0.type == "ledger.dropped" } }
        #expect(events.filter { $0.type == "info" }.isEmpty)
        let recovered = try #require(events.first { $0.type == "ledger.recovered" })
        #expect(recovered.data["dropped"] == 50)
        let dropped = try #require(events.first { $0.type == "ledger.dropped" })
        #expect(dropped.data["reason"] == "write_refused")
        #expect(dropped.data["dropped"] == 50)
        let report = await ledger.shutdown()
        #expect(report.statistics.dropped == 50)
        try await runner.value
    }

    /// An I/O error with a budget too small to keep any line: every event is dropped, yet the episode
    /// is in the file — `ledger.degraded`, `ledger.recovered`, and `ledger.dropped` with the exact
    /// count — once writes work again, with nothing more emitted.
    @Test func anEpisodeThatKeptNothingIsRecordedOnceWritesWork() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let disk = FailingAgent("cls")
        let pad = String(repeating: "x", count: 3500)
        let ledger = try Ledger(
            configuration: asyncConfig(dir.path) {
                $0.flushInterval = 0.05
                $0.bufferBytes = 4096
                $0.maxEventBytes = 4096
            },
            faults: disk
        )
        let runner = try await ShutdownDeadlineTests.running(ledger)
        for i in 0..<20 {
            ledger.emit("info", agent: "cls", data: ["seq": .int(Int64(i)), "pad": .string(pad)])
            _ = await ledger.flush(timeout: 5)
        }
        let failing = await ledger.statistics()
        #expect(failing.pendingRetry == 0)
        #expect(failing.droppedWriteFailed + failing.droppedQueueFull == 20)
        #expect(failing.droppedWriteFailed > 0)

        disk.stop()
        let events = try await events(dir.path, "cls") { e in
            e.contains { $0.type == "ledger.dropped" && $0.data["reason"] == "disk_unavailable" }
        }
        #expect(events.filter { $0.type == "info" }.isEmpty)
        #expect(events.contains { $0.type == "ledger.degraded" && $0.data["errno"] == .int(Int64(EIO)) })
        #expect(events.contains { $0.type == "ledger.recovered" })
        #expect(droppedNoticed(events, reason: "disk_unavailable") == Int64(failing.droppedWriteFailed))
        _ = await ledger.shutdown()
        try await runner.value
    }
}

/// Fails the first `count` writes with EIO, the first of them part way through a line.
final class FailingWrites: WriteFaults, @unchecked Sendable {
    private let lock = NSLock()
    private var remaining: Int
    private(set) var injected = 0

    init(count: Int) { remaining = count }

    func fault(path: String, bytes: Int) -> (errno: Int32, writtenFirst: Int)? {
        lock.lock()
        defer { lock.unlock() }
        guard remaining > 0 else { return nil }
        remaining -= 1
        injected += 1
        return (EIO, injected == 1 ? bytes / 2 : 0)
    }
}

@Suite struct WriteFaultTests {
    @Test func aLedgerFolderRemovedWhileRunningIsRecreated() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ledger = try Ledger(configuration: asyncConfig(dir.path))
        for i in 0..<10 { ledger.emit("info", agent: "cls", data: ["seq": .int(Int64(i))]) }
        #expect(await ledger.flush())
        try Shell.run(["/bin/rm", "-rf", "--", dir.join("g")])
        for i in 10..<20 { ledger.emit("info", agent: "cls", data: ["seq": .int(Int64(i))]) }
        #expect(await ledger.flush())
        _ = await ledger.shutdown()
        let seqs = try ledgerEvents(dir.path, "cls").compactMap { $0.data["seq"]?.intValue }
        #expect(seqs == Array(10..<20))
    }

    @Test func ioErrorsMidWriteAreRetriedAndNothingIsLostOrGlued() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let faults = FailingWrites(count: 3)
        let ledger = try Ledger(configuration: asyncConfig(dir.path), faults: faults)
        for i in 0..<500 { ledger.emit("info", agent: "cls", data: ["seq": .int(Int64(i))]) }
        #expect(await ledger.flush(timeout: 120))
        let report = await ledger.shutdown()
        #expect(report.complete)
        #expect(faults.injected == 3)
        let result = try LedgerReader(layout: LedgerLayout(root: dir.path)).events(agent: "cls")
        let seqs = result.events.filter { $0.type == "info" }.compactMap { $0.data["seq"]?.intValue }
        #expect(seqs == Array(0..<500))
        // The half line left by the first fault was sealed and is skipped by readers, never glued to the next.
        #expect(result.malformedLines == 1)
        #expect(result.events.contains { $0.type == "ledger.degraded" && $0.data["errno"] == .int(Int64(EIO)) })
        #expect(result.events.contains { $0.type == "ledger.recovered" })
        #expect(report.statistics.written == 500)
    }

    @Test func syncModeCountsAFailedWriteAndKeepsGoing() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var config = asyncConfig(dir.path)
        config.async = false
        let ledger = try Ledger(configuration: config, faults: FailingWrites(count: 1))
        #expect(ledger.emit("info", agent: "cls") == false)
        #expect(ledger.emit("info", agent: "cls"))
        #expect(ledger.lastWriteError?.errno == EIO)
        let report = await ledger.shutdown()
        #expect(report.lost == 1)
        #expect(try ledgerEvents(dir.path, "cls").count == 1)
    }
}
