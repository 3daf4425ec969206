import LedgerCore
import LedgerTestSupport
import Testing

@testable import LedgerGit

@Suite struct LedgerLockTests {
    @Test func aHeldLockMakesOthersWaitAndTimeOut() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.join("ledger.lock")
        let first = try await LedgerLock.acquire(path: path, timeout: 1)
        await #expect(throws: LedgerError.self) {
            _ = try await LedgerLock.acquire(path: path, timeout: 0.05)
        }
        first.release()
        let second = try await LedgerLock.acquire(path: path, timeout: 1)
        second.release()
    }

    @Test func aLockHeldByAnotherProcessIsWaitedFor() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.join("ledger.lock")
        let marker = dir.join("locked")
        let release = dir.join("release")
        // flock(1) takes the lock in another process, says so, and keeps it until told to let go,
        // so a loaded machine cannot make the holder give up before the check below.
        let holder = try Shell.spawn([
            "flock", path, "sh", "-c", "touch \"$0\"; while [ ! -e \"$1\" ]; do sleep 0.05; done", marker, release,
        ])
        for _ in 0..<1000 where !FileIO.exists(marker) { try await Task.sleep(nanoseconds: 10_000_000) }
        #expect(FileIO.exists(marker))
        do {
            let lock = try await LedgerLock.acquire(path: path, timeout: 0)
            lock.release()
            Issue.record("the lock held by another process was taken")
        } catch {
            #expect(error.code == .lockTimeout)
        }
        // Waiting long enough gets it once the other process lets go.
        try Shell.run(["touch", release])
        let lock = try await LedgerLock.acquire(path: path, timeout: 30)
        lock.release()
        _ = try await holder.finish()
    }
}
