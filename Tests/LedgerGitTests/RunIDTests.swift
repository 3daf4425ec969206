import LedgerCore
import Testing

@testable import LedgerGit

@Suite struct RunIDTests {
    @Test func madeIDsMatchThePatternAndCarryTimeAndType() {
        // 2026-02-17T20:45:00Z
        let id = RunID.make(type: "k8s:apply", at: 1_771_361_100 * 1_000_000_000)
        #expect(id.hasPrefix("run_2026-02-17T204500_k8s-apply_"))
        #expect(id.count == "run_2026-02-17T204500_k8s-apply_".count + 4)
        #expect(RunID.isValid(id))
    }

    @Test func slugKeepsOnlyLowercaseLettersDigitsAndDashes() {
        #expect(RunID.slug("detect") == "detect")
        #expect(RunID.slug("Vault.Unlock__x") == "vault-unlock-x")
        #expect(RunID.slug("--") == "run")
        #expect(RunID.slug(String(repeating: "a", count: 90)).count == 40)
    }

    @Test(arguments: [
        "run_2026-02-17T204500_detect_a1b2",
        "run_1999-12-31T235959_k8s-apply_zzzz",
        "run_2026-02-17T204500_x_0000",
    ])
    func acceptsWellFormedIDs(_ id: String) {
        #expect(RunID.isValid(id))
    }

    @Test(arguments: [
        "", "run", "../etc", "run_2026-02-17T204500_detect_a1b2/../../x", "run_2026-02-17T204500_detect_A1B2",
        "run_2026-02-17T204500_-detect_a1b2", "run_2026-02-17T204500_detect-_a1b2", "run_2026-02-17T204500__a1b2",
        "run_2026-02-17 204500_detect_a1b2", "run_2026-02-17T204500_de.tect_a1b2", "run_2026-02-17T204500_detect_a1b",
        "run_2026-02-17T204500_detect_a1b2.lock", "--force", "run_2026-02-17T204500_a_b_c1d2",
    ])
    func refusesEverythingElse(_ id: String) {
        #expect(!RunID.isValid(id))
        #expect(throws: LedgerError.self) { try RunID.validate(id) }
    }

    @Test func typesFollowTheEventTypeRule() {
        #expect(RunID.isValidType("detect"))
        #expect(RunID.isValidType("k8s:apply.v2_x-y"))
        #expect(!RunID.isValidType(""))
        #expect(!RunID.isValidType("Apply"))
        #expect(!RunID.isValidType("-x"))
        #expect(!RunID.isValidType("a/b"))
    }

    @Test func timeFormatsAreUTC() {
        #expect(RunTime.iso8601(nanoseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(RunTime.iso8601(nanoseconds: 1_771_361_100_123_456_789) == "2026-02-17T20:45:00.123Z")
        #expect(RunTime.idStamp(nanoseconds: 951_782_400 * 1_000_000_000) == "2000-02-29T000000")
        #expect(RunTime.iso8601(nanoseconds: -1_000_000) == "1969-12-31T23:59:59.999Z")
    }
}
