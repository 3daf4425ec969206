public import LedgerCore
public import LedgerGit

/// One chat message (seed 004 §1B.3), stored as one compact JSON line: in the git note on a run's tag, in
/// a thread's `messages.jsonl`, or both.
///
/// Messages are never rewritten once stored; an edit or a deletion is a new message.
///
/// ```json
/// {"id":"msg_2026-02-17T204500.123_k3x9","ts":"2026-02-17T20:45:00.123Z","user":"Ada","text":"Deployed",
///  "thread_id":null,"run_id":"run_2026-02-17T204500_apply_a1b2","source":"manual",
///  "flags":{"publish":false,"encrypted":false}}
/// ```
public struct ChatMessage: Sendable, Hashable {
    /// `msg_<YYYY-MM-DDTHHMMSS.mmm>_<4 random>`; see ``StampedID``.
    public var id: String
    /// When it was sent: ISO 8601, UTC, milliseconds.
    public var ts: String
    /// Who sent it: `git config user.name` unless given.
    public var user: String
    /// The text, or `ENC:v1:…` as stored when encrypted; a listing shows the plaintext, or `[encrypted]`.
    public var text: String
    /// The thread it is in; `nil` for a message only on a run.
    public var threadID: String?
    /// The run it is attached to (a note on the run's tag).
    public var runID: String?
    /// Who wrote it: `manual` (a person), `trace` (a trace summary) or `system`.
    public var source: MessageSource
    /// Whether it may be published and whether its stored text is sealed.
    public var flags: MessageFlags

    /// A message; by default a new id, the time now, from a person, not published, not sealed.
    public init(
        id: String = StampedID.make("msg"),
        ts: String = RunTime.iso8601(nanoseconds: RunTime.nowNanoseconds()),
        user: String = "",
        text: String,
        threadID: String? = nil,
        runID: String? = nil,
        source: MessageSource = .manual,
        flags: MessageFlags = MessageFlags()
    ) {
        self.id = id
        self.ts = ts
        self.user = user
        self.text = text
        self.threadID = threadID
        self.runID = runID
        self.source = source
        self.flags = flags
    }

    /// What a listing shows in place of text it cannot decrypt.
    public static let encryptedPlaceholder = "[encrypted]"
}

extension ChatMessage {
    /// The message as a JSON object with the seed's keys, in the seed's order.
    public var json: JSONObject {
        var o = JSONObject()
        o.appendUnchecked("id", .string(id))
        o.appendUnchecked("ts", .string(ts))
        o.appendUnchecked("user", .string(user))
        o.appendUnchecked("text", .string(text))
        o.appendUnchecked("thread_id", threadID.map { .string($0) } ?? .null)
        o.appendUnchecked("run_id", runID.map { .string($0) } ?? .null)
        o.appendUnchecked("source", .string(source.rawValue))
        o.appendUnchecked("flags", .object(flags.json))
        return o
    }

    /// The compact one-line JSON text that is stored.
    public var line: String { JSONValue.object(json).jsonString }

    /// Reads a message from one stored line.
    ///
    /// `id`, `ts` and `text` are required; every other field falls back to the model's default.
    /// - Throws: ``LedgerError/Code/invalidJSON`` for text that is not a JSON object;
    ///   ``LedgerError/Code/invalidMessage`` for a missing or mistyped field or an unknown source.
    public init(line: some StringProtocol) throws(LedgerError) {
        guard let object = try JSONParser.parse(String(line)).objectValue else {
            throw LedgerError(.invalidJSON, "a chat message line must be a JSON object")
        }
        func string(_ key: String, required: Bool = false) throws(LedgerError) -> String? {
            switch object[key] {
            case .string(let s)?: return s
            case nil, .null?:
                if required { throw LedgerError(.invalidMessage, "chat message has no \"\(key)\"") }
                return nil
            default: throw LedgerError(.invalidMessage, "chat message field \"\(key)\" must be a string")
            }
        }
        let sourceText = try string("source") ?? MessageSource.manual.rawValue
        guard let source = MessageSource(rawValue: sourceText) else {
            throw LedgerError(.invalidMessage, "chat message source \"\(sourceText)\" is not manual, trace or system")
        }
        var flags = MessageFlags()
        if let f = object["flags"]?.objectValue {
            flags.publish = f["publish"]?.boolValue ?? false
            flags.encrypted = f["encrypted"]?.boolValue ?? false
        }
        self.init(
            id: try string("id", required: true) ?? "",
            ts: try string("ts", required: true) ?? "",
            user: try string("user") ?? "",
            text: try string("text", required: true) ?? "",
            threadID: try string("thread_id"),
            runID: try string("run_id"),
            source: source,
            flags: flags
        )
    }
}
