import Foundation
import LedgerCore
import LedgerTestSupport
import Testing

@testable import LedgerStore

/// Locks are waited for a bounded time: a holder that never lets go costs a clear `locked` error,
/// never a thread blocked for good. The holder here is a second open file description of the same
/// file, which `flock` treats like another process.
@Suite struct LockWaitTests {
    func holder(_ path: String) throws -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        #expect(fd >= 0)
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        return fd
    }

    @Test func aFreeLockIsTakenAndAHeldOneRunsOutItsWaitWithAClearError() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.join("file")
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        defer { close(fd) }
        try FileSystem.lock(fd, path: path, waitingAtMost: 0)
        flock(fd, LOCK_UN)

        let other = try holder(path)
        defer { close(other) }
        let error = #expect(throws: LedgerError.self) { try FileSystem.lock(fd, path: path, waitingAtMost: 0.1) }
        #expect(error?.code == .locked)
        #expect(error?.message.contains("\(path) has been locked by another process for more than 0.1 s") == true)
        #expect(error?.message.contains("fuser") == true)
    }

    @Test func aLockLetGoDuringTheWaitIsTaken() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.join("file")
        let other = try holder(path)
        let fd = open(path, O_RDWR | O_CLOEXEC)
        defer { close(fd) }
        let release = Thread {
            usleep(50_000)
            close(other)
        }
        release.start()
        try FileSystem.lock(fd, path: path, waitingAtMost: 60)
        flock(fd, LOCK_UN)
    }

    @Test func anAppendBehindAHeldLockFailsWithLockedAndWritesNothing() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = LedgerLayout(root: dir.path)
        let writer = DayFileWriter(layout: layout, agent: "cls", fsyncPolicy: .none, lockTimeout: 0.1)
        let date = CivilDate(year: 2025, month: 11, day: 16)
        try writer.append(Array("{\"n\":1}\n".utf8), date: date)
        let path = writer.dayFile(for: date)
        let other = try holder(path)
        do {
            try writer.append(Array("{\"n\":2}\n".utf8), date: date)
            Issue.record("the append went through a held lock")
        } catch {
            #expect(error.completedBytes == 0)
            #expect(error.error.code == .locked)
        }
        #expect(try readFile(path) == "{\"n\":1}\n")
        // Once a wait ran out, the next appends wait briefly until one gets the lock.
        do {
            try writer.append(Array("{\"n\":2}\n".utf8), date: date)
            Issue.record("the append went through a held lock")
        } catch {
            #expect(error.error.code == .locked)
            #expect(error.error.message.contains("for more than 0.01 s"))
        }
        close(other)
        try writer.append(Array("{\"n\":3}\n".utf8), date: date)
        #expect(try readFile(path) == "{\"n\":1}\n{\"n\":3}\n")
    }

    @Test func aStatusUpdateBehindAHeldLockFailsAndChangesNothing() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let layout = LedgerLayout(root: dir.path)
        let store = StatusStore(layout: layout, lockWait: 0.1)
        let heartbeat = LedgerEvent(timestamp: .now, agent: "cls", type: "heartbeat")
        try store.apply(agent: "cls", events: [heartbeat])
        let before = try readFile(layout.statusFile(agent: "cls"))
        let other = try holder("\(layout.agentStateDirectory("cls"))/.status.lock")
        let start = LedgerEvent(timestamp: .now, agent: "cls", type: "task_start", taskID: "t1")
        let error = #expect(throws: LedgerError.self) { try store.apply(agent: "cls", events: [start]) }
        #expect(error?.code == .locked)
        #expect(try readFile(layout.statusFile(agent: "cls")) == before)
        close(other)
    }
}
