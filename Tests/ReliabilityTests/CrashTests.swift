import LedgerCore
import LedgerTestSupport
import Testing

/// SIGKILL at random moments: nothing `flush()` confirmed is lost or doubled, every line but a sealed
/// torn tail parses, a restart appends after a torn tail, status files are always complete JSON.
/// The soak version is `scripts/soak-crash.sh` (200 iterations and more).
@Suite struct CrashTests {
    @Test func killedAtRandomMomentsLosesNothingConfirmed() async throws {
        let dir = try TemporaryDirectory(prefix: "agent-ledger-crash")
        defer { dir.remove() }
        let s = try await stressSummary(["crash", "--root", dir.path, "--iterations", "20", "--agents", "4"])
        #expect(s["ok"] == .bool(true))
        #expect(s.int("killed") == 20)
        #expect(s.int("confirmed") > 0)
        #expect(s.int("lost") == 0)
        #expect(s.int("doubled") == 0)
        #expect(s.int("unsealed_tails") == 0)
        #expect(s.int("order_violations") == 0)
        #expect(s.int("status_invalid") == 0)
        #expect(s.int("status_checks") > 0)
        #expect(s.int("status_temp_files_left") == 0)
        // Torn tails were left on purpose (every third kill); each is sealed and skipped, nothing else is malformed.
        #expect(s.int("planted_torn_tails") > 0)
        #expect(s.int("malformed_lines") == s.int("planted_torn_tails") + s.int("natural_torn_tails"))
    }
}
