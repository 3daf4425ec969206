import AgentLedger
import ArgumentParser

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy a telemetry buffer's lines into an agent's ledger, by their own timestamps.",
        discussion: """
            Each line goes into g/ledger/<agent>/YYYY-MM-DD.jsonl of its own ts. Running it again adds \
            nothing: a line's id comes from its bytes (or is the valid id it has), and ids already in \
            the day file or in state/migrated/<agent>.ids are skipped. Malformed lines are reported \
            with their numbers and skipped; the rest are copied. A progress bar is shown on a \
            terminal; a summary at the end. Exits 1 when some lines were malformed.

            Examples:
              agent-ledger migrate g/telemetry/cls_audit.jsonl --agent cls
              agent-ledger migrate /tmp/old_buffer.jsonl --agent andy --root /srv/ledger
            """
    )

    @Argument(help: "The telemetry buffer, a .jsonl file.")
    var file: String

    @Option(name: .long, help: "The agent whose ledger receives the lines.")
    var agent: String

    @Flag(name: .long, help: "Print the summary as JSON.")
    var json = false

    @OptionGroup var options: LedgerOptions

    func run() async throws {
        try await runReportingErrors {
            try Identifiers.validateAgent(agent)
            let config = try await options.load()
            let migration = TelemetryMigration(layout: config.layout, agent: agent, fsync: config.fsync)
            let report = try migration.run(source: file) { done, total in
                guard total > 0 else { return }
                let width = 30
                let filled = Int(Double(width) * Double(done) / Double(total))
                let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
                Terminal.progress("migrating [\(bar)] \(Int(100 * Double(done) / Double(total)))%")
            }
            Terminal.endProgress()
            for m in report.malformed.prefix(20) {
                Terminal.printStderr("\(file):\(m.line): skipped: \(m.reason)")
            }
            if report.malformed.count > 20 {
                Terminal.printStderr("… and \(report.malformed.count - 20) more malformed lines")
            }
            if json {
                let out: JSONValue = [
                    "lines": .int(Int64(report.lines)), "migrated": .int(Int64(report.migrated)),
                    "already_present": .int(Int64(report.alreadyPresent)), "blank": .int(Int64(report.blank)),
                    "malformed": .array(
                        report.malformed.map { ["line": .int(Int64($0.line)), "reason": .string($0.reason)] }
                    ),
                    "days": .object(
                        JSONObject(report.days.sorted { $0.key < $1.key }.map { ("\($0.key)", .int(Int64($0.value))) })
                    ),
                ]
                print(out.jsonString)
            } else {
                let days = report.days.keys.sorted().map { "\($0) (\(report.days[$0]!))" }.joined(separator: ", ")
                print(
                    "\(report.lines) lines: \(report.migrated) migrated, \(report.alreadyPresent) already in the ledger, "
                        + "\(report.malformed.count) malformed, \(report.blank) blank"
                )
                if !days.isEmpty { print("into \(config.layout.agentDirectory(agent)): \(days)") }
            }
            if !report.malformed.isEmpty { throw ExitCode.failure }
        }
    }
}
