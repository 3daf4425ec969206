import Foundation
import LedgerCore
import LedgerStore
import LedgerTestSupport
import Synchronization
import Testing

@testable import LedgerRuntime

/// Another process that takes a file's `flock` and keeps it until killed: a shell that locks the
/// file on its descriptor 9, says so, and becomes `sleep` with the descriptor still open.
func holdLock(on path: String) async throws -> Shell.Child {
    let child = try Shell.spawn([
        "/bin/sh", "-c", "exec 9>>\"$1\" && flock -x 9 && echo locked && exec sleep 600", "sh", path,
    ])
    try await ShutdownDeadlineTests.waitUntil(seconds: 60) { child.currentStdout().contains("locked") }
    #expect(child.currentStdout().contains("locked"), "the lock holder did not start")
    return child
}

/// A lock on an agent's day file held for good by another process: that agent is degraded (its lines
/// kept and retried), the others carry on, and nothing is lost once the holder lets go.
@Suite struct LockHolderTests {
    func dayFile(_ root: String, _ agent: String) throws -> String {
        let dir = LedgerLayout(root: root).agentDirectory(agent)
        let name = try #require(FileSystem.list(dir).first { $0.hasSuffix(".jsonl") })
        return "\(dir)/\(name)"
    }

    func infoSeqs(_ root: String, _ agent: String) -> [Int64] {
        ((try? ledgerEvents(root, agent)) ?? []).filter { $0.type == "info" }.compactMap { $0.data["seq"]?.intValue }
    }

    @Test func aLockHeldForGoodDegradesOneAgentAndTheOthersCarryOn() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ledger = try Ledger(
            configuration: asyncConfig(dir.path) {
                $0.flushInterval = 0.05
                $0.lockTimeout = 0.2
            }
        )
        let runner = try await ShutdownDeadlineTests.running(ledger)
        ledger.emit("info", agent: "stuck", data: ["seq": 0])
        #expect(await ledger.flush(timeout: 60))
        let holder = try await holdLock(on: try dayFile(dir.path, "stuck"))

        for i in 1...100 {
            ledger.emit("info", agent: "stuck", data: ["seq": .int(Int64(i))])
            ledger.emit("info", agent: "free", data: ["seq": .int(Int64(i))])
        }
        // The free agent's lines reach its file while the other's lock is held.
        try await ShutdownDeadlineTests.waitUntil(seconds: 60) { infoSeqs(dir.path, "free").count == 100 }
        #expect(infoSeqs(dir.path, "free") == Array(1...100))
        try await ShutdownDeadlineTests.waitUntil(seconds: 60) {
            ledger.control.withLock { $0.flushTotals.pending } == 100
        }
        #expect(await ledger.statistics().pendingRetry == 100)
        #expect(infoSeqs(dir.path, "stuck") == [0])
        #expect(ledger.lastWriteError?.code == .locked)

        // The holder goes: the kept lines are written in order, the episode recorded, nothing dropped.
        holder.signal(SIGKILL)
        _ = try? holder.wait()
        try await ShutdownDeadlineTests.waitUntil(seconds: 60) {
            ((try? ledgerEvents(dir.path, "stuck")) ?? []).contains { $0.type == "ledger.recovered" }
        }
        let events = try ledgerEvents(dir.path, "stuck")
        #expect(infoSeqs(dir.path, "stuck") == Array(0...100))
        let degraded = try #require(events.first { $0.type == "ledger.degraded" })
        #expect(degraded.data["code"] == "locked")
        #expect(degraded.data["retrying"] == true)
        let recovered = try #require(events.first { $0.type == "ledger.recovered" })
        #expect(recovered.data["dropped"] == 0)
        let report = await ledger.shutdown()
        #expect(report.statistics.dropped == 0)
        #expect(report.statistics.written == 201)
        try await runner.value
    }

    @Test func syncModeFailsFastOnALockHeldForGoodAndWritesOnceItIsGone() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ledger = try Ledger(
            configuration: asyncConfig(dir.path) {
                $0.async = false
                $0.lockTimeout = 0.2
            }
        )
        #expect(ledger.emit("info", agent: "stuck", data: ["seq": 0]))
        let holder = try await holdLock(on: try dayFile(dir.path, "stuck"))

        #expect(ledger.emit("info", agent: "stuck", data: ["seq": 1]) == false)
        #expect(ledger.lastWriteError?.code == .locked)
        #expect(ledger.lastWriteError?.message.contains("locked by another process") == true)
        #expect(ledger.emit("info", agent: "free", data: ["seq": 1]))
        #expect(ledger.emit("info", agent: "stuck", data: ["seq": 2]) == false)

        holder.signal(SIGKILL)
        _ = try? holder.wait()
        #expect(ledger.emit("info", agent: "stuck", data: ["seq": 3]))
        let report = await ledger.shutdown()
        #expect(report.statistics.written == 3)
        #expect(report.statistics.droppedWriteFailed == 2)
        #expect(infoSeqs(dir.path, "stuck") == [0, 3])
        #expect(infoSeqs(dir.path, "free") == [1])
    }

    /// The status file's lock held for good: the agent's lines are written all the same, and the
    /// status update missed meanwhile is kept and written once the holder lets go.
    @Test func aStatusLockHeldForGoodHoldsNoLinesBackAndTheStatusCatchesUp() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = LedgerLayout(root: dir.path)
        let ledger = try Ledger(configuration: asyncConfig(dir.path) { $0.lockTimeout = 0.2 })
        ledger.emit("heartbeat", agent: "cls")
        #expect(await ledger.flush(timeout: 60))
        #expect(try StatusStore(layout: layout).read(agent: "cls")?.lastHeartbeat != nil)
        let holder = try await holdLock(on: "\(layout.agentStateDirectory("cls"))/.status.lock")

        ledger.emit("task_start", agent: "cls", taskID: "t1")
        for i in 0..<10 { ledger.emit("info", agent: "cls", data: ["seq": .int(Int64(i))]) }
        #expect(await ledger.flush(timeout: 60))
        #expect(infoSeqs(dir.path, "cls") == Array(0..<10))
        #expect(try StatusStore(layout: layout).read(agent: "cls")?.lastTaskID == nil)

        holder.signal(SIGKILL)
        _ = try? holder.wait()
        #expect(await ledger.flush(timeout: 60))
        #expect(try StatusStore(layout: layout).read(agent: "cls")?.lastTaskID == "t1")
        _ = await ledger.shutdown()
    }

    @Test func theArchiverLeavesADayWhoseLockIsHeldForALaterRunAndArchivesTheOthers() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = LedgerLayout(root: dir.path)
        let cls = layout.agentDirectory("cls")
        try FileSystem.makeDirectories(cls)
        let held = "\(cls)/2025-11-17.jsonl"
        let free = "\(cls)/2025-11-18.jsonl"
        let heldBytes = Array((0..<200).map { "{\"seq\":\($0),\"day\":17}\n" }.joined().utf8)
        try TestFiles.append(heldBytes, to: held)
        try TestFiles.append(Array((0..<200).map { "{\"seq\":\($0),\"day\":18}\n" }.joined().utf8), to: free)
        var options = ArchiveOptions()
        options.lockWait = 0.2
        let archiver = DayArchiver(layout: layout, options: options)
        let today = try #require(CivilDate("2025-11-20"))

        let holder = try await holdLock(on: held)
        let report = archiver.run(today: today)
        #expect(report.archived.map(\.source) == [free])
        #expect(report.failures.map(\.code) == [.locked])
        #expect(report.failures.first?.message.contains("fuser \(held)") == true)
        // The held day is untouched: no archive, no temporary file, every byte still in place.
        #expect(FileSystem.list(cls) == ["2025-11-17.jsonl", "2025-11-18.jsonl.gz"])
        #expect(try Shell.readBytes(held) == heldBytes)

        holder.signal(SIGKILL)
        _ = try? holder.wait()
        let again = archiver.run(today: today)
        #expect(again.failures.isEmpty, "\(again.failures)")
        #expect(again.archived.map(\.source) == [held])
        #expect(FileSystem.list(cls) == ["2025-11-17.jsonl.gz", "2025-11-18.jsonl.gz"])
    }

    @Test func theLockTimeoutIsASettingWithItsBounds() async throws {
        let loaded = try await LedgerConfiguration.load(
            environment: ["AGENT_LEDGER_LOCK_TIMEOUT": "2.5"],
            configFile: nil
        )
        #expect(loaded.lockTimeout == 2.5)
        #expect(loaded.archiveOptions.lockWait == 2.5)
        #expect(LedgerConfiguration().lockTimeout == 1)
        #expect(ArchiveOptions().lockWait == 1)
        var bad = LedgerConfiguration()
        bad.lockTimeout = -1
        #expect(throws: LedgerError.self) { try bad.validate() }
        #expect(Setting.all.contains { $0.environmentName == "AGENT_LEDGER_LOCK_TIMEOUT" })
    }

    @Test func theWriterCountIsASettingWithItsBounds() async throws {
        let loaded = try await LedgerConfiguration.load(environment: ["AGENT_LEDGER_WRITERS": "3"], configFile: nil)
        #expect(loaded.writers == 3)
        #expect(loaded.writerCount == 3)
        let auto = try await LedgerConfiguration.load(environment: ["AGENT_LEDGER_WRITERS": "auto"], configFile: nil)
        #expect(auto.writers == nil)
        #expect(auto.writerCount == max(1, ProcessInfo.processInfo.activeProcessorCount - 1))
        var bad = LedgerConfiguration()
        bad.writers = 0
        #expect(throws: LedgerError.self) { try bad.validate() }
        await #expect(throws: LedgerError.self) {
            _ = try await LedgerConfiguration.load(environment: ["AGENT_LEDGER_WRITERS": "many"], configFile: nil)
        }
    }
}
