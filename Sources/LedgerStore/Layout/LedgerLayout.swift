import LedgerCore

/// Where everything lives under the ledger root: the one place paths are built.
///
/// ```
/// g/ledger/<agent>/YYYY-MM-DD.jsonl      agents' day files
/// agents/<agent>/status.json             status snapshots
/// memory/<agent>/sessions/<session>.md   session summaries
/// agents/<agent>/commands/YYYY-MM-DD.jsonl  command chronicles (seed 001 §4)
/// state/events/YYYY-MM-DD.jsonl          the optional global event stream (seed 001 §2)
/// state/approvals.json                   the latest approval preference per integration
/// logs/guidance/guidance-<session>.json  guidance logs (seed 001 §5)
/// ```
public struct LedgerLayout: Sendable, Hashable {
    /// The ledger root, without a trailing slash.
    public let root: String

    public init(root: String) {
        var r = root.isEmpty ? "." : root
        while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
        self.root = r
    }

    /// `g/ledger`.
    public var ledgerDirectory: String { "\(root)/g/ledger" }

    /// `g/ledger/<agent>`.
    public func agentDirectory(_ agent: String) -> String { "\(ledgerDirectory)/\(agent)" }

    /// `g/ledger/<agent>/YYYY-MM-DD.jsonl`.
    public func dayFile(agent: String, date: CivilDate) -> String {
        "\(agentDirectory(agent))/\(date).jsonl"
    }

    /// `agents/<agent>`.
    public func agentStateDirectory(_ agent: String) -> String { "\(root)/agents/\(agent)" }

    /// `agents/<agent>/status.json`.
    public func statusFile(agent: String) -> String { "\(agentStateDirectory(agent))/status.json" }

    /// `agents/<agent>/sessions.counter`: the per-day session number, shared by processes.
    public func sessionCounterFile(agent: String) -> String { "\(agentStateDirectory(agent))/sessions.counter" }

    /// `agents/<agent>/commands`: the agent's command chronicle, one `YYYY-MM-DD.jsonl` per day.
    public func commandsDirectory(agent: String) -> String { "\(agentStateDirectory(agent))/commands" }

    /// `agents/<agent>/commands/YYYY-MM-DD.jsonl`.
    public func commandChronicleFile(agent: String, date: CivilDate) -> String {
        "\(commandsDirectory(agent: agent))/\(date).jsonl"
    }

    /// `state`: files the ledger keeps for itself.
    public var stateDirectory: String { "\(root)/state" }

    /// `state/events`: the global event stream, one `YYYY-MM-DD.jsonl` per day.
    public var globalEventsDirectory: String { "\(stateDirectory)/events" }

    /// `state/approvals.json`: the latest approval preference per integration.
    public var approvalsFile: String { "\(stateDirectory)/approvals.json" }

    /// `logs/guidance`.
    public var guidanceDirectory: String { "\(root)/logs/guidance" }

    /// `logs/guidance/guidance-<session>.json`.
    public func guidanceFile(session: String) -> String { "\(guidanceDirectory)/guidance-\(session).json" }

    /// `memory/<agent>/sessions`.
    public func sessionsDirectory(agent: String) -> String { "\(root)/memory/\(agent)/sessions" }

    /// `memory/<agent>/sessions/<session>.md`.
    public func sessionSummaryFile(agent: String, session: String) -> String {
        "\(sessionsDirectory(agent: agent))/\(session).md"
    }

    /// The agents that have a ledger folder, sorted.
    public func agents() -> [String] {
        FileSystem.list(ledgerDirectory).filter {
            Identifiers.isValidAgent($0) && FileSystem.isRealDirectory(agentDirectory($0), under: root)
        }
    }

    /// The agents that have a status file, sorted.
    public func agentsWithStatus() -> [String] {
        FileSystem.list("\(root)/agents").filter {
            Identifiers.isValidAgent($0) && FileSystem.exists(statusFile(agent: $0))
        }
    }

    /// The dates of an agent's day files, plain or archived (`.jsonl.gz`), oldest first.
    public func days(agent: String) -> [CivilDate] {
        var dates: [CivilDate] = []
        for name in DayFileFolder(path: agentDirectory(agent)).files() where name.kind != .temporary {
            if dates.last != name.date { dates.append(name.date) }
        }
        return dates
    }
}
