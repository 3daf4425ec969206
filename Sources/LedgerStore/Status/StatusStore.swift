import LedgerCore

/// Reads and replaces `agents/<agent>/status.json`.
///
/// Updates are read-modify-write under a `flock` shared by all processes, and the file is
/// replaced atomically, so a reader never sees half a file and two writers never lose each
/// other's update.
public struct StatusStore: Sendable {
    public let layout: LedgerLayout
    /// How long an update waits for another process's hold on the lock, in seconds.
    public var lockWait: Double

    public init(layout: LedgerLayout, lockWait: Double = FileLock.defaultWait) {
        self.layout = layout
        self.lockWait = lockWait
    }

    /// The agent's status, or `nil` if it has none yet.
    public func read(agent: String) throws(LedgerError) -> AgentStatus? {
        let path = layout.statusFile(agent: agent)
        guard FileSystem.exists(path) else { return nil }
        let bytes = try FileSystem.readFile(path)
        guard case .object(let o) = try JSONParser.parse(bytes) else {
            throw LedgerError(.invalidJSON, "\(path) is not a JSON object")
        }
        return try AgentStatus(o)
    }

    /// Every agent's status, sorted by agent.
    public func readAll() -> [AgentStatus] {
        layout.agentsWithStatus().compactMap { try? read(agent: $0) }
    }

    /// Applies events to the agent's status and writes it once. Events that change nothing write nothing.
    ///
    /// - Parameter events: the agent's status-relevant events, oldest first.
    public func apply(agent: String, events: [LedgerEvent]) throws(LedgerError) {
        guard events.contains(where: { AgentStatus.isStatusRelevant($0.type) || $0.sessionID != nil }) else { return }
        try FileLock.withLock(
            path: "\(layout.agentStateDirectory(agent))/.status.lock",
            under: layout.root,
            waitingAtMost: lockWait
        ) { () throws(LedgerError) in
            let old = (try? read(agent: agent)) ?? nil
            var status = old ?? AgentStatus(agent: agent)
            for e in events { status.apply(e) }
            if status == old { return }
            var bytes: [UInt8] = []
            JSONWriter.writeObject(status.jsonObject, into: &bytes)
            bytes.append(UInt8(ascii: "\n"))
            try FileSystem.writeAtomically(bytes, to: layout.statusFile(agent: agent), under: layout.root)
            // A process killed mid-replace leaves its temporary file; the next writer clears it.
            FileSystem.removeAbandonedTemporaryFiles(for: layout.statusFile(agent: agent))
        }
    }
}
