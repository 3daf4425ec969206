public import LedgerCore

extension GitLedger {
    /// Applies `changes` to files in the ledger worktree and commits them on the ledger branch as one
    /// commit; returns the new commit, or the unchanged branch head when no change altered a file.
    ///
    /// Holds the ledger lock throughout, so writers in other processes (run recorders, chat senders)
    /// take turns. Every path is checked before anything is written, and must resolve to a place inside
    /// `.scp-ledger/` (a symbolic link on the branch cannot lead a write elsewhere). If any step fails, the
    /// files are put back as they were and unstaged, so a failed call leaves nothing behind.
    ///
    /// Cost: two short git commands (`add`, `commit`) under the lock.
    /// - Parameters:
    ///   - changes: the files to change, applied in order.
    ///   - message: the commit message.
    /// - Throws: ``LedgerError/Code/invalidField`` for a bad path; ``LedgerError/Code/fileExists`` when a
    ///   ``LedgerFileChange/Action/create(_:)`` finds its file; ``LedgerError/Code/brokenWorktree`` for a
    ///   path that leads outside the worktree; ``LedgerError/Code/gitFailed``, ``LedgerError/Code/io`` or
    ///   ``LedgerError/Code/lockTimeout`` otherwise.
    @discardableResult
    public func commitFiles(_ changes: [LedgerFileChange], message: String) async throws(LedgerError) -> String {
        for change in changes {
            try LedgerFileChange.validate(path: change.path)
            if case .ensureLine(let line) = change.action, line.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) {
                throw LedgerError(.invalidField, "line \(Identifiers.quoted(line)) holds a line break: give one line")
            }
        }
        let p = try await paths()
        try await warmUp(p)
        return try await withLock(p) { () async throws(LedgerError) -> String in
            try await ensureWorktreeLocked(p)
            return try await commitFilesLocked(changes, message: message, p)
        }
    }

    private func commitFilesLocked(
        _ changes: [LedgerFileChange],
        message: String,
        _ p: RepositoryPaths
    ) async throws(LedgerError) -> String {
        // What each touched file was before, to put it back if anything fails.
        var originals: [(path: String, size: Int?, bytes: [UInt8]?)] = []
        var changed: [String] = []
        // A file only ever appended to is undone by cutting it back; any other change needs its bytes.
        let appendOnly = Set(changes.map(\.path)).filter { path in
            changes.allSatisfy { change in
                guard change.path == path else { return true }
                if case .append = change.action { return true }
                return false
            }
        }
        do throws(LedgerError) {
            for change in changes {
                let full = try ledgerFilePath(change.path, p, create: true)
                if !originals.contains(where: { $0.path == full }) {
                    let size = FileIO.size(full)
                    let bytes = size != nil && !appendOnly.contains(change.path) ? try FileIO.readFile(full) : nil
                    originals.append((full, size, bytes))
                }
                if try apply(change.action, to: full, relative: change.path), !changed.contains(change.path) {
                    changed.append(change.path)
                }
            }
            guard !changed.isEmpty else {
                return try await commit(of: configuration.branchRef, p) ?? ""
            }
            try await ledgerGit(["add", "--"] + changed, p)
            try await ledgerGit(
                ["commit", "--quiet", "--no-verify", "--no-gpg-sign", "-m", message, "--"] + changed,
                p
            )
        } catch {
            for original in originals.reversed() {
                if let bytes = original.bytes {
                    try? FileIO.writeAtomically(original.path, bytes)
                } else if let size = original.size {
                    try? FileIO.truncate(original.path, to: size)
                } else {
                    FileIO.remove(original.path)
                }
            }
            if !changed.isEmpty {
                _ = try? await git.run(
                    ["reset", "-q", "--"] + changed,
                    in: p.ledgerWorkTree,
                    ceiling: p.mainWorkTree
                )
            }
            throw error
        }
        return try await commit(of: configuration.branchRef, p) ?? ""
    }

    /// Applies one action; returns whether the file changed.
    private func apply(_ action: LedgerFileChange.Action, to full: String, relative: String) throws(LedgerError) -> Bool
    {
        switch action {
        case .append(let bytes):
            guard !bytes.isEmpty else { return false }
            try FileIO.append(full, bytes)
        case .create(let bytes):
            guard !FileIO.exists(full) else {
                throw LedgerError(
                    .fileExists,
                    "\(relative) already exists on the ledger branch; it is never overwritten"
                )
            }
            try FileIO.writeAtomically(full, bytes)
        case .replace(let bytes):
            if let current = try FileIO.readFile(full), current == bytes { return false }
            try FileIO.writeAtomically(full, bytes)
        case .ensureLine(let line):
            let current = try FileIO.readFile(full) ?? []
            let present = current.split(separator: UInt8(ascii: "\n")).contains { existing in
                String(decoding: existing, as: UTF8.self).trimmingWhitespaceAndNewlines == line
            }
            guard !present else { return false }
            var addition: [UInt8] = []
            if let last = current.last, last != UInt8(ascii: "\n") { addition.append(UInt8(ascii: "\n")) }
            addition.append(contentsOf: line.utf8)
            addition.append(UInt8(ascii: "\n"))
            try FileIO.append(full, addition)
        }
        return true
    }

    /// The bytes of a file on the ledger branch, read from the worktree, or `nil` when it does not exist.
    ///
    /// Makes sure the worktree exists first (as ``ensureWorktree()`` does). Takes no lock.
    /// - Throws: ``LedgerError/Code/invalidField`` for a bad path; ``LedgerError/Code/io`` when it cannot be read.
    public func readLedgerFile(_ path: String) async throws(LedgerError) -> [UInt8]? {
        try LedgerFileChange.validate(path: path)
        try await ensureWorktree()
        let p = try await paths()
        let full = try ledgerFilePath(path, p, create: false)
        guard FileIO.isRegularFile(full) else { return nil }
        return try FileIO.readFile(full)
    }

    /// The names in a folder on the ledger branch (read from the worktree), sorted; empty when it does not exist.
    ///
    /// - Throws: ``LedgerError/Code/invalidField`` for a bad path.
    public func ledgerFolderEntries(_ path: String) async throws(LedgerError) -> [String] {
        try LedgerFileChange.validate(path: path)
        try await ensureWorktree()
        let p = try await paths()
        let full = try ledgerFilePath(path, p, create: false)
        guard FileIO.isDirectory(full) else { return [] }
        if let root = FileIO.realPath(p.ledgerWorkTree), FileIO.realPath(full) != "\(root)/\(path)" {
            throw LedgerError(.brokenWorktree, "\(full) leads outside the ledger worktree")
        }
        return (FileIO.entries(full) ?? []).sorted()
    }

    /// The absolute path of a file in the worktree, checked to stay inside it; with `create`, its folder is made.
    ///
    /// Each folder on the way is checked before the next is made, so a symbolic link on the branch can
    /// neither lead a write outside the worktree nor make a folder there.
    func ledgerFilePath(_ relative: String, _ p: RepositoryPaths, create: Bool) throws(LedgerError) -> String {
        guard let root = FileIO.realPath(p.ledgerWorkTree) else {
            throw LedgerError(.brokenWorktree, "the ledger worktree \(p.ledgerWorkTree) is missing")
        }
        let parts = relative.split(separator: "/").map(String.init)
        var folder = p.ledgerWorkTree
        var expected = root
        for part in parts.dropLast() {
            folder += "/\(part)"
            expected += "/\(part)"
            if !FileIO.exists(folder) {
                guard create else { break }
                try FileIO.makeDirectories(folder)
            }
            guard let resolved = FileIO.realPath(folder), resolved == expected, FileIO.isDirectory(folder) else {
                throw LedgerError(
                    .brokenWorktree,
                    "\(folder) is not a folder inside the ledger worktree (a symbolic link?): the ledger will not write through it"
                )
            }
        }
        let full = "\(p.ledgerWorkTree)/\(relative)"
        if create, FileIO.exists(full), !FileIO.isRegularFile(full) {
            throw LedgerError(.brokenWorktree, "\(full) is not a regular file: the ledger will not write through it")
        }
        return full
    }
}
