import AgentLedger
import ArgumentParser

/// The filter options `stream` and `export` share.
struct ReadOptions: ParsableArguments {
    @Option(name: .long, help: "Events at or after this time: \(TimeArgument.help).")
    var since: String?

    @Option(name: .long, help: "Events at or before this time (same forms as --since).")
    var until: String?

    @Option(name: .long, help: "Only this agent (repeat for more).")
    var agent: [String] = []

    @Option(name: .long, help: "Only this event type (repeat for more).")
    var type: [String] = []

    /// The filter these options describe, with times read in the ledger's zone.
    func filter(_ config: LedgerConfiguration, now: Timestamp = .now) throws -> ScanFilter {
        let zone = try LedgerTimeZone.parse(config.timeZone)
        for a in agent { try Identifiers.validateAgent(a) }
        var f = ScanFilter(agents: Set(agent), types: Set(type))
        if let since { f.since = try TimeArgument.parse(since, option: "--since", zone: zone, now: now) }
        if let until { f.until = try TimeArgument.parse(until, option: "--until", zone: zone, now: now) }
        if let s = f.since, let u = f.until, u < s {
            throw CLIError.usage("--until (\(u)) is before --since (\(s)): nothing could match; swap them")
        }
        return f
    }
}

/// Says on stderr what a read skipped, once it is over.
func reportSkipped(malformed: Int, unreadable: [LedgerError]) {
    if malformed > 0 {
        Terminal.printStderr("agent-ledger: skipped \(malformed) malformed line\(malformed == 1 ? "" : "s")")
    }
    for e in unreadable {
        Terminal.printStderr("agent-ledger: could not read all of a file: \(e.description)")
    }
}
