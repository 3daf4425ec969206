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

    /// Fills the filesystem with one file; returns its path.
    func fill() throws -> String {
        let filler = dir.join("filler")
        _ = try Shell.run(["dd", "if=/dev/zero", "of=\(filler)", "bs=64k"])
        return filler
    }
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
