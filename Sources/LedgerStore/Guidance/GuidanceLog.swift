import LedgerCore

/// Seed 001 §5's guidance logs: `logs/guidance/guidance-<session>.json`, one JSON array of
/// instructions per session, kept until the operator deletes them.
///
/// A file is rewritten whole and atomically on each append (under a lock shared by processes), so a
/// reader always sees a complete array. The ledger never deletes one: ``deleteCommand(for:)`` only
/// says how.
///
/// ```swift
/// let log = GuidanceLog(layout: LedgerLayout(root: "."))
/// try log.append(session: "session-abc", text: "Prefer small commits", agent: "bookkeeper", ts: "2025-11-16T12:00:01.234Z")
/// ```
public struct GuidanceLog: Sendable {
    public let layout: LedgerLayout

    /// One guidance file.
    public struct File: Sendable, Hashable {
        /// `guidance-<session>.json`.
        public var name: String
        public var session: String
        public var path: String
        /// How many entries its array holds; `nil` when it is not a readable JSON array.
        public var entries: Int?
        /// `ts` of its last entry, if it has one.
        public var lastTimestamp: String?
    }

    /// The most text one entry may hold, in bytes.
    public static let maxTextBytes = 64 << 10

    public init(layout: LedgerLayout) {
        self.layout = layout
    }

    /// Appends an entry `{"ts", "agent", "text"}` to the session's array, creating the file if needed.
    ///
    /// - Returns: the file's path and how many entries it now holds.
    /// - Throws: `invalidField` for a bad session or empty text; `invalidJSON` when the file exists
    ///   but is not a JSON array (it is left as it is); `io` errors from the disk.
    @discardableResult
    public func append(
        session: String,
        text: String,
        agent: String,
        ts: String
    ) throws(LedgerError) -> (path: String, entries: Int) {
        try Identifiers.validateSession(session)
        try Identifiers.validateAgent(agent)
        guard !text.trimmingWhitespace.isEmpty else {
            throw LedgerError(.invalidField, "the guidance text is empty: say what the instruction is")
        }
        try Identifiers.validateText(text, field: "guidance text", maxBytes: Self.maxTextBytes)
        let path = layout.guidanceFile(session: session)
        let lock = "\(layout.guidanceDirectory)/.guidance-\(session).json.lock"
        return try FileLock.withLock(path: lock) { () throws(LedgerError) -> (path: String, entries: Int) in
            var entries = try Self.read(path) ?? []
            var entry = JSONObject()
            entry.appendUnchecked("ts", .string(ts))
            entry.appendUnchecked("agent", .string(agent))
            entry.appendUnchecked("text", .string(text))
            entries.append(.object(entry))
            try FileSystem.writeAtomically(Self.render(entries), to: path)
            return (path, entries.count)
        }
    }

    /// The entries of a session's file; empty when there is none.
    public func entries(session: String) throws(LedgerError) -> [JSONValue] {
        try Identifiers.validateSession(session)
        return try Self.read(layout.guidanceFile(session: session)) ?? []
    }

    /// Every guidance file, sorted by name.
    public func files() -> [File] {
        FileSystem.list(layout.guidanceDirectory).compactMap { name -> File? in
            guard let session = Self.session(ofFileName: name) else { return nil }
            let path = "\(layout.guidanceDirectory)/\(name)"
            let array = try? Self.read(path)
            let last = array?.last?["ts"]?.stringValue
            return File(name: name, session: session, path: path, entries: array?.count, lastTimestamp: last)
        }
    }

    /// Finds an existing guidance file from what an operator typed: `guidance-<session>.json`, the
    /// same without `.json`, or a path ending in `logs/guidance/guidance-<session>.json`.
    ///
    /// - Throws: `invalidField` for anything else, `notFound` when there is no such file.
    public func file(named input: String) throws(LedgerError) -> File {
        var name = FileSystem.baseName(input)
        if !name.hasSuffix(".json") { name += ".json" }
        guard Self.session(ofFileName: name) != nil else {
            throw LedgerError(
                .invalidField,
                "\(Identifiers.quoted(input)) is not a guidance file: name one like guidance-<session>.json (see `agent-ledger guidance list`)"
            )
        }
        guard let file = files().first(where: { $0.name == name }) else {
            throw LedgerError(
                .notFound,
                "there is no guidance file \(name) in \(layout.guidanceDirectory) (see `agent-ledger guidance list`)"
            )
        }
        return file
    }

    /// The shell command an operator runs to delete a file; the ledger never runs it.
    public func deleteCommand(for file: File) -> String {
        "rm -- \(ShellQuoting.quote(file.path.hasPrefix("./") ? String(file.path.dropFirst(2)) : file.path))"
    }

    /// The session of `guidance-<session>.json`, or `nil` for any other name.
    public static func session(ofFileName name: String) -> String? {
        guard name.hasPrefix("guidance-"), name.hasSuffix(".json") else { return nil }
        let session = String(name.dropFirst("guidance-".count).dropLast(".json".count))
        return Identifiers.isValidSession(session) ? session : nil
    }

    /// The array in `path`, `nil` when there is no file.
    static func read(_ path: String) throws(LedgerError) -> [JSONValue]? {
        guard FileSystem.exists(path) else { return nil }
        let bytes = try FileSystem.readFile(path)
        let value: JSONValue
        do throws(LedgerError) { value = try JSONParser.parse(bytes) } catch {
            throw LedgerError(
                .invalidJSON,
                "\(path) is not valid JSON (\(error.message)): fix or move it; it was left as it is"
            )
        }
        guard let array = value.arrayValue else {
            throw LedgerError(.invalidJSON, "\(path) is not a JSON array: fix or move it; it was left as it is")
        }
        return array
    }

    /// One entry per line, so the file reads well and diffs well.
    static func render(_ entries: [JSONValue]) -> [UInt8] {
        var out = Array("[\n".utf8)
        for (i, e) in entries.enumerated() {
            out.append(contentsOf: "  ".utf8)
            JSONWriter.write(e, into: &out)
            out.append(contentsOf: (i == entries.count - 1 ? "\n" : ",\n").utf8)
        }
        out.append(contentsOf: "]\n".utf8)
        return out
    }
}
