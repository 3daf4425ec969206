import LedgerCore

/// An agent's command chronicle (seed 001 §4): `agents/<agent>/commands/YYYY-MM-DD.jsonl`, one line
/// per failed or suspicious command, append-only like the ledger itself.
///
/// A line is the event's own line (same id, `ts`, `data`) with a `narrative` sentence added, so that
/// a person reading the chronicle and a tool joining it with the ledger both find what they need.
public struct CommandChronicle: Sendable {
    public let layout: LedgerLayout
    public let fsync: FsyncPolicy

    public init(layout: LedgerLayout, fsync: FsyncPolicy = .none) {
        self.layout = layout
        self.fsync = fsync
    }

    /// Appends `event` (already stamped with its id and offset) with its narrative sentence.
    ///
    /// - Returns: the path of the day file written.
    /// - Throws: `LedgerError` when the file cannot be written; nothing partial is left behind.
    @discardableResult
    public func append(_ event: LedgerEvent, narrative: String) throws(LedgerError) -> String {
        try Identifiers.validateAgent(event.agent)
        var record = event
        record.extra["narrative"] = .string(narrative)
        var line: [UInt8] = []
        EventLine.write(record, into: &line)
        let writer = DayFileWriter(directory: layout.commandsDirectory(agent: event.agent), fsyncPolicy: fsync)
        do throws(AppendFailure) {
            try writer.append(line, date: event.localDate)
        } catch {
            throw error.error
        }
        return writer.dayFile(for: event.localDate)
    }
}
