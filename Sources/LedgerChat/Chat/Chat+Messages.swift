public import LedgerCore
import LedgerGit

extension Chat {
    /// Sends a message: stores it on the run, in the thread, in both, or in `general` (see ``Chat``), and
    /// returns it as stored.
    ///
    /// Everything is checked before anything is written: the text, the ids, that the run has a tag and the
    /// thread exists, and, with `encrypt`, that a key is set.
    ///
    /// ```swift
    /// try await chat.sendMessage("Health checks passed", runID: run.runID)
    /// try await chat.sendMessage("db password rotated", threadID: ops, encrypt: true)
    /// ```
    /// - Parameters:
    ///   - text: the message; not empty, at most ``Configuration/maxTextBytes`` bytes.
    ///   - threadID: a thread from ``createThread(title:anchorRun:tags:user:)``, or `general`.
    ///   - runID: a recorded run with a tag.
    ///   - publish: sets `flags.publish` (eligible for public rendering).
    ///   - encrypt: stores the text as `ENC:v1:…` sealed with `CONTENT_VAULT_ENC_KEY`.
    ///   - source: `manual` (a person), `trace` or `system`.
    ///   - user: who sends it; default `git config user.name`.
    /// - Throws: ``LedgerError/Code/invalidMessage``, ``LedgerError/Code/invalidThread`` or
    ///   ``LedgerError/Code/invalidRunID`` for bad input; ``LedgerError/Code/notFound`` for a thread or run
    ///   tag that does not exist; ``LedgerError/Code/encryptionKeyMissing`` when `encrypt` is set without a
    ///   key — the text is never stored in the clear instead; git, I/O and lock errors otherwise.
    @discardableResult
    public func sendMessage(
        _ text: String,
        threadID: String? = nil,
        runID: String? = nil,
        publish: Bool = false,
        encrypt: Bool = false,
        source: MessageSource = .manual,
        user: String? = nil
    ) async throws(LedgerError) -> ChatMessage {
        guard !text.utf8.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else {
            throw LedgerError(.invalidMessage, "the message text is empty: give the text to send")
        }
        guard text.utf8.count <= configuration.maxTextBytes else {
            throw LedgerError(
                .invalidMessage,
                "the message text is \(text.utf8.count) bytes: the limit is \(configuration.maxTextBytes)"
            )
        }
        if let threadID { try ChatThread.validateID(threadID) }
        if let runID { try RunID.validate(runID) }
        let thread = threadID ?? (runID == nil ? ChatThread.general : nil)
        if let thread, thread != ChatThread.general,
            try await ledger.readLedgerFile("\(threadFolder(thread))/thread.json") == nil
        {
            throw LedgerError(
                .notFound,
                "there is no thread \(thread): create one with `agent-ledger chat thread create TITLE`, or list them with `agent-ledger chat threads`"
            )
        }
        var stored = text
        if encrypt {
            guard let cipher = try await currentCipher() else {
                throw LedgerError(
                    .encryptionKeyMissing,
                    "encryption was asked for but \(await keyLocations()): set it, or send without encryption"
                )
            }
            await cipher.prepareKeys(writing: true)
            stored = try cipher.encrypt(text)
        }
        let sender: String
        if let user { sender = user } else { sender = try await ledger.currentUser() }
        let message = ChatMessage(
            user: sender,
            text: stored,
            threadID: thread,
            runID: runID,
            source: source,
            flags: MessageFlags(publish: publish, encrypted: encrypt)
        )
        let line = message.line
        if let runID {
            // Written first: it fails (nothing written anywhere) when the run has no tag.
            do {
                try await ledger.appendNoteLines([line], to: RunID.tagRef(runID), ref: configuration.notesRef)
            } catch  where error.code == .notFound {
                throw LedgerError(
                    .notFound,
                    "the ledger has no run \(runID) with a tag: list runs with `agent-ledger runs list` (a run recorded before the first commit gets its tag with the next record or push)"
                )
            }
        }
        if let thread {
            try await ledger.commitFiles(
                [
                    .ensureLine(Configuration.unionMergeAttribute, in: ".gitattributes"),
                    .append(Array("\(line)\n".utf8), to: "\(threadFolder(thread))/messages.jsonl"),
                ],
                message: "chat: message \(message.id) in \(thread)"
            )
        }
        notifySent(message)
        return message
    }

    /// Lists messages, newest first (by `ts`, then id), at most `limit` (all when `limit <= 0`).
    ///
    /// With a run id, the messages on that run; with a thread id, those in that thread; with both, the
    /// messages of either; with neither, every message of every thread and run. A message stored in two
    /// places, or twice after a merge, is listed once. Sealed messages are opened when
    /// `CONTENT_VAULT_ENC_KEY` is set; one that cannot be opened (no key, another key, changed text) is
    /// listed with the text `[encrypted]` and `flags.encrypted = true` — never left out. Lines that are
    /// not messages are skipped.
    ///
    /// Cost: reading notes takes two git commands at most; each distinct `ENC:v1` salt costs one key
    /// derivation per process (a writer uses one salt), the rest is microseconds per message.
    /// - Throws: ``LedgerError/Code/invalidThread`` or ``LedgerError/Code/invalidRunID`` for a bad id.
    public func listMessages(
        threadID: String? = nil,
        runID: String? = nil,
        limit: Int = 50
    ) async throws(LedgerError) -> [ChatMessage] {
        if let threadID { try ChatThread.validateID(threadID) }
        if let runID { try RunID.validate(runID) }
        var lines: [String] = []
        if let runID {
            lines += try await ledger.noteLines(on: RunID.tagRef(runID), ref: configuration.notesRef)
        }
        if let threadID {
            lines += try await threadLines(threadID)
        }
        if threadID == nil, runID == nil {
            for id in try await threadIDs() { lines += try await threadLines(id) }
            for note in try await ledger.allNoteLines(ref: configuration.notesRef) { lines += note.lines }
        }
        var seen = Set<String>()
        var messages: [ChatMessage] = []
        for line in lines {
            guard let message = try? ChatMessage(line: line), seen.insert(message.id).inserted else { continue }
            messages.append(message)
        }
        messages.sort { a, b in a.ts != b.ts ? a.ts > b.ts : a.id > b.id }
        if limit > 0, messages.count > limit { messages = Array(messages.prefix(limit)) }
        return try await opened(messages)
    }

    /// Messages with their sealed texts opened where the key allows, `[encrypted]` elsewhere.
    func opened(_ messages: [ChatMessage]) async throws(LedgerError) -> [ChatMessage] {
        guard messages.contains(where: { $0.flags.encrypted || ChatCipher.isEncrypted($0.text) }) else {
            return messages
        }
        let cipher = try await currentCipher()
        await cipher?.prepareKeys(for: messages.map(\.text))
        return messages.map { message in
            guard message.flags.encrypted || ChatCipher.isEncrypted(message.text) else { return message }
            var m = message
            m.flags.encrypted = true
            if let cipher, let plain = try? cipher.decrypt(message.text) {
                m.text = plain
            } else {
                m.text = ChatMessage.encryptedPlaceholder
            }
            return m
        }
    }

    /// The lines of a thread's `messages.jsonl`; empty when it has none.
    func threadLines(_ id: String) async throws(LedgerError) -> [String] {
        guard let bytes = try await ledger.readLedgerFile("\(threadFolder(id))/messages.jsonl") else { return [] }
        return bytes.split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The ids of the thread folders on the ledger branch.
    func threadIDs() async throws(LedgerError) -> [String] {
        try await ledger.ledgerFolderEntries(configuration.threadsFolder).filter(ChatThread.isValidID)
    }
}
