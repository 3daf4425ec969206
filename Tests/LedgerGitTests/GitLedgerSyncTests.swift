import LedgerCore
import LedgerTestSupport
import Testing

@testable import LedgerGit

@Suite struct GitLedgerSyncTests {
    @Test func withoutARemotePushAndPullSkipQuietly() async throws {
        let fx = try GitFixture()
        defer { fx.remove() }
        let ledger = GitLedger(repository: fx.repo)
        try await ledger.recordRun(Run(type: "detect"))
        let push = try await ledger.pushLedger()
        #expect(push.skipped != nil)
        #expect(!push.succeeded)
        let pull = try await ledger.pullLedger()
        #expect(pull.skipped != nil)
    }

    /// ensure → record → list → get → events → push → fresh clone → pull → list.
    @Test func roundTripThroughABareOrigin() async throws {
        let fx = try GitFixture(remote: true)
        defer { fx.remove() }
        guard let origin = fx.origin else { return }
        let before = try fx.mainState()
        try fx.git("push", "-q", "origin", "refs/heads/main:refs/heads/main")
        let ledger = GitLedger(repository: fx.repo)
        try await ledger.ensureWorktree()
        var recorded: [Run] = []
        for i in 0..<3 {
            recorded.append(
                try await ledger.recordRun(
                    Run(
                        type: "apply",
                        summary: "run \(i)",
                        endedAt: 1_771_361_100_000_000_000 + Int64(i) * 1_000_000_000
                    ),
                    events: [["seq": 1, "type": "run:complete"]]
                )
            )
        }
        let listed = try await ledger.listRuns()
        #expect(listed.map(\.runID) == recorded.reversed().map(\.runID))
        #expect(try await ledger.getRun(recorded[0].runID) == recorded[0])
        #expect(try await ledger.getRunEvents(recorded[0].runID) == [["seq": 1, "type": "run:complete"]])

        let push = try await ledger.pushLedger()
        #expect(push.succeeded)
        #expect(push.branch?.outcome == .created)
        #expect(push.tags.count == 3)
        #expect(push.tags.allSatisfy { $0.outcome == .created })
        #expect(push.heldBack.isEmpty)
        #expect(
            try GitFixture.git(["rev-parse", "refs/heads/scp-ledger"], in: origin)
                == fx.git("rev-parse", "refs/heads/scp-ledger")
        )

        // Pushing again sends nothing new.
        let again = try await ledger.pushLedger()
        #expect(again.branch?.outcome == .upToDate)
        #expect(again.tags.isEmpty)

        let clone = try fx.cloneOrigin()
        let cloneBefore = try fx.mainState(of: clone)
        let other = GitLedger(repository: clone)
        let pull = try await other.pullLedger()
        #expect(pull.skipped == nil)
        #expect(pull.remoteHasBranch)
        #expect(try await other.listRuns().map(\.runID) == listed.map(\.runID))
        #expect(try await other.listRuns() == listed)
        #expect(try await other.getRunEvents(recorded[2].runID) == [["seq": 1, "type": "run:complete"]])
        #expect(try fx.mainState(of: clone) == cloneBefore)
        #expect(try fx.mainState() == before)
        try fx.git("fsck", "--strict", "--no-progress")
        try GitFixture.git(["fsck", "--strict", "--no-progress"], in: clone)
        try GitFixture.git(["fsck", "--strict", "--no-progress"], in: origin)
    }

    @Test func ensureStartsFromTheRemoteBranchWhenOriginHasOne() async throws {
        let fx = try GitFixture(remote: true)
        defer { fx.remove() }
        guard let origin = fx.origin else { return }
        let run = try await GitLedger(repository: fx.repo).recordRun(Run(type: "detect"))
        #expect(try await GitLedger(repository: fx.repo).pushLedger().succeeded)
        // A second repository that only knows origin's URL: no clone, no remote-tracking refs yet.
        let other = fx.directory.join("other")
        try GitFixture.git(["init", "-q", "-b", "main", other], in: fx.directory.path)
        try GitFixture.git(["remote", "add", "origin", origin], in: other)
        try await GitLedger(repository: other).ensureWorktree()
        #expect(
            try GitFixture.git(["rev-parse", "refs/heads/scp-ledger"], in: other)
                == GitFixture.git(["rev-parse", "refs/heads/scp-ledger"], in: origin)
        )
        #expect(FileIO.exists("\(other)/.scp-ledger/ledger/runs/\(run.runID)/run.json"))
    }

    @Test func tagsWaitForTheirCommitToBeOnTheRemote() async throws {
        let fx = try GitFixture(remote: true)
        defer { fx.remove() }
        guard let origin = fx.origin else { return }
        let ledger = GitLedger(repository: fx.repo)
        let run = try await ledger.recordRun(Run(type: "detect"))
        let push = try await ledger.pushLedger()
        #expect(push.succeeded)
        #expect(push.heldBack == [RunID.tagRef(run.runID)])
        #expect(push.tags.isEmpty)
        // main's commit was not uploaded by the ledger push.
        #expect(try GitFixture.gitOutput(["cat-file", "-e", fx.git("rev-parse", "HEAD")], in: origin).status != 0)

        try fx.git("push", "-q", "origin", "refs/heads/main:refs/heads/main")
        let later = try await ledger.pushLedger()
        #expect(later.heldBack.isEmpty)
        #expect(later.tags.map(\.ref) == [RunID.tagRef(run.runID)])
    }

    @Test func tagsAreSentForUnpublishedCommitsWhenAskedExplicitly() async throws {
        let fx = try GitFixture(remote: true)
        defer { fx.remove() }
        guard let origin = fx.origin else { return }
        let ledger = GitLedger(repository: fx.repo)
        let run = try await ledger.recordRun(Run(type: "detect"))
        let push = try await ledger.pushLedger(includeUnpublishedTags: true)
        #expect(push.heldBack.isEmpty)
        #expect(push.tags.map(\.outcome) == [.created])
        #expect(try GitFixture.git(["cat-file", "-t", RunID.tagRef(run.runID)], in: origin) == "tag")
    }

    @Test func twoClonesRecordingApartBothGetPushed() async throws {
        let fx = try GitFixture(remote: true)
        defer { fx.remove() }
        guard let origin = fx.origin else { return }
        try fx.git("push", "-q", "origin", "refs/heads/main:refs/heads/main")
        let clone = try fx.cloneOrigin()
        // Each starts its own ledger branch before either has pushed.
        let a = GitLedger(repository: fx.repo)
        let b = GitLedger(repository: clone)
        let runA = try await a.recordRun(Run(type: "detect", summary: "from a"))
        let runB = try await b.recordRun(Run(type: "apply", summary: "from b"))
        #expect(try await a.pushLedger().succeeded)
        let pushB = try await b.pushLedger()
        #expect(pushB.succeeded)
        #expect(pushB.branch?.outcome == .fastForward)
        let pullA = try await a.pullLedger()
        #expect(pullA.branchUpdated)
        #expect(pullA.fetchedTags == [RunID.tagRef(runB.runID)])
        let files = try GitFixture.git(["ls-tree", "-r", "--name-only", "refs/heads/scp-ledger"], in: origin)
        #expect(files.contains(runA.runID) && files.contains(runB.runID))
        #expect(Set(try await a.listRuns().map(\.runID)) == [runA.runID, runB.runID])
        #expect(FileIO.exists("\(fx.repo)/.scp-ledger/ledger/runs/\(runB.runID)/run.json"))
        // One root only: the second clone's empty start commit was dropped by the rebase.
        #expect(
            try GitFixture.git(["rev-list", "--max-parents=0", "refs/heads/scp-ledger"], in: origin).split(
                separator: "\n"
            ).count == 1
        )
        try GitFixture.git(["fsck", "--strict", "--no-progress"], in: origin)
    }

    @Test func aTagIsNeverMovedByPushOrPull() async throws {
        let fx = try GitFixture(remote: true)
        defer { fx.remove() }
        guard let origin = fx.origin else { return }
        try fx.git("push", "-q", "origin", "refs/heads/main:refs/heads/main")
        let ledger = GitLedger(repository: fx.repo)
        let run = try await ledger.recordRun(Run(type: "detect"))
        let ref = RunID.tagRef(run.runID)
        // The remote has a different tag of the same name.
        try GitFixture.git(["tag", "-a", "-m", "{}", "scp/run/\(run.runID)", "refs/heads/main"], in: origin)
        let remoteValue = try GitFixture.git(["rev-parse", ref], in: origin)
        let localValue = try fx.git("rev-parse", ref)
        #expect(remoteValue != localValue)

        let push = try await ledger.pushLedger()
        #expect(push.tags.map(\.outcome) == [.rejected])
        #expect(!push.succeeded)
        #expect(try GitFixture.git(["rev-parse", ref], in: origin) == remoteValue)

        let pull = try await ledger.pullLedger()
        #expect(pull.conflictingTags == [ref])
        #expect(try fx.git("rev-parse", ref) == localValue)
    }

    @Test func aPushRejectedByTheRemoteIsReportedPerRef() async throws {
        let fx = try GitFixture(remote: true)
        defer { fx.remove() }
        guard let origin = fx.origin else { return }
        try await GitLedger(repository: fx.repo).recordRun(Run(type: "detect"))
        // A hook on the remote refuses the ledger branch.
        try GitFixture.write("\(origin)/hooks/pre-receive", "#!/bin/sh\necho no ledger here >&2\nexit 1\n")
        _ = try Shell.run(["chmod", "+x", "\(origin)/hooks/pre-receive"])
        let push = try await GitLedger(repository: fx.repo).pushLedger()
        #expect(push.branch?.outcome == .rejected)
        #expect(!push.succeeded)
    }
}
