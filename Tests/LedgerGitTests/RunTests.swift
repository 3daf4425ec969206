import LedgerCore
import Testing

@testable import LedgerGit

@Suite struct RunTests {
    @Test func jsonRoundTripKeepsEveryField() throws {
        let run = Run(
            runID: "run_2026-02-17T204500_apply_a1b2",
            type: "apply",
            subtype: "k8s:apply",
            status: .partial,
            user: "Ada",
            codeRef: String(repeating: "a", count: 40),
            startedAt: "2026-02-17T20:45:00.000Z",
            endedAt: "2026-02-17T20:45:01.500Z",
            durationMs: 1500,
            environment: "staging",
            modulesAffected: ["api", "web"],
            summary: "Applied 3 \"K8s\" resources\n",
            metadata: ["count": 3, "nested": ["ok": true]]
        )
        let text = run.compactJSON
        #expect(!text.contains("\n"))
        #expect(
            text.hasPrefix(
                #"{"run_id":"run_2026-02-17T204500_apply_a1b2","type":"apply","subtype":"k8s:apply","status":"partial""#
            )
        )
        #expect(try Run(jsonText: text) == run)
    }

    @Test func missingOptionalFieldsTakeDefaults() throws {
        let run = try Run(jsonText: #"{"run_id":"run_2026-02-17T204500_apply_a1b2","type":"apply"}"#)
        #expect(run.status == .ok)
        #expect(run.modulesAffected.isEmpty)
        #expect(run.metadata.isEmpty)
    }

    @Test func wrongShapesAreRefused() {
        #expect(throws: LedgerError.self) { try Run(jsonText: #"{"type":"apply"}"#) }
        #expect(throws: LedgerError.self) {
            try Run(jsonText: #"{"run_id":"run_2026-02-17T204500_apply_a1b2","type":"apply","status":"weird"}"#)
        }
        #expect(throws: LedgerError.self) {
            try Run(jsonText: #"{"run_id":"run_2026-02-17T204500_apply_a1b2","type":"apply","metadata":[1]}"#)
        }
        #expect(throws: LedgerError.self) { try Run(jsonText: "[1]") }
    }

    @Test func newRunsGetAnIDAndTimesFromTheirEnd() throws {
        let end: Int64 = 1_771_361_100 * 1_000_000_000
        let run = Run(type: "detect", durationMs: 2000, endedAt: end)
        #expect(run.runID.hasPrefix("run_2026-02-17T204458_detect_"))
        #expect(run.startedAt == "2026-02-17T20:44:58.000Z")
        #expect(run.endedAt == "2026-02-17T20:45:00.000Z")
        try run.validate()
        var bad = run
        bad.type = "Bad Type"
        #expect(throws: LedgerError.self) { try bad.validate() }
    }

    @Test func pushPorcelainIsReadPerRef() {
        let text = """
            To /tmp/origin.git
            *\trefs/heads/scp-ledger:refs/heads/scp-ledger\t[new branch]
             \trefs/tags/scp/run/a:refs/tags/scp/run/a\t1a2b..3c4d
            =\trefs/tags/scp/run/b:refs/tags/scp/run/b\t[up to date]
            !\trefs/tags/scp/run/c:refs/tags/scp/run/c\t[rejected] (already exists)
            Done
            """
        let updates = RefUpdate.parsePushPorcelain(text)
        #expect(updates.map(\.outcome) == [.created, .fastForward, .upToDate, .rejected])
        #expect(
            updates.map(\.ref) == [
                "refs/heads/scp-ledger", "refs/tags/scp/run/a", "refs/tags/scp/run/b", "refs/tags/scp/run/c",
            ]
        )
        #expect(updates[3].summary == "[rejected] (already exists)")
    }
}
