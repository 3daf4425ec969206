import LedgerCore
import LedgerTestSupport
import Testing

/// Overload and concurrency, each in a child process of its own (`ledger-stress`), so that its memory
/// and threads are its own. Soak versions: `scripts/soak-overload.sh`, `scripts/soak-concurrency.sh`.
@Suite struct LoadTests {
    /// `block` waits up to its timeout for every event that finds the queue full, so it gets fewer events.
    @Test(arguments: [("dropNewest", 25_000), ("dropOldest", 25_000), ("block", 2_500)])
    func producersFasterThanAThrottledDiskStayBoundedAndCountEveryDrop(_ policy: String, _ events: Int) async throws {
        let dir = try TemporaryDirectory(prefix: "agent-ledger-overload")
        defer { dir.remove() }
        let s = try await stressSummary([
            "overload", "--root", dir.path, "--producers", "4", "--events", "\(events)", "--pad", "2000",
            "--cap-bytes", "1048576", "--write-delay-ms", "20", "--policy", policy, "--shutdown-seconds", "10",
        ])
        #expect(s["ok"] == .bool(true))
        // Exact accounting: every event emitted is written or counted as dropped.
        #expect(s.int("written") + s.int("dropped") == s.int("emitted"))
        #expect(s.int("dropped") > 0)
        // The drops the queue saw are in the ledger as `ledger.dropped` events, once shutdown had the time
        // to write them (a shutdown cut short by its deadline counts them, and says it was cut short).
        let queueDrops = s.int("dropped_queue_full") + s.int("dropped_oldest")
        if s["shutdown_complete"] == .bool(true) {
            #expect(s.int("dropped_recorded_on_disk") >= queueDrops)
        } else {
            #expect(s.int("dropped_recorded_on_disk") <= queueDrops)
        }
        // Far more bytes than the 1 MiB cap went through the queue; memory grew by a small part of them.
        #expect(s.int("emitted_bytes_at_least") == Int64(4 * events * 2000))
        let grown = s.int("peak_rss_kib") - s.int("peak_rss_kib_before")
        #expect(grown < 64 * 1024, "grew \(grown) KiB")
        #expect(s.int("malformed_lines") == 0)
    }

    @Test func eightTasksFourAgentsInOneProcessExactlyOnceInOrder() async throws {
        let dir = try TemporaryDirectory(prefix: "agent-ledger-concurrency")
        defer { dir.remove() }
        let s = try await stressSummary([
            "concurrency", "--root", dir.path, "--tasks", "8", "--agents", "4", "--events", "2000",
        ])
        #expect(s["ok"] == .bool(true))
        #expect(s.int("on_disk") == 8 * 4 * 2000)
        #expect(s.int("lost") == 0)
        #expect(s.int("doubled") == 0)
        #expect(s.int("order_violations") == 0)
        #expect(s.int("dropped") == 0)
    }

    @Test func fourProcessesAppendingToOneDayFileNeverInterleave() async throws {
        let dir = try TemporaryDirectory(prefix: "agent-ledger-multiprocess")
        defer { dir.remove() }
        let s = try await stressSummary(["multiprocess", "--root", dir.path, "--processes", "4", "--events", "20000"])
        #expect(s["ok"] == .bool(true))
        #expect(s.int("files") >= 1)
        #expect(s.int("on_disk") == 4 * 20000)
        #expect(s.int("lost") == 0)
        #expect(s.int("doubled") == 0)
        #expect(s.int("malformed_lines") == 0)
        #expect(s.int("order_violations") == 0)
    }
}
