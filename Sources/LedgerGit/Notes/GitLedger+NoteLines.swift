public import LedgerCore

extension GitLedger {
    /// Adds `lines` to the end of the git note on `target` under `ref`, creating the note if there is none.
    ///
    /// The note is rewritten whole while the ledger lock is held: the current note is read, the new
    /// lines are appended, the result is stored with `git hash-object -w`, and the note is replaced with
    /// `git notes add -f -C <blob>`. Unlike `git notes append` run from several processes at once, which
    /// can lose a line without an error, every line of every concurrent writer survives.
    ///
    /// The note sits on the object `target` names, not peeled: for `refs/tags/scp/run/<id>` that is the
    /// annotated tag object, not the commit it points to.
    ///
    /// Cost: three short git commands under the lock.
    /// - Parameters:
    ///   - lines: the lines to add, each without a line break.
    ///   - target: a full ref name or an object id.
    ///   - ref: the notes ref, a full name under `refs/notes/`.
    /// - Throws: ``LedgerError/Code/invalidField`` for a line with a line break or a bad notes ref (nothing
    ///   is written); ``LedgerError/Code/notFound`` when `target` names no object;
    ///   ``LedgerError/Code/gitFailed`` or ``LedgerError/Code/lockTimeout`` otherwise.
    public func appendNoteLines(_ lines: [String], to target: String, ref: String) async throws(LedgerError) {
        guard !lines.isEmpty else { return }
        for line in lines where line.utf8.contains(where: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) {
            throw LedgerError(.invalidField, "a note line must not contain a line break: write one line per entry")
        }
        let p = try await paths()
        try await prepareIdentity(p)
        try await checkNotesRef(ref, p)
        let object = try await resolveObject(target, p)
        try await withLock(p) { () async throws(LedgerError) in
            var content = try await noteBytes(on: object, ref: ref, p) ?? []
            if let last = content.last, last != UInt8(ascii: "\n") { content.append(UInt8(ascii: "\n")) }
            for line in lines {
                content.append(contentsOf: line.utf8)
                content.append(UInt8(ascii: "\n"))
            }
            let blob = try await git.check(["hash-object", "-w", "--stdin"], in: p.mainWorkTree, input: content).text
            try await git.check(
                ["notes", "--ref=\(ref)", "add", "-f", "-C", blob, "--end-of-options", object],
                in: p.mainWorkTree
            )
        }
    }

    /// The lines of the git note on `target` under `ref`, without empty ones; empty when there is no note,
    /// no notes ref yet, or `target` names no object.
    ///
    /// Takes no lock: git replaces a notes ref atomically, so a reader sees the note before or after a write.
    public func noteLines(on target: String, ref: String) async throws(LedgerError) -> [String] {
        let p = try await paths()
        try await checkNotesRef(ref, p)
        let resolved = try await git.run(
            ["rev-parse", "--verify", "-q", "--end-of-options", target],
            in: p.mainWorkTree
        )
        guard resolved.succeeded, !resolved.text.isEmpty else { return [] }
        guard let bytes = try await noteBytes(on: resolved.text, ref: ref, p) else { return [] }
        return bytes.split(separator: UInt8(ascii: "\n")).compactMap { line in
            let text = String(decoding: line, as: UTF8.self)
            return text.trimmingWhitespaceAndNewlines.isEmpty ? nil : text
        }
    }

    /// Every note under `ref`: the annotated object and the note's non-empty lines, in `git notes list` order.
    ///
    /// Costs two git commands whatever the number of notes (`git notes list`, then one `git cat-file --batch`).
    public func allNoteLines(ref: String) async throws(LedgerError) -> [(object: String, lines: [String])] {
        let p = try await paths()
        try await checkNotesRef(ref, p)
        guard try await refExists(ref, p) else { return [] }
        let list = try await git.check(["notes", "--ref=\(ref)", "list"], in: p.mainWorkTree)
        var pairs: [(blob: String, object: String)] = []
        for line in list.lines {
            let parts = line.split(separator: " ")
            if parts.count == 2 { pairs.append((String(parts[0]), String(parts[1]))) }
        }
        guard !pairs.isEmpty else { return [] }
        let request = pairs.map { "\($0.blob)\n" }.joined()
        let out = try await git.check(["cat-file", "--batch"], in: p.mainWorkTree, input: Array(request.utf8))
        var result: [(object: String, lines: [String])] = []
        var i = 0
        let bytes = out.stdout
        for pair in pairs {
            // Each answer: "<oid> <type> <size>\n<content>\n".
            guard let headerEnd = bytes[i...].firstIndex(of: UInt8(ascii: "\n")) else { break }
            let header = String(decoding: bytes[i..<headerEnd], as: UTF8.self).split(separator: " ")
            i = headerEnd + 1
            guard header.count == 3, let size = Int(header[2]), i + size <= bytes.count else { continue }
            let content = bytes[i..<(i + size)]
            i += size + 1
            let lines = content.split(separator: UInt8(ascii: "\n")).compactMap { line -> String? in
                let text = String(decoding: line, as: UTF8.self)
                return text.trimmingWhitespaceAndNewlines.isEmpty ? nil : text
            }
            result.append((pair.object, lines))
        }
        return result
    }

    /// The note's bytes, or `nil` when `object` has no note under `ref` (or the ref does not exist yet).
    /// Any other failure throws, so a damaged notes ref is never read as an empty note and overwritten.
    private func noteBytes(on object: String, ref: String, _ p: RepositoryPaths) async throws(LedgerError) -> [UInt8]? {
        let out = try await git.run(["notes", "--ref=\(ref)", "show", "--end-of-options", object], in: p.mainWorkTree)
        if out.succeeded { return out.stdout }
        if out.stderr.contains("no note found") { return nil }
        throw GitRunner.failure(["notes", "show", object], out)
    }
}
