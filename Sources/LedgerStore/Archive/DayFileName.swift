import LedgerCore

/// The name of a day file the ledger writes, and of its archive: `YYYY-MM-DD.jsonl`,
/// `YYYY-MM-DD.jsonl.gz`, and `YYYY-MM-DD.jsonl.gz.tmp` while an archive is being made.
///
/// A rotated one-file ledger (`AGI_LEDGER_PATH=…/ledger.jsonl`) names its days with the file's
/// stem in front: `ledger.2025-11-16.jsonl`; ``prefix`` is then `ledger.`.
public struct DayFileName: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Which of the three files of a day a name is.
    public enum Kind: Sendable, Hashable {
        /// `….jsonl`, the day as written.
        case plain
        /// `….jsonl.gz`, the day archived.
        case archive
        /// `….jsonl.gz.tmp`, an archive being written (or left by a crash).
        case temporary
    }

    /// Text before the date: empty for the ledger's own day files.
    public var prefix: String
    public var date: CivilDate
    public var kind: Kind

    public init(prefix: String = "", date: CivilDate, kind: Kind) {
        self.prefix = prefix
        self.date = date
        self.kind = kind
    }

    /// Parses a file name (not a path) that starts with `prefix`; `nil` for any other name.
    public init?(_ name: String, prefix: String = "") {
        guard name.hasPrefix(prefix) else { return nil }
        var rest = Substring(name).dropFirst(prefix.count)
        let kind: Kind
        if rest.hasSuffix(".jsonl.gz.tmp") {
            kind = .temporary
            rest = rest.dropLast(13)
        } else if rest.hasSuffix(".jsonl.gz") {
            kind = .archive
            rest = rest.dropLast(9)
        } else if rest.hasSuffix(".jsonl") {
            kind = .plain
            rest = rest.dropLast(6)
        } else {
            return nil
        }
        guard let date = CivilDate(rest) else { return nil }
        self.init(prefix: prefix, date: date, kind: kind)
    }

    /// The same day's file of another kind.
    public func with(_ kind: Kind) -> DayFileName {
        DayFileName(prefix: prefix, date: date, kind: kind)
    }

    /// The file name.
    public var description: String {
        switch kind {
        case .plain: "\(prefix)\(date).jsonl"
        case .archive: "\(prefix)\(date).jsonl.gz"
        case .temporary: "\(prefix)\(date).jsonl.gz.tmp"
        }
    }

    public static func < (lhs: DayFileName, rhs: DayFileName) -> Bool {
        (lhs.date, lhs.prefix, lhs.kind.order) < (rhs.date, rhs.prefix, rhs.kind.order)
    }
}

extension DayFileName.Kind {
    /// An archive holds a day's earlier lines, a plain file beside it the later ones.
    var order: Int {
        switch self {
        case .archive: 0
        case .plain: 1
        case .temporary: 2
        }
    }
}

/// A folder of day files, and the prefix its day files' names start with.
public struct DayFileFolder: Sendable, Hashable {
    public var path: String
    public var prefix: String

    public init(path: String, prefix: String = "") {
        self.path = path
        self.prefix = prefix
    }

    /// The day files in the folder, oldest first (a day's archive before its plain file).
    public func files() -> [DayFileName] {
        FileSystem.list(path).compactMap { DayFileName($0, prefix: prefix) }.sorted()
    }

    /// The full path of one of its files.
    public func path(of name: DayFileName) -> String { "\(path)/\(name)" }
}

extension LedgerLayout {
    /// Every folder that holds day files the ledger writes: `g/ledger/<agent>/`, `agents/<agent>/`,
    /// `agents/<agent>/commands/`, `state/events/` and the folders right under it, and — when
    /// `ledgerPath` is set — the rotated days `<stem>.YYYY-MM-DD.jsonl` beside that one file.
    ///
    /// Folders that do not exist are left out, and so are folders reached through a symlink inside the
    /// root (archiving them would compress and remove files outside it); folders are found by name, the
    /// files in them by the day-file name pattern, so any folder of this layout works.
    public func dayFileFolders(ledgerPath: String? = nil) -> [DayFileFolder] {
        var folders: [DayFileFolder] = []
        func add(_ path: String) {
            if FileSystem.isRealDirectory(path, under: root) { folders.append(DayFileFolder(path: path)) }
        }
        for agent in agents() { add(agentDirectory(agent)) }
        for agent in FileSystem.list("\(root)/agents") where Identifiers.isValidAgent(agent) {
            add(agentStateDirectory(agent))
            add(commandsDirectory(agent: agent))
        }
        let events = globalEventsDirectory
        add(events)
        for name in FileSystem.list(events) where !name.hasPrefix(".") { add("\(events)/\(name)") }
        if let ledgerPath, ledgerPath.hasSuffix(".jsonl") {
            let base = FileSystem.baseName(ledgerPath)
            let dir = FileSystem.parentPath(ledgerPath)
            if FileSystem.isDirectory(dir) {
                folders.append(DayFileFolder(path: dir, prefix: "\(base.dropLast(6))."))
            }
        }
        return folders
    }
}
