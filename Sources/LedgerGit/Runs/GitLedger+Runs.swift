public import LedgerCore

extension GitLedger {
    /// Records a run: writes `ledger/runs/<id>/run.json` and `events.jsonl` in the ledger worktree, commits
    /// them on `scp-ledger`, and tags main's HEAD with `refs/tags/scp/run/<id>`; returns the run as stored.
    ///
    /// Fills `user` (from `git config user.name`) and `code_ref` (main's HEAD) when they are empty. While
    /// main has no commit the tag is deferred, not failed: the id is kept in `.git/scp-ledger-deferred-tags`
    /// and tagged by the next record, push or ``tagDeferredRuns()`` once a commit exists.
    ///
    /// Holds the ledger lock throughout, so concurrent recorders in other processes wait their turn.
    ///
    /// ```swift
    /// let run = try await ledger.recordRun(
    ///     Run(type: "apply", subtype: "k8s:apply", summary: "Applied 3 resources"),
    ///     events: [["seq": 1, "type": "adapter:execute", "status": "ok"]]
    /// )
    /// ```
    /// - Throws: ``LedgerError/Code/invalidRunID`` or ``LedgerError/Code/invalidRun`` for a bad run (nothing
    ///   is written); ``LedgerError/Code/runExists`` when the id is taken; ``LedgerError/Code/gitFailed``,
    ///   ``LedgerError/Code/io`` or ``LedgerError/Code/lockTimeout`` otherwise.
    @discardableResult
    public func recordRun(_ run: Run, events: [JSONObject] = []) async throws(LedgerError) -> Run {
        try run.validate()
        let p = try await paths()
        // Independent git commands run side by side: starting each one costs milliseconds.
        let runner = git
        async let refCheck = Self.outcome(runner, ["check-ref-format", RunID.tagRef(run.runID)], in: p.mainWorkTree)
        async let headRead = Self.outcome(runner, ["rev-parse", "--verify", "-q", "HEAD^{commit}"], in: p.workTree)
        try await warmUp(p)
        guard try await refCheck.get().succeeded else {
            throw LedgerError(
                .invalidRunID,
                "\(RunID.tagRef(run.runID)) is not a valid git ref name: use \(RunID.rule)"
            )
        }
        let headOut = try await headRead.get()
        let head = headOut.succeeded ? headOut.text : nil
        let recorded = try await withLock(p) { () async throws(LedgerError) -> Run in
            try await recordRunLocked(run, events: events, head: head, p)
        }
        notifyRecorded(recorded)
        return recorded
    }

    private func recordRunLocked(
        _ input: Run,
        events: [JSONObject],
        head: String?,
        _ p: RepositoryPaths
    ) async throws(LedgerError) -> Run {
        try await ensureWorktreeLocked(p)
        if FileIO.exists(p.deferredTagsFile) { _ = try await tagDeferredRunsLocked(p) }
        var run = input
        if run.user.isEmpty { run.user = userName }
        if run.codeRef.isEmpty { run.codeRef = head ?? "" }

        let folder = try runFolder(run.runID, p, create: false)
        guard !FileIO.exists(folder) else {
            throw LedgerError(.runExists, "run \(run.runID) already exists in the ledger; runs are never overwritten")
        }
        let path = "ledger/runs/\(run.runID)"
        var tagCreated = false
        do throws(LedgerError) {
            _ = try runFolder(run.runID, p, create: true)
            var runJSON = Array(run.compactJSON.utf8)
            runJSON.append(UInt8(ascii: "\n"))
            try FileIO.writeAtomically("\(folder)/run.json", runJSON)
            var lines: [UInt8] = []
            for event in events {
                JSONWriter.writeObject(event, into: &lines)
                lines.append(UInt8(ascii: "\n"))
            }
            try FileIO.writeAtomically("\(folder)/events.jsonl", lines)

            // The tag (main repository) and the staging (ledger index) do not touch each other: run both at once.
            let runner = git
            async let tagging = Self.optionalOutcome(
                runner,
                head.map { runTagArguments(run, on: $0) },
                in: p.workTree,
                input: Array(run.compactJSON.utf8)
            )
            async let adding = Self.outcome(runner, ["add", "--", path], in: p.ledgerWorkTree, ceiling: p.mainWorkTree)
            let (tagged, added) = await (tagging, adding)
            if let tagOut = try tagged.get() {
                guard tagOut.succeeded else { throw runTagError(run, tagOut) }
                tagCreated = true
            }
            let addOut = try added.get()
            guard addOut.succeeded else { throw GitRunner.failure(["add", "--", path], addOut) }
            try await ledgerGit(
                ["commit", "--quiet", "--no-verify", "--no-gpg-sign", "-m", "ledger: run \(run.runID)", "--", path],
                p
            )
        } catch {
            // Leave no half-written run behind: unstage and delete its files, drop the tag this call made.
            _ = try? await git.run(
                ["rm", "-r", "-q", "--cached", "--ignore-unmatch", "--", path],
                in: p.ledgerWorkTree,
                ceiling: p.mainWorkTree
            )
            FileIO.removeRunFiles(folder)
            if tagCreated, let tag = try? await readRunTags(p, pattern: RunID.tagRef(run.runID)).first {
                try? await deleteRunTag(run.runID, expected: tag.object, p)
            }
            throw error
        }
        if head == nil { try addDeferred(run.runID, p) }
        return run
    }

    /// Runs one git command off the actor and returns what happened as a value, for `async let`.
    nonisolated static func outcome(
        _ runner: GitRunner,
        _ arguments: [String],
        in directory: String,
        input: [UInt8]? = nil,
        ceiling: String? = nil
    ) async -> Result<GitOutput, LedgerError> {
        do {
            return .success(try await runner.run(arguments, in: directory, input: input, ceiling: ceiling))
        } catch {
            return .failure(error)
        }
    }

    /// ``outcome(_:_:in:input:ceiling:)`` where `nil` arguments mean "nothing to run".
    nonisolated static func optionalOutcome(
        _ runner: GitRunner,
        _ arguments: [String]?,
        in directory: String,
        input: [UInt8]? = nil,
        ceiling: String? = nil
    ) async -> Result<GitOutput?, LedgerError> {
        guard let arguments else { return .success(nil) }
        do {
            return .success(try await runner.run(arguments, in: directory, input: input, ceiling: ceiling))
        } catch {
            return .failure(error)
        }
    }

    /// The most recent runs, newest first (by `started_at`, then id), at most `limit` (all when `limit <= 0`).
    ///
    /// Reads every run tag's message with one `git for-each-ref`, whatever the number of runs; runs whose
    /// tag is still deferred are read from their `run.json`. Tags whose message is not a run are skipped.
    public func listRuns(limit: Int = 20) async throws(LedgerError) -> [Run] {
        let p = try await paths()
        var runs: [Run] = []
        var seen = Set<String>()
        for tag in try await readRunTags(p) {
            guard let run = tag.run, run.runID == tag.id else { continue }
            runs.append(run)
            seen.insert(run.runID)
        }
        for id in try readDeferred(p) where !seen.contains(id) {
            if let run = try readRunFile(id, p) { runs.append(run) }
        }
        runs.sort { a, b in a.startedAt != b.startedAt ? a.startedAt > b.startedAt : a.runID > b.runID }
        return limit > 0 && runs.count > limit ? Array(runs.prefix(limit)) : runs
    }

    /// One run's metadata from its tag, or from its `run.json` on the ledger branch when it has no tag
    /// (deferred, or pulled without tags); `nil` when there is no such run.
    ///
    /// - Throws: ``LedgerError/Code/invalidRunID`` for an id outside the pattern.
    public func getRun(_ id: String) async throws(LedgerError) -> Run? {
        try RunID.validate(id)
        let p = try await paths()
        try await checkRefFormat(RunID.tagRef(id), p)
        for tag in try await readRunTags(p, pattern: RunID.tagRef(id)) where tag.ref == RunID.tagRef(id) {
            if let run = tag.run, run.runID == id { return run }
        }
        return try readRunFile(id, p)
    }

    /// The events of one run, read from `ledger/runs/<id>/events.jsonl` in the ledger worktree; empty when
    /// the run has no events.
    ///
    /// - Throws: ``LedgerError/Code/notFound`` when the ledger has no such run; ``LedgerError/Code/invalidJSON``
    ///   for a line that is not a JSON object.
    public func getRunEvents(_ id: String) async throws(LedgerError) -> [JSONObject] {
        try RunID.validate(id)
        let p = try await paths()
        try await checkRefFormat(RunID.tagRef(id), p)
        try await ensureWorktree()
        let folder = try runFolder(id, p, create: false)
        guard FileIO.isDirectory(folder) else {
            throw LedgerError(.notFound, "the ledger has no run \(id): list runs with `agent-ledger runs list`")
        }
        guard let bytes = try FileIO.readFile("\(folder)/events.jsonl") else { return [] }
        var events: [JSONObject] = []
        var lineNumber = 0
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            let value: JSONValue
            do {
                value = try JSONParser.parse(line)
            } catch {
                throw LedgerError(.invalidJSON, "line \(lineNumber) of \(folder)/events.jsonl: \(error.message)")
            }
            guard let object = value.objectValue else {
                throw LedgerError(.invalidJSON, "line \(lineNumber) of \(folder)/events.jsonl is not a JSON object")
            }
            events.append(object)
        }
        return events
    }

    /// Removes runs: their folders from the ledger branch (one commit) and their local tags. Pushed copies on
    /// the remote stay; a tag is deleted only if it still has the value just read. Returns the ids removed.
    @discardableResult
    public func deleteRuns(_ ids: [String]) async throws(LedgerError) -> [String] {
        for id in ids { try RunID.validate(id) }
        let p = try await paths()
        return try await withLock(p) { () async throws(LedgerError) -> [String] in
            try await ensureWorktreeLocked(p)
            var removed: [String] = []
            var paths: [String] = []
            let tags = Dictionary(
                try await readRunTags(p).map { ($0.id, $0) },
                uniquingKeysWith: { a, _ in a }
            )
            for id in ids {
                var found = false
                if let tag = tags[id] {
                    try await deleteRunTag(id, expected: tag.object, p)
                    found = true
                }
                if FileIO.isDirectory(try runFolder(id, p, create: false)) {
                    paths.append("ledger/runs/\(id)")
                    found = true
                }
                if found { removed.append(id) }
            }
            if !paths.isEmpty {
                try await ledgerGit(["rm", "-r", "--quiet", "--"] + paths, p)
                try await ledgerGit(
                    [
                        "commit", "--quiet", "--no-verify", "--no-gpg-sign", "-m",
                        "ledger: delete \(paths.count) run(s)", "--",
                    ]
                        + paths,
                    p
                )
            }
            let deferred = try readDeferred(p)
            if deferred.contains(where: removed.contains) {
                let kept = deferred.filter { !removed.contains($0) }.map { "\($0)\n" }.joined()
                try FileIO.writeAtomically(p.deferredTagsFile, Array(kept.utf8))
            }
            return removed
        }
    }

    /// Removes every run that started before `cutoff` (ISO 8601 UTC, as in `started_at`); returns the ids removed.
    @discardableResult
    public func pruneRuns(startedBefore cutoff: String) async throws(LedgerError) -> [String] {
        let old = try await listRuns(limit: 0).filter { !$0.startedAt.isEmpty && $0.startedAt < cutoff }
        return try await deleteRuns(old.map(\.runID))
    }

    // MARK: - Helpers

    /// `git check-ref-format`: the second, independent check of an id after ``RunID/validate(_:)``.
    func checkRefFormat(_ ref: String, _ p: RepositoryPaths) async throws(LedgerError) {
        let out = try await git.run(["check-ref-format", ref], in: p.mainWorkTree)
        guard out.succeeded else {
            throw LedgerError(.invalidRunID, "\(ref) is not a valid git ref name: use \(RunID.rule)")
        }
    }

    /// The folder of a run, checked to resolve to a place inside `.scp-ledger/ledger/runs/` (a symbolic link
    /// on the ledger branch cannot lead a write elsewhere).
    func runFolder(_ id: String, _ p: RepositoryPaths, create: Bool) throws(LedgerError) -> String {
        try RunID.validate(id)
        let folder = p.runFolder(id)
        if create { try FileIO.makeDirectories(folder) }
        guard let root = FileIO.realPath(p.ledgerWorkTree) else {
            throw LedgerError(.brokenWorktree, "the ledger worktree \(p.ledgerWorkTree) is missing")
        }
        let expected = "\(root)/ledger/runs/\(id)"
        if let resolved = FileIO.realPath(folder) {
            guard resolved == expected else {
                throw LedgerError(.brokenWorktree, "\(folder) resolves to \(resolved), outside the ledger worktree")
            }
        } else if let parent = FileIO.realPath(p.runsFolder), parent != "\(root)/ledger/runs" {
            throw LedgerError(.brokenWorktree, "\(p.runsFolder) resolves to \(parent), outside the ledger worktree")
        }
        return folder
    }

    /// A run's `run.json` from the ledger worktree, or `nil` when the worktree or the run is missing.
    func readRunFile(_ id: String, _ p: RepositoryPaths) throws(LedgerError) -> Run? {
        guard FileIO.exists(p.ledgerWorkTree) else { return nil }
        let folder = try runFolder(id, p, create: false)
        guard let bytes = try FileIO.readFile("\(folder)/run.json") else { return nil }
        return try Run(jsonText: String(decoding: bytes, as: UTF8.self))
    }
}
