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

    @Test func aLockHeldByAnotherProcessIsSeen() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.join("ledger.lock")
        // flock(1) holds the lock for a moment in a separate process.
        let holder = try Shell.spawn(["flock", path, "sleep", "1"])
        var sawIt = false
        for _ in 0..<50 {
            do {
                let lock = try await LedgerLock.acquire(path: path, timeout: 0)
                lock.release()
            } catch {
                #expect(error.code == .lockTimeout)
                sawIt = true
                break
            }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        #expect(sawIt)
        _ = try holder.wait()
        let lock = try await LedgerLock.acquire(path: path, timeout: 1)
        lock.release()
    }
}
