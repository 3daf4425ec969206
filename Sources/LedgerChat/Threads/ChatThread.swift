public import LedgerCore
public import LedgerGit

/// A conversation thread (seed 004 §1B.3, `Thread`), stored as `chat/threads/<thread_id>/thread.json` on
/// the ledger branch, its messages beside it in `messages.jsonl`.
///
/// Named `ChatThread` so that it never clashes with Foundation's `Thread` in a file that imports both.
/// The built-in thread ``general`` (messages sent to no thread and no run) has no `thread.json`: two clones
/// could not create it without a conflict, so it is described from its first message instead.
public struct ChatThread: Sendable, Hashable {
    /// `thread_<YYYY-MM-DDTHHMMSS.mmm>_<4 random>`, or `general`.
    public var threadID: String
    /// One line that says what the thread is about.
    public var title: String
    /// ISO 8601, UTC.
    public var createdAt: String
    /// Who created it (`git config user.name` unless given).
    public var createdBy: String
    /// The run the thread is about, if any.
    public var anchorRun: String?
    /// Free labels.
    public var tags: [String]

    /// A thread; by default a new id, created now.
    public init(
        threadID: String = StampedID.make("thread"),
        title: String,
        createdAt: String = RunTime.iso8601(nanoseconds: RunTime.nowNanoseconds()),
        createdBy: String = "",
        anchorRun: String? = nil,
        tags: [String] = []
    ) {
        self.threadID = threadID
        self.title = title
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.anchorRun = anchorRun
        self.tags = tags
    }

    /// The id of the built-in thread for messages sent to no thread and no run.
    public static let general = "general"

    /// The rule for thread ids, in words.
    public static let idRule = "general, or \(StampedID.rule("thread"))"

    /// Whether `id` can name a thread folder: `general`, or a `thread_` id.
    public static func isValidID(_ id: String) -> Bool {
        id == general || StampedID.isValid(id, prefix: "thread")
    }

    /// Throws ``LedgerError/Code/invalidThread`` unless `id` is a valid thread id.
    public static func validateID(_ id: String) throws(LedgerError) {
        guard isValidID(id) else {
            throw LedgerError(.invalidThread, "thread id \(Identifiers.quoted(id)) is invalid: use \(idRule)")
        }
    }
}

extension ChatThread {
    /// The thread as a JSON object with the seed's keys, in the seed's order.
    public var json: JSONObject {
        var o = JSONObject()
        o.appendUnchecked("thread_id", .string(threadID))
        o.appendUnchecked("title", .string(title))
        o.appendUnchecked("created_at", .string(createdAt))
        o.appendUnchecked("created_by", .string(createdBy))
        o.appendUnchecked("anchor_run", anchorRun.map { .string($0) } ?? .null)
        o.appendUnchecked("tags", .array(tags.map { .string($0) }))
        return o
    }

    /// Reads a thread from the text of its `thread.json`.
    /// - Throws: ``LedgerError/Code/invalidJSON`` or ``LedgerError/Code/invalidThread`` for a malformed file.
    public init(jsonText: String) throws(LedgerError) {
        guard let object = try JSONParser.parse(jsonText).objectValue,
            let id = object["thread_id"]?.stringValue
        else {
            throw LedgerError(.invalidThread, "thread.json must be a JSON object with a \"thread_id\" string")
        }
        self.init(
            threadID: id,
            title: object["title"]?.stringValue ?? "",
            createdAt: object["created_at"]?.stringValue ?? "",
            createdBy: object["created_by"]?.stringValue ?? "",
            anchorRun: object["anchor_run"]?.stringValue,
            tags: object["tags"]?.arrayValue?.compactMap(\.stringValue) ?? []
        )
    }
}
