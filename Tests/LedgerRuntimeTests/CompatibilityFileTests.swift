import LedgerCore
import LedgerStore
import LedgerTestSupport
import Synchronization
import Testing

@testable import LedgerRuntime

#if canImport(Glibc)
import Glibc
#endif

/// Seed 003's one-file ledger (`AGI_LEDGER_PATH`), written by several processes at once: each
/// `CompatibilityFile` here stands for one process, with its own open file.
@Suite struct CompatibilityFileTests {
    static func line(_ text: String) -> [UInt8] { Array("{\"line\":\"\(text)\"}\n".utf8) }

    /// At midnight every writer sees yesterday's file; only the first moves it aside. The second finds
    /// the first's new file at the path and writes into it: nothing of today's is moved aside, and
    /// nothing of yesterday's is copied twice.
    @Test func twoWritersCrossingMidnightRotateOnce() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.join("memory/ledger.jsonl")
        let clock = SteppedTime(at("2025-11-16T23:59:00Z"))
        let first = CompatibilityFile(path: path, fsync: .none, timeZone: .utc, timeSource: clock)
        let second = CompatibilityFile(path: path, fsync: .none, timeZone: .utc, timeSource: clock)
        first.append(Self.line("first, day 1"))
        second.append(Self.line("second, day 1"))
        clock.set(at("2025-11-17T00:00:01Z"))
        first.append(Self.line("first, day 2"))
        second.append(Self.line("second, day 2"))
        first.append(Self.line("first, day 2 again"))
        #expect(first.failures.load(ordering: .relaxed) == 0)
        #expect(second.failures.load(ordering: .relaxed) == 0)
        #expect(
            try readFile(dir.join("memory/ledger.2025-11-16.jsonl"))
                == "{\"line\":\"first, day 1\"}\n{\"line\":\"second, day 1\"}\n"
        )
        #expect(
            try readFile(path)
                == "{\"line\":\"first, day 2\"}\n{\"line\":\"second, day 2\"}\n{\"line\":\"first, day 2 again\"}\n"
        )
    }

    /// The race the lock closes: a second writer decided its file was yesterday's (it had written it
    /// yesterday, and it was still at the path), then the first moved that file aside and started
    /// today's. Under the lock the second looks again, sees a file it never wrote, and leaves it.
    @Test func aWriterThatLookedBeforeAnotherRotatedLeavesTheNewFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.join("ledger.jsonl")
        let clock = SteppedTime(at("2025-11-16T23:59:00Z"))
        let first = CompatibilityFile(path: path, fsync: .none, timeZone: .utc, timeSource: clock)
        first.append(Self.line("day 1"))
        var yesterdays = stat()
        #expect(lstat(path, &yesterdays) == 0)
        let seenBySecond = CompatibilityFile.Written(
            day: CivilDate("2025-11-16")!,
            device: yesterdays.st_dev,
            inode: yesterdays.st_ino
        )
        clock.set(at("2025-11-17T00:00:01Z"))
        first.append(Self.line("day 2"))
        let second = CompatibilityFile(path: path, fsync: .none, timeZone: .utc, timeSource: clock)
        try second.rotateIfOlder(than: CivilDate("2025-11-17")!, written: seenBySecond)
        first.append(Self.line("day 2 again"))
        #expect(try readFile(dir.join("ledger.2025-11-16.jsonl")) == "{\"line\":\"day 1\"}\n")
        #expect(try readFile(path) == "{\"line\":\"day 2\"}\n{\"line\":\"day 2 again\"}\n")
    }

    /// A process stopped between the link and the unlink of a rotation leaves the file under both
    /// names; the next writer finishes the move instead of copying the day into itself.
    @Test func aHalfDoneRotationIsFinishedNotCopied() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.join("ledger.jsonl")
        let clock = SteppedTime(at("2025-11-16T12:00:00Z"))
        let writer = CompatibilityFile(path: path, fsync: .none, timeZone: .utc, timeSource: clock)
        writer.append(Self.line("day 1"))
        #expect(link(path, dir.join("ledger.2025-11-16.jsonl")) == 0)
        clock.set(at("2025-11-17T00:00:01Z"))
        writer.append(Self.line("day 2"))
        #expect(try readFile(dir.join("ledger.2025-11-16.jsonl")) == "{\"line\":\"day 1\"}\n")
        #expect(try readFile(path) == "{\"line\":\"day 2\"}\n")
    }
}
