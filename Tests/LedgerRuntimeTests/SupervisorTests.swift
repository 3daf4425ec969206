import LedgerCore
import LedgerRuntime
import LedgerStore
import LedgerTestSupport
import Testing

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
        let ledger = try Ledger(configuration: asyncConfig(root) { $0.shutdownTimeout = 2 })
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
        #expect(await ledger.flush(timeout: 10))
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
    }
}
