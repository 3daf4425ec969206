public import LedgerCore

extension GitLedger {
    /// The notes ref the ledger uses unless told otherwise.
    public static let defaultNotesRef = "refs/notes/scp"

    /// Appends `text` to the git note on `target` (a commit, a tag such as `refs/tags/scp/run/<id>`, any
    /// object) under `ref`, creating the note if there is none. Holds the ledger lock.
    ///
    /// - Throws: ``LedgerError/Code/invalidField`` for a ref outside `refs/notes/`; ``LedgerError/Code/notFound``
    ///   when `target` names no object.
    public func appendNote(_ text: String, to target: String, ref: String = defaultNotesRef) async throws(LedgerError) {
        let p = try await paths()
        try await prepareIdentity(p)
        try await checkNotesRef(ref, p)
        let object = try await resolveObject(target, p)
        try await withLock(p) { () async throws(LedgerError) in
            try await git.check(
                ["notes", "--ref=\(ref)", "append", "--file=-", "--end-of-options", object],
                in: p.mainWorkTree,
                input: Array(text.utf8)
            )
        }
    }

    /// The git note on `target` under `ref`, or `nil` when it has none.
    public func note(on target: String, ref: String = defaultNotesRef) async throws(LedgerError) -> String? {
        let p = try await paths()
        try await checkNotesRef(ref, p)
        let object = try await resolveObject(target, p)
        let list = try await git.run(["notes", "--ref=\(ref)", "list", "--end-of-options", object], in: p.mainWorkTree)
        guard list.succeeded else { return nil }
        let out = try await git.check(
            ["notes", "--ref=\(ref)", "show", "--end-of-options", object],
            in: p.mainWorkTree
        )
        return String(decoding: out.stdout, as: UTF8.self)
    }

    func checkNotesRef(_ ref: String, _ p: RepositoryPaths) async throws(LedgerError) {
        let valid = try await git.run(["check-ref-format", ref], in: p.mainWorkTree).succeeded
        guard ref.hasPrefix("refs/notes/"), valid else {
            throw LedgerError(.invalidField, "notes ref \"\(ref)\" is invalid: use a full ref name under refs/notes/")
        }
    }

    /// The object id `target` names (not peeled: a tag's note sits on the tag object).
    func resolveObject(_ target: String, _ p: RepositoryPaths) async throws(LedgerError) -> String {
        let out = try await git.run(["rev-parse", "--verify", "-q", "--end-of-options", target], in: p.mainWorkTree)
        guard out.succeeded, !out.text.isEmpty else {
            throw LedgerError(.notFound, "\"\(target)\" names no object in this repository")
        }
        return out.text
    }
}
