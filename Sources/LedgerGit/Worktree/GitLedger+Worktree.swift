public import LedgerCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension GitLedger {
    /// Makes sure the ledger worktree exists, is on the ledger branch, and is ignored by the main work tree;
    /// returns its path.
    ///
    /// Idempotent and cheap once healthy (one `git symbolic-ref` on the first call in a process, a `stat`
    /// after that). When something is missing it takes the ledger lock and:
    /// 1. prunes stale worktree entries (`git worktree prune`) and repairs moved ones (`git worktree repair`);
    /// 2. creates `refs/heads/scp-ledger` when missing — from `origin`'s branch when the remote has one,
    ///    otherwise as an orphan root commit made with plumbing (this works without any commit on main);
    /// 3. adds the worktree at `.scp-ledger/`;
    /// 4. lists `/.scp-ledger/` in `.git/info/exclude` (and in `.gitignore` when configured).
    ///
    /// Works without a remote and without network: a failed fetch falls back to a local orphan branch,
    /// which a later push rebases onto the remote's.
    @discardableResult
    public func ensureWorktree() async throws(LedgerError) -> String {
        let p = try await paths()
        try await prepareIdentity(p)
        if try await worktreeIsHealthy(p) {
            try ensureIgnored(p)
            return p.ledgerWorkTree
        }
        try await withLock(p) { () async throws(LedgerError) in
            try await ensureWorktreeLocked(p)
        }
        return p.ledgerWorkTree
    }

    /// The body of ``ensureWorktree()`` for callers that already hold the lock.
    func ensureWorktreeLocked(_ p: RepositoryPaths) async throws(LedgerError) {
        try await prepareIdentity(p)
        if try await worktreeIsHealthy(p) {
            try ensureIgnored(p)
            return
        }
        worktreeVerified = false
        let wt = p.ledgerWorkTree
        try await git.check(["worktree", "prune"], in: p.mainWorkTree)
        if FileIO.exists("\(wt)/.git") {
            // The folder survived but its link to the repository is broken (moved repository, admin entry gone).
            _ = try await git.run(["worktree", "repair", "--", wt], in: p.mainWorkTree)
            if try await worktreeIsHealthy(p) {
                try ensureIgnored(p)
                return
            }
        }
        if FileIO.exists(wt), try salvageOrphanedCheckout(p) {
            // Moved into the git folder: kept, and out of the user's sight.
        }
        if FileIO.exists(wt) {
            if FileIO.exists("\(wt)/.git"), try await checkedOutBranch(p) != nil {
                throw LedgerError(
                    .brokenWorktree,
                    "\(wt) is a worktree on another branch, not \(configuration.branch): move it away and try again"
                )
            }
            let entries = FileIO.entries(wt) ?? []
            if entries.isEmpty || entries == [".git"] {
                if entries == [".git"] {
                    _ = try await git.run(["worktree", "remove", "--force", "--", wt], in: p.mainWorkTree)
                }
                _ = FileIO.removeEmptyDirectory(wt)
            }
            if FileIO.exists(wt) {
                throw LedgerError(
                    .brokenWorktree,
                    "\(wt) exists but is not the ledger's worktree; it holds files the ledger will not delete: move it away and try again"
                )
            }
        }
        try await ensureBranch(p)
        let add = try await git.run(
            ["worktree", "add", "--end-of-options", wt, configuration.branch],
            in: p.mainWorkTree
        )
        guard add.succeeded else {
            throw LedgerError(
                .gitFailed,
                "cannot add the ledger worktree at \(wt)",
                cause: add.stderr.trimmingWhitespaceAndNewlines
            )
        }
        try ensureIgnored(p)
        guard try await worktreeIsHealthy(p) else {
            throw LedgerError(
                .brokenWorktree,
                "the ledger worktree at \(wt) was added but is not on \(configuration.branchRef)"
            )
        }
    }

    /// Moves aside a ledger checkout whose admin entry in `<common dir>/worktrees/` is gone for good (`git worktree
    /// repair` cannot recreate it). Its files are on the ledger branch already; anything uncommitted is kept
    /// in `<common dir>/scp-ledger-salvaged-<time>`, inside the git folder so the main work tree stays clean.
    /// Returns whether it moved the folder.
    private func salvageOrphanedCheckout(_ p: RepositoryPaths) throws(LedgerError) -> Bool {
        let wt = p.ledgerWorkTree
        guard FileIO.isRegularFile("\(wt)/.git"), let bytes = try FileIO.readFile("\(wt)/.git") else { return false }
        let text = String(decoding: bytes, as: UTF8.self).trimmingWhitespaceAndNewlines
        guard text.hasPrefix("gitdir: ") else { return false }
        let admin = String(text.dropFirst("gitdir: ".count))
        let common = FileIO.realPath(p.commonDir) ?? p.commonDir
        let belongsHere = admin.hasPrefix("\(p.commonDir)/worktrees/") || admin.hasPrefix("\(common)/worktrees/")
        guard belongsHere, !FileIO.exists(admin) else { return false }
        let target =
            "\(p.commonDir)/scp-ledger-salvaged-\(RunTime.idStamp(nanoseconds: RunTime.nowNanoseconds()))-\(getpid())"
        try FileIO.move(wt, to: target)
        return true
    }

    /// Whether `.scp-ledger/` is a worktree checked out on the ledger branch.
    func worktreeIsHealthy(_ p: RepositoryPaths) async throws(LedgerError) -> Bool {
        guard FileIO.isRegularFile("\(p.ledgerWorkTree)/.git") else { return false }
        if worktreeVerified { return true }
        let healthy = try await checkedOutBranch(p) == configuration.branchRef
        worktreeVerified = healthy
        return healthy
    }

    private func checkedOutBranch(_ p: RepositoryPaths) async throws(LedgerError) -> String? {
        let out = try await git.run(["symbolic-ref", "-q", "HEAD"], in: p.ledgerWorkTree, ceiling: p.mainWorkTree)
        // With the main work tree as a ceiling, a `.git` file that points nowhere makes git fail here
        // rather than answer for the enclosing repository.
        guard out.succeeded else { return nil }
        return out.text
    }

    /// Creates the local ledger branch when missing: from the remote's branch if there is one, else as an orphan.
    private func ensureBranch(_ p: RepositoryPaths) async throws(LedgerError) {
        if try await refExists(configuration.branchRef, p) { return }
        if try await hasRemote(p) {
            // A failure here (no such branch on the remote, no network) just means: start locally.
            _ = try await git.run(
                [
                    "fetch", "--no-tags", "--quiet", "--end-of-options", configuration.remote,
                    "+\(configuration.branchRef):\(configuration.remoteBranchRef)",
                ],
                in: p.mainWorkTree
            )
        }
        let remote = try await git.run(
            ["rev-parse", "--verify", "-q", "--end-of-options", "\(configuration.remoteBranchRef)^{commit}"],
            in: p.mainWorkTree
        )
        let start: String
        if remote.succeeded {
            start = remote.text
        } else {
            let tree = try await git.check(
                ["hash-object", "-t", "tree", "-w", "--stdin"],
                in: p.mainWorkTree,
                input: []
            )
            let commit = try await git.check(
                [
                    "commit-tree", "-m", "ledger: start the \(configuration.branch) branch", "--end-of-options",
                    tree.text,
                ],
                in: p.mainWorkTree
            )
            start = commit.text
        }
        // The empty old value makes git refuse if another writer created the branch meanwhile.
        try await git.check(
            ["update-ref", "-m", "agent-ledger: create", "--end-of-options", configuration.branchRef, start, ""],
            in: p.mainWorkTree
        )
    }

    /// Whether a ref exists (full name).
    func refExists(_ ref: String, _ p: RepositoryPaths) async throws(LedgerError) -> Bool {
        try await git.run(["rev-parse", "--verify", "-q", "--end-of-options", ref], in: p.mainWorkTree).succeeded
    }

    /// Whether the configured remote exists.
    func hasRemote(_ p: RepositoryPaths) async throws(LedgerError) -> Bool {
        let out = try await git.run(["remote"], in: p.mainWorkTree)
        return out.succeeded && out.lines.contains { $0 == configuration.remote }
    }

    /// Lists `/.scp-ledger/` in `.git/info/exclude`, and in `.gitignore` when configured.
    func ensureIgnored(_ p: RepositoryPaths) throws(LedgerError) {
        let entry = "/\(configuration.folderName)/"
        try FileIO.makeDirectories("\(p.commonDir)/info")
        try addLine(
            entry,
            to: p.excludeFile,
            comment: "# The agent-ledger worktree of the \(configuration.branch) branch"
        )
        if configuration.updateGitignore {
            try addLine(entry, to: "\(p.mainWorkTree)/.gitignore", comment: "# SCP Ledger worktree (Phase 1A)")
        }
    }

    private func addLine(_ entry: String, to path: String, comment: String) throws(LedgerError) {
        let existing = try FileIO.readFile(path) ?? []
        let text = String(decoding: existing, as: UTF8.self)
        let bare = String(entry.dropFirst())
        for line in text.split(separator: "\n") {
            let t = line.trimmingCharacters(" \t\r")
            if t == entry || t == bare || t == String(bare.dropLast()) || t == String(entry.dropLast()) { return }
        }
        var addition = ""
        if !existing.isEmpty, existing.last != UInt8(ascii: "\n") { addition += "\n" }
        addition += "\(comment)\n\(entry)\n"
        try FileIO.append(path, Array(addition.utf8))
    }
}

extension Substring {
    func trimmingCharacters(_ set: String) -> String {
        var s = self
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
