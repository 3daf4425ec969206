public import LedgerCore

extension GitLedger {
    /// Where the remote's copy of a notes ref is fetched to: `refs/notes/remotes/<remote>/<name>` for
    /// `refs/notes/<name>`. It stays under `refs/notes/`, where `git notes merge` looks for notes.
    public func remoteNotesRef(for ref: String) -> String {
        "refs/notes/remotes/\(configuration.remote)/\(ref.dropFirst("refs/notes/".count))"
    }

    /// Fetches the remote's notes under `ref` into ``remoteNotesRef(for:)`` and merges them into the local
    /// notes, keeping every line of both sides.
    ///
    /// The merge is `git notes merge -s cat_sort_uniq`: where both sides changed the note of one object, the
    /// result holds the lines of both, sorted, each distinct line once. Notes made of one record per line
    /// (chat messages) therefore never lose a record, whichever side wrote it. Holds the ledger lock.
    ///
    /// Without the remote, or when the remote has no such notes, it changes nothing.
    /// - Throws: ``LedgerError/Code/invalidField`` for a ref outside `refs/notes/`;
    ///   ``LedgerError/Code/gitFailed`` when the remote cannot be reached.
    @discardableResult
    public func pullNotes(ref: String) async throws(LedgerError) -> NotesSyncReport {
        let p = try await paths()
        try await prepareIdentity(p)
        try await checkNotesRef(ref, p)
        guard try await hasRemote(p) else {
            return NotesSyncReport(ref: ref, skipped: "no remote named \(configuration.remote); nothing pulled")
        }
        return try await withLock(p) { () async throws(LedgerError) -> NotesSyncReport in
            try await pullNotesLocked(ref, p)
        }
    }

    /// Pushes the notes under `ref` to the remote, after merging the remote's in (see ``pullNotes(ref:)``),
    /// so the push is a fast-forward; never forced. A push that loses a race is merged and retried up to
    /// three times. Holds the ledger lock.
    ///
    /// Notes on run tags become visible on the remote's side once the tags are there too
    /// (``pushLedger(includeUnpublishedTags:)`` pushes them).
    /// - Throws: as ``pullNotes(ref:)``.
    @discardableResult
    public func pushNotes(ref: String) async throws(LedgerError) -> NotesSyncReport {
        let p = try await paths()
        try await prepareIdentity(p)
        try await checkNotesRef(ref, p)
        guard try await hasRemote(p) else {
            return NotesSyncReport(ref: ref, skipped: "no remote named \(configuration.remote); nothing pushed")
        }
        return try await withLock(p) { () async throws(LedgerError) -> NotesSyncReport in
            var report = try await pullNotesLocked(ref, p)
            guard report.after != nil else { return report }
            for attempt in 1...3 {
                let out = try await git.run(
                    ["push", "--porcelain", "--no-verify", "--end-of-options", configuration.remote, "\(ref):\(ref)"],
                    in: p.mainWorkTree
                )
                guard let update = RefUpdate.parsePushPorcelain(out.text).first(where: { $0.ref == ref }) else {
                    throw GitRunner.failure(["push", configuration.remote, ref], out)
                }
                report.pushed = update
                let remoteMoved = update.summary.contains("fetch first") || update.summary.contains("non-fast-forward")
                guard update.outcome == .rejected, remoteMoved, attempt < 3 else { break }
                // Someone pushed notes in between: take theirs and try again.
                let merged = try await pullNotesLocked(ref, p)
                report.after = merged.after
            }
            return report
        }
    }

    private func pullNotesLocked(_ ref: String, _ p: RepositoryPaths) async throws(LedgerError) -> NotesSyncReport {
        var report = NotesSyncReport(ref: ref)
        report.before = try await commit(of: ref, p)
        report.after = report.before
        let tracking = remoteNotesRef(for: ref)
        guard try await lsRemote(p, patterns: [ref])[ref] != nil else { return report }
        report.remoteHasNotes = true
        try await git.check(
            ["fetch", "--no-tags", "--quiet", "--end-of-options", configuration.remote, "+\(ref):\(tracking)"],
            in: p.mainWorkTree
        )
        guard let theirs = try await commit(of: tracking, p) else { return report }
        if let mine = report.before {
            if mine != theirs {
                try await git.check(
                    [
                        "notes", "--ref=\(ref)", "merge", "--quiet", "--strategy=cat_sort_uniq", "--end-of-options",
                        tracking,
                    ],
                    in: p.mainWorkTree
                )
            }
        } else {
            // No local notes yet: take the remote's as they are. The empty old value makes git refuse
            // if another writer created the ref meanwhile.
            try await git.check(
                [
                    "update-ref", "-m", "agent-ledger: notes from \(configuration.remote)", "--end-of-options", ref,
                    theirs, "",
                ],
                in: p.mainWorkTree
            )
        }
        report.after = try await commit(of: ref, p)
        return report
    }
}
