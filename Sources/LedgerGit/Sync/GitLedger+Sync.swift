public import LedgerCore

extension GitLedger {
    /// Pushes the ledger branch and the run tags to the remote (default `origin`).
    ///
    /// 1. Fetches the remote's branches, rebases the local ledger branch onto the remote's (what
    ///    `git pull --rebase` does), and pushes it — never with force; a push that loses a race is
    ///    rebased and retried up to three times.
    /// 2. Pushes each run tag the remote lacks, but only when the main commit it points to is already on
    ///    the remote (reachable from a `refs/remotes/<remote>/*` branch), since pushing a tag uploads its
    ///    commit; with `includeUnpublishedTags` it pushes them all. Tags are never moved: a tag the remote
    ///    has with another value is reported as rejected.
    ///
    /// Without the remote it does nothing and returns a report with ``PushReport/skipped`` set.
    /// - Throws: ``LedgerError/Code/gitFailed`` when the remote cannot be reached or the rebase conflicts.
    public func pushLedger(includeUnpublishedTags: Bool = false) async throws(LedgerError) -> PushReport {
        let p = try await paths()
        guard try await hasRemote(p) else {
            return PushReport(skipped: "no remote named \(configuration.remote); nothing pushed")
        }
        return try await withLock(p) { () async throws(LedgerError) -> PushReport in
            try await ensureWorktreeLocked(p)
            if FileIO.exists(p.deferredTagsFile) { _ = try await tagDeferredRunsLocked(p) }
            let remote = configuration.remote
            try await fetchRemoteBranches(p)
            var branch: RefUpdate?
            for attempt in 1...3 {
                try await rebaseOntoRemote(p)
                let out = try await git.run(
                    [
                        "push", "--porcelain", "--no-verify", "--end-of-options", remote,
                        "\(configuration.branchRef):\(configuration.branchRef)",
                    ],
                    in: p.mainWorkTree
                )
                let updates = RefUpdate.parsePushPorcelain(out.text)
                guard let update = updates.first(where: { $0.ref == configuration.branchRef }) else {
                    throw GitRunner.failure(["push", remote, configuration.branchRef], out)
                }
                branch = update
                let remoteMoved = update.summary.contains("fetch first") || update.summary.contains("non-fast-forward")
                guard update.outcome == .rejected, remoteMoved, attempt < 3 else { break }
                // Someone pushed in between: take their commits and try again.
                try await fetchRemoteBranches(p)
            }
            var report = PushReport(branch: branch)
            try await pushTags(p, includeUnpublished: includeUnpublishedTags, into: &report)
            return report
        }
    }

    /// Pulls the ledger branch (fetch, then rebase the local branch onto the remote's) and every run tag the
    /// local repository lacks. Existing tags are never moved: one the remote has with another value is
    /// reported in ``PullReport/conflictingTags`` and left alone.
    ///
    /// Without the remote it does nothing and returns a report with ``PullReport/skipped`` set.
    /// - Throws: ``LedgerError/Code/gitFailed`` when the remote cannot be reached or the rebase conflicts.
    public func pullLedger() async throws(LedgerError) -> PullReport {
        let p = try await paths()
        guard try await hasRemote(p) else {
            return PullReport(skipped: "no remote named \(configuration.remote); nothing pulled")
        }
        return try await withLock(p) { () async throws(LedgerError) -> PullReport in
            try await ensureWorktreeLocked(p)
            let remote = configuration.remote
            var report = PullReport()
            report.branchBefore = try await commit(of: configuration.branchRef, p)
            let remoteRefs = try await lsRemote(p, patterns: [configuration.branchRef, "\(RunID.tagPrefix)*"])
            if remoteRefs[configuration.branchRef] != nil {
                report.remoteHasBranch = true
                try await git.check(
                    [
                        "fetch", "--no-tags", "--quiet", "--end-of-options", remote,
                        "+\(configuration.branchRef):\(configuration.remoteBranchRef)",
                    ],
                    in: p.mainWorkTree
                )
                try await rebaseOntoRemote(p)
            }
            report.branchAfter = try await commit(of: configuration.branchRef, p)

            let local = Dictionary(
                try await readRunTags(p).map { ($0.ref, $0.object) },
                uniquingKeysWith: { a, _ in a }
            )
            var missing: [String] = []
            for (ref, object) in remoteRefs where ref.hasPrefix(RunID.tagPrefix) {
                guard RunID.isValid(String(ref.dropFirst(RunID.tagPrefix.count))) else { continue }
                if let mine = local[ref] {
                    if mine != object { report.conflictingTags.append(ref) }
                } else {
                    missing.append(ref)
                }
            }
            missing.sort()
            report.conflictingTags.sort()
            for chunk in stride(from: 0, to: missing.count, by: 500).map({ missing[$0..<min($0 + 500, missing.count)] })
            {
                // No `+`: a fetch never moves an existing tag.
                try await git.check(
                    ["fetch", "--no-tags", "--quiet", "--end-of-options", remote] + chunk.map { "\($0):\($0)" },
                    in: p.mainWorkTree
                )
            }
            report.fetchedTags = missing
            return report
        }
    }

    // MARK: - Steps

    /// Fetches the remote's branches into `refs/remotes/<remote>/*`: the ledger branch to rebase onto, and
    /// main's branches to tell which tagged commits the remote already has.
    private func fetchRemoteBranches(_ p: RepositoryPaths) async throws(LedgerError) {
        let remote = configuration.remote
        try await git.check(
            ["fetch", "--no-tags", "--quiet", "--end-of-options", remote, "+refs/heads/*:refs/remotes/\(remote)/*"],
            in: p.mainWorkTree
        )
    }

    private func pushTags(
        _ p: RepositoryPaths,
        includeUnpublished: Bool,
        into report: inout PushReport
    ) async throws(LedgerError) {
        let remote = configuration.remote
        let local = try await readRunTags(p).filter { !$0.target.isEmpty && RunID.isValid($0.id) }
        guard !local.isEmpty else { return }
        let remoteTags = try await lsRemote(p, patterns: ["\(RunID.tagPrefix)*"])
        var candidates: [RunTag] = []
        for tag in local {
            if let theirs = remoteTags[tag.ref] {
                if theirs != tag.object {
                    report.tags.append(
                        RefUpdate(
                            ref: tag.ref,
                            outcome: .rejected,
                            summary: "[rejected] (exists on the remote with another value)"
                        )
                    )
                }
                continue
            }
            candidates.append(tag)
        }
        if !includeUnpublished, !candidates.isEmpty {
            let unpublished = try await commitsNotOnRemote(Set(candidates.map(\.target)), p)
            report.heldBack = candidates.filter { unpublished.contains($0.target) }.map(\.ref).sorted()
            candidates.removeAll { unpublished.contains($0.target) }
        }
        let refs = candidates.map(\.ref).sorted()
        for chunk in stride(from: 0, to: refs.count, by: 500).map({ refs[$0..<min($0 + 500, refs.count)] }) {
            // No `+`: a push never moves a tag on the remote.
            let out = try await git.run(
                ["push", "--porcelain", "--no-verify", "--end-of-options", remote] + chunk.map { "\($0):\($0)" },
                in: p.mainWorkTree
            )
            let updates = RefUpdate.parsePushPorcelain(out.text)
            guard !updates.isEmpty else { throw GitRunner.failure(["push", remote, "tags"], out) }
            report.tags.append(contentsOf: updates)
        }
    }

    /// Which of `commits` are not reachable from any of the remote's branches as last fetched.
    private func commitsNotOnRemote(
        _ commits: Set<String>,
        _ p: RepositoryPaths
    ) async throws(LedgerError) -> Set<String> {
        // The ids come from git itself (40 or 64 hex digits), so they cannot be mistaken for options.
        let ids = commits.filter { $0.allSatisfy(\.isHexDigit) }.sorted()
        guard !ids.isEmpty else { return [] }
        let out = try await git.check(
            ["rev-list"] + ids + ["--not", "--remotes=\(configuration.remote)"],
            in: p.mainWorkTree
        )
        let listed = Set(out.lines.map(String.init))
        return Set(ids.filter { listed.contains($0) })
    }

    /// Rebases the ledger branch onto the remote's copy when the local one does not already contain it.
    private func rebaseOntoRemote(_ p: RepositoryPaths) async throws(LedgerError) {
        guard let theirs = try await commit(of: configuration.remoteBranchRef, p) else { return }
        let contained = try await git.run(
            ["merge-base", "--is-ancestor", "--end-of-options", theirs, configuration.branchRef],
            in: p.mainWorkTree
        )
        if contained.succeeded { return }
        try await abortStaleRebase(p)
        // `--no-keep-empty` drops this clone's empty root commit when both sides started the branch apart.
        let out = try await git.run(
            ["rebase", "--quiet", "--no-keep-empty", "--no-autostash", "--end-of-options", theirs],
            in: p.ledgerWorkTree,
            ceiling: p.mainWorkTree
        )
        guard out.succeeded else {
            _ = try await git.run(["rebase", "--abort"], in: p.ledgerWorkTree, ceiling: p.mainWorkTree)
            throw LedgerError(
                .gitFailed,
                "cannot rebase the ledger branch onto \(configuration.remoteBranchRef): two runs with the same id? the local branch is unchanged",
                cause: out.stderr.trimmingWhitespaceAndNewlines
            )
        }
    }

    /// Aborts a rebase left half-done in the ledger worktree by a process that died.
    private func abortStaleRebase(_ p: RepositoryPaths) async throws(LedgerError) {
        let gitDir = try await git.check(
            ["rev-parse", "--path-format=absolute", "--git-dir"],
            in: p.ledgerWorkTree,
            ceiling: p.mainWorkTree
        ).text
        if FileIO.exists("\(gitDir)/rebase-merge") || FileIO.exists("\(gitDir)/rebase-apply") {
            _ = try await git.run(["rebase", "--abort"], in: p.ledgerWorkTree, ceiling: p.mainWorkTree)
        }
    }

    /// The commit a ref points at, or `nil` when it does not exist.
    func commit(of ref: String, _ p: RepositoryPaths) async throws(LedgerError) -> String? {
        let out = try await git.run(
            ["rev-parse", "--verify", "-q", "--end-of-options", "\(ref)^{commit}"],
            in: p.mainWorkTree
        )
        return out.succeeded ? out.text : nil
    }

    /// The remote's refs matching `patterns`, by full name: `git ls-remote --refs`.
    func lsRemote(_ p: RepositoryPaths, patterns: [String]) async throws(LedgerError) -> [String: String] {
        let out = try await git.check(
            ["ls-remote", "--refs", "--end-of-options", configuration.remote] + patterns,
            in: p.mainWorkTree
        )
        var refs: [String: String] = [:]
        for line in out.lines {
            let parts = line.split(separator: "\t", maxSplits: 1)
            if parts.count == 2 { refs[String(parts[1])] = String(parts[0]) }
        }
        return refs
    }
}
