import AgentLedger
import ArgumentParser

struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show one event by its id, or the events around a time.",
        discussion: """
            Given an event id, prints that event as indented JSON (with --json, its line as stored). Given
            a time, prints --context events before it, the first event at or after it (marked `>`), and
            --context events after that.

            Examples:
              agent-ledger inspect 01JD5M7R8K2Q4W6Y8A0C2E4G6J
              agent-ledger inspect 2025-11-16T02:12:34+07:00 --context 10
              agent-ledger inspect 5m --agent cls
            """
    )

    @Argument(help: "An event id, or a time: \(TimeArgument.help).")
    var target: String

    @Option(name: .long, help: "Events to show before and after the time.")
    var context: Int = 5

    @Option(name: .long, help: "Only this agent (repeat for more).")
    var agent: [String] = []

    @Flag(name: .long, help: "Print JSON lines as stored.")
    var json = false

    @OptionGroup var options: LedgerOptions

    func validate() throws {
        guard (0...10000).contains(context) else { throw ValidationError("--context must be between 0 and 10000") }
    }

    func run() async throws {
        try await runReportingErrors {
            let config = try await options.load()
            for a in agent { try Identifiers.validateAgent(a) }
            let layout = config.layout
            if let id = EventID(target) {
                // The id carries its time: look a day either side first, then everywhere.
                let at = Timestamp(milliseconds: id.milliseconds)
                let near = ScanFilter(
                    since: at.adding(seconds: -86400),
                    until: at.adding(seconds: 86400),
                    agents: Set(agent)
                )
                var scanner = LedgerScanner(layout: layout, filter: near)
                var found = try Self.find(id, scanner)
                if found == nil {
                    scanner = LedgerScanner(layout: layout, filter: ScanFilter(agents: Set(agent)))
                    found = try Self.find(id, scanner)
                }
                guard let found else {
                    throw CLIError.failed("no event with id \(id) under \(config.root)")
                }
                if json {
                    print(String(decoding: found.line, as: UTF8.self))
                } else {
                    print(Self.pretty(found))
                }
                reportSkipped(malformed: scanner.malformedLines, unreadable: scanner.unreadableFiles)
                return
            }
            let zone = try LedgerTimeZone.parse(config.timeZone)
            let time = try TimeArgument.parse(target, option: "inspect", zone: zone, now: .now)
            // Events before the time come from the day files around it; keep only the last few.
            let scanner = LedgerScanner(
                layout: layout,
                filter: ScanFilter(since: time.adding(seconds: -86400 * 2), agents: Set(agent))
            )
            var before: [ScannedEvent] = []
            var after: [ScannedEvent] = []
            try scanner.scan { e in
                if e.event.timestamp < time {
                    before.append(e)
                    if before.count > context { before.removeFirst() }
                    return true
                }
                after.append(e)
                return after.count < context + 1
            }
            if before.isEmpty && after.isEmpty {
                throw CLIError.failed("no events near \(time) under \(config.root)")
            }
            for e in before {
                print(
                    json
                        ? String(decoding: e.line, as: UTF8.self)
                        : "  " + EventView.line(e.event, color: Terminal.useColor)
                )
            }
            for (i, e) in after.enumerated() {
                if json {
                    print(String(decoding: e.line, as: UTF8.self))
                } else {
                    print((i == 0 ? "> " : "  ") + EventView.line(e.event, color: Terminal.useColor))
                }
            }
            reportSkipped(malformed: scanner.malformedLines, unreadable: scanner.unreadableFiles)
        }
    }

    static func find(_ id: EventID, _ scanner: LedgerScanner) throws -> ScannedEvent? {
        var found: ScannedEvent?
        try scanner.scan { e in
            if e.event.id == id {
                found = e
                return false
            }
            return true
        }
        return found
    }

    /// The event's JSON, indented, and the file it is in.
    static func pretty(_ e: ScannedEvent) -> String {
        var lines: [String] = ["file: \(e.path)"]
        if case .object(let o)? = try? JSONParser.parse(e.line) {
            lines.append("{")
            let members = Array(o)
            for (i, (k, v)) in members.enumerated() {
                lines.append("  \(JSONValue.string(k).jsonString): \(v.jsonString)\(i + 1 < members.count ? "," : "")")
            }
            lines.append("}")
        } else {
            lines.append(String(decoding: e.line, as: UTF8.self))
        }
        return lines.joined(separator: "\n")
    }
}
