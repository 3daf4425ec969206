public import LedgerCore

extension GitLedger {
    /// Creates the annotated tag `refs/tags/scp/run/<id>` on `commit`, with the run's compact JSON as its message.
    ///
    /// `git tag` never replaces an existing tag without `--force`, which the ledger never passes.
    /// - Throws: ``LedgerError/Code/runExists`` when the tag already exists.
    func createRunTag(_ run: Run, on commit: String, _ p: RepositoryPaths) async throws(LedgerError) {
        let out = try await git.run(
            runTagArguments(run, on: commit),
            in: p.workTree,
            input: Array(run.compactJSON.utf8)
        )
        guard out.succeeded else { throw runTagError(run, out) }
    }

    /// `git tag --annotate … scp/run/<id> <commit>`, reading the message (the run's compact JSON) from stdin.
    nonisolated func runTagArguments(_ run: Run, on commit: String) -> [String] {
        [
            "tag", "--annotate", "--cleanup=verbatim", "--file=-", "--end-of-options", RunID.tagName(run.runID),
            commit,
        ]
    }

    /// The error for a failed `git tag`.
    nonisolated func runTagError(_ run: Run, _ out: GitOutput) -> LedgerError {
        if out.stderr.contains("already exists") {
            return LedgerError(.runExists, "the tag \(RunID.tagRef(run.runID)) already exists; tags are never moved")
        }
        return GitRunner.failure(["tag", RunID.tagName(run.runID)], out)
    }

    /// Deletes a run tag, but only if it still points at `object` (the value read before).
    func deleteRunTag(_ id: String, expected object: String, _ p: RepositoryPaths) async throws(LedgerError) {
        try await git.check(
            ["update-ref", "-m", "agent-ledger: delete run", "-d", "--end-of-options", RunID.tagRef(id), object],
            in: p.mainWorkTree
        )
    }

    /// Every run tag, read with one `git for-each-ref`: the ref, its tag object and its run (nil when the
    /// tag is not annotated or its message is not a run).
    func readRunTags(_ p: RepositoryPaths, pattern: String = RunID.tagPrefix) async throws(LedgerError) -> [RunTag] {
        let out = try await git.check(
            [
                "for-each-ref", "--format=%(objecttype)%00%(refname)%00%(objectname)%00%(*objectname)%00%(contents)%00",
                "--end-of-options", pattern,
            ],
            in: p.mainWorkTree
        )
        var tags: [RunTag] = []
        let fields = out.stdout.split(separator: 0, omittingEmptySubsequences: false)
        var i = 0
        while i + 4 < fields.count {
            var kind = fields[i]
            if kind.first == UInt8(ascii: "\n") { kind = kind.dropFirst() }
            let ref = String(decoding: fields[i + 1], as: UTF8.self)
            let object = String(decoding: fields[i + 2], as: UTF8.self)
            let target = String(decoding: fields[i + 3], as: UTF8.self)
            var run: Run?
            if kind.elementsEqual("tag".utf8), let value = try? JSONParser.parse(fields[i + 4]),
                let object = value.objectValue
            {
                run = try? Run(json: object)
            }
            tags.append(RunTag(ref: ref, object: object, target: target, run: run))
            i += 5
        }
        return tags
    }

    // MARK: - Deferred tags

    /// Run ids recorded while main had no commit, whose tags are still to be made, oldest first.
    public func deferredRunIDs() async throws(LedgerError) -> [String] {
        let p = try await paths()
        return try readDeferred(p)
    }

    /// Tags every deferred run on main's HEAD, now that it has a commit; returns the ids tagged.
    ///
    /// Called by every ``recordRun(_:events:)`` and ``pushLedger(includeUnpublishedTags:)``; call it
    /// yourself after the first commit to anchor earlier runs at once. Does nothing while main has no commit.
    /// A deferred run's `code_ref` stays empty: no commit existed when it ran; the tag shows where it was anchored.
    @discardableResult
    public func tagDeferredRuns() async throws(LedgerError) -> [String] {
        let p = try await paths()
        guard FileIO.exists(p.deferredTagsFile) else { return [] }
        return try await withLock(p) { () async throws(LedgerError) in
            try await tagDeferredRunsLocked(p)
        }
    }

    func tagDeferredRunsLocked(_ p: RepositoryPaths) async throws(LedgerError) -> [String] {
        let ids = try readDeferred(p)
        guard !ids.isEmpty, let head = try await headCommit(p) else { return [] }
        var tagged: [String] = []
        for id in ids {
            guard let bytes = try FileIO.readFile("\(p.runFolder(id))/run.json") else { continue }
            let run = try Run(jsonText: String(decoding: bytes, as: UTF8.self))
            do {
                try await createRunTag(run, on: head, p)
            } catch  where error.code == .runExists {
                // Tagged by an earlier attempt that stopped before updating the list.
            }
            tagged.append(id)
        }
        try FileIO.writeAtomically(p.deferredTagsFile, [])
        return tagged
    }

    func readDeferred(_ p: RepositoryPaths) throws(LedgerError) -> [String] {
        guard let bytes = try FileIO.readFile(p.deferredTagsFile) else { return [] }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init).filter(RunID.isValid)
    }

    func addDeferred(_ id: String, _ p: RepositoryPaths) throws(LedgerError) {
        try FileIO.append(p.deferredTagsFile, Array("\(id)\n".utf8))
    }
}

/// One `refs/tags/scp/run/*` ref as `git for-each-ref` reports it.
struct RunTag: Sendable, Hashable {
    /// The full ref name.
    var ref: String
    /// The tag object (or, for a lightweight tag, the commit).
    var object: String
    /// The commit an annotated tag points at; empty for a lightweight tag.
    var target: String
    /// The run in the tag's message, if it holds one.
    var run: Run?

    /// The run id: the last part of the ref.
    var id: String { String(ref.dropFirst(RunID.tagPrefix.count)) }
}
