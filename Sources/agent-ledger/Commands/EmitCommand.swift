import AgentLedger
import ArgumentParser
import Foundation

struct EmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emit",
        abstract: "Record one event (seed 003's wrapper for scripts).",
        discussion: """
            Exits 0 only once the line is in the agent's day file. Bad input exits 64 with a one-line
            error and writes nothing.

            Examples:
              agent-ledger emit task_start --agent cls --task wo-1 --summary "Layout SPEC"
              agent-ledger emit task_result --agent cls --task wo-1 --set status=success --set duration_sec=132
              agent-ledger emit health_check --agent ops --data '{"status":"HEALTHY","confidence":0.786}'
              agent-ledger emit info --agent cls --ts 2025-11-16T02:12:34+07:00 --summary "backfilled"
            """
    )

    @Argument(help: "The event type, like task_start, heartbeat or health_check.")
    var event: String

    @Option(name: .long, help: "The agent id ([a-z0-9][a-z0-9._-]{0,63}).")
    var agent: String

    @Option(name: .long, help: "The session id.")
    var session: String?

    @Option(name: .long, help: "The task id.")
    var task: String?

    @Option(name: .long, help: "What emitted it (default: agent-ledger-cli).")
    var source: String = "agent-ledger-cli"

    // Values are taken as given even when they start with "-" (a summary "- done", data -0).
    @Option(name: .long, parsing: .unconditional, help: "One line for people.")
    var summary: String?

    @Option(
        name: .long,
        parsing: .unconditional,
        help: "The data, as JSON (any value; an object when --set is used too)."
    )
    var data: String?

    @Option(
        name: .customLong("set"),
        help: "A data field key=value; the value is read as JSON when it parses, else as text. Repeatable."
    )
    var fields: [String] = []

    @Option(name: .long, help: "Seed 003's persona id.")
    var persona: String?

    @Option(name: .long, help: "Backfill: the event's time, ISO 8601 with an offset (2025-11-16T02:12:34.123+07:00).")
    var ts: String?

    @Flag(name: .long, help: "Print the written event's id, time and file as JSON.")
    var json = false

    @OptionGroup var options: LedgerOptions

    func run() async throws {
        try await runReportingErrors {
            let config = try await options.load()
            let ledger = try Ledger(configuration: config)
            var payload: JSONValue = [:]
            if let data {
                payload = try JSONParser.parse(data)
            }
            if !fields.isEmpty {
                guard var object = payload.objectValue else {
                    throw CLIError.usage("--set needs --data to be a JSON object")
                }
                for field in fields {
                    guard let eq = field.firstIndex(of: "="), eq != field.startIndex else {
                        throw CLIError.usage("--set \(Identifiers.quoted(field)) is not key=value")
                    }
                    let key = String(field[..<eq])
                    let text = String(field[field.index(after: eq)...])
                    object[key] = (try? JSONParser.parse(text)) ?? .string(text)
                }
                payload = .object(object)
            }
            var timestamp = Timestamp.now
            if let ts {
                guard let parsed = TimestampFormat.parseISO8601(ts) else {
                    throw CLIError.usage(
                        "--ts \(Identifiers.quoted(ts)) is not an ISO 8601 time with an offset, like 2025-11-16T02:12:34.123+07:00"
                    )
                }
                timestamp = parsed.timestamp
            }
            var e = LedgerEvent(
                timestamp: timestamp,
                agent: agent,
                type: event,
                sessionID: session,
                taskID: task,
                source: source,
                summary: summary,
                data: payload,
                personaID: persona
            )
            e.id = EventIDGenerator.shared.next(at: timestamp)
            try ledger.check(e)
            ledger.emit(e)
            let report = await ledger.shutdown()
            if !report.complete || report.statistics.written == 0 {
                let reason = ledger.lastWriteError?.description ?? "the ledger could not write it"
                throw CLIError.failed("the event was not written: \(reason)")
            }
            if json {
                var completed = e
                ledger.encoder.complete(&completed)
                let file = ledger.layout.dayFile(agent: agent, date: completed.localDate)
                let out: JSONValue = [
                    "id": .string(completed.id!.description), "ts": .string(completed.ts), "file": .string(file),
                ]
                print(out.jsonString)
            }
        }
    }
}
