public import LedgerCore
import LedgerGit

extension Chat {
    /// Creates a thread: writes `chat/threads/<thread_id>/thread.json` and commits it on the ledger branch.
    ///
    /// ```swift
    /// let thread = try await chat.createThread(title: "Release 1.2", anchorRun: run.runID, tags: ["release"])
    /// ```
    /// - Parameters:
    ///   - title: one line, at most 200 bytes.
    ///   - anchorRun: a recorded run the thread is about.
    ///   - tags: labels, each one line of at most 64 bytes; repeats are dropped.
    ///   - user: who creates it; default `git config user.name`.
    /// - Throws: ``LedgerError/Code/invalidThread`` for a bad title or tag; ``LedgerError/Code/invalidRunID``
    ///   for a bad run id; ``LedgerError/Code/notFound`` for a run the ledger does not have.
    @discardableResult
    public func createThread(
        title: String,
        anchorRun: String? = nil,
        tags: [String] = [],
        user: String? = nil
    ) async throws(LedgerError) -> ChatThread {
        let trimmed = title.trimmingCharacters(" \t")
        guard !trimmed.isEmpty, trimmed.utf8.count <= 200, !Self.hasControlCharacters(trimmed) else {
            throw LedgerError(
                .invalidThread,
                "thread title \(Identifiers.quoted(title)) is invalid: give one line of 1 to 200 bytes"
            )
        }
        var uniqueTags: [String] = []
        for tag in tags {
            let t = tag.trimmingCharacters(" \t")
            guard !t.isEmpty, t.utf8.count <= 64, !Self.hasControlCharacters(t) else {
                throw LedgerError(
                    .invalidThread,
                    "tag \(Identifiers.quoted(tag)) is invalid: give one line of 1 to 64 bytes"
                )
            }
            if !uniqueTags.contains(t) { uniqueTags.append(t) }
        }
        if let anchorRun {
            try RunID.validate(anchorRun)
            guard try await ledger.getRun(anchorRun) != nil else {
                throw LedgerError(
                    .notFound,
                    "the ledger has no run \(anchorRun): list runs with `agent-ledger runs list`"
                )
            }
        }
        let creator: String
        if let user { creator = user } else { creator = try await ledger.currentUser() }
        let thread = ChatThread(
            title: trimmed,
            createdBy: creator,
            anchorRun: anchorRun,
            tags: uniqueTags
        )
        var bytes = Array(JSONValue.object(thread.json).jsonString.utf8)
        bytes.append(UInt8(ascii: "\n"))
        try await ledger.commitFiles(
            [
                .ensureLine(Configuration.unionMergeAttribute, in: ".gitattributes"),
                .create(bytes, at: "\(threadFolder(thread.threadID))/thread.json"),
            ],
            message: "chat: thread \(thread.threadID)"
        )
        return thread
    }

    /// Every thread on the ledger branch (from `chat/threads/*/thread.json`), newest first; `general` is
    /// included once it has a message. Unreadable `thread.json` files are skipped.
    public func listThreads() async throws(LedgerError) -> [ChatThread] {
        var threads: [ChatThread] = []
        for id in try await threadIDs() {
            if let bytes = try await ledger.readLedgerFile("\(threadFolder(id))/thread.json"),
                let thread = try? ChatThread(jsonText: String(decoding: bytes, as: UTF8.self)),
                thread.threadID == id
            {
                threads.append(thread)
            } else if id == ChatThread.general {
                // Described by its first message, so two clones never write conflicting thread.json files.
                let first = try await threadLines(id).compactMap { try? ChatMessage(line: $0) }.min { a, b in
                    a.ts != b.ts ? a.ts < b.ts : a.id < b.id
                }
                if let first {
                    threads.append(
                        ChatThread(threadID: id, title: "General", createdAt: first.ts, createdBy: first.user)
                    )
                }
            }
        }
        threads.sort { a, b in a.createdAt != b.createdAt ? a.createdAt > b.createdAt : a.threadID > b.threadID }
        return threads
    }

    static func hasControlCharacters(_ s: String) -> Bool {
        s.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }
}
