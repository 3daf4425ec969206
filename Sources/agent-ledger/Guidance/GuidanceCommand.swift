import AgentLedger
import ArgumentParser

/// `agent-ledger guidance …`: seed 001 §5's guidance logs.
struct GuidanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guidance",
        abstract: "Keep guidance logs: logs/guidance/guidance-<session>.json, one JSON array per session.",
        discussion: """
            Each operation is also an event in the ledger (guidance.append, guidance.list, \
            guidance.delete.requested), by the agent bookkeeper unless --agent says otherwise. \
            Guidance files are never deleted by agent-ledger: delete prints the command to run.

            Examples:
              agent-ledger guidance append --session session-abc "Prefer small commits"
              agent-ledger guidance list
              agent-ledger guidance delete guidance-session-abc.json
            """,
        subcommands: [GuidanceAppendCommand.self, GuidanceListCommand.self, GuidanceDeleteCommand.self]
    )
}

/// Options of every guidance command.
struct GuidanceOptions: ParsableArguments {
    @Option(name: .long, help: "The agent the event is recorded for (default: bookkeeper).")
    var agent: String = "bookkeeper"

    @OptionGroup var ledger: LedgerOptions
}

struct GuidanceAppendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append an instruction to a session's guidance log and emit guidance.append."
    )

    @Option(name: .long, help: "The session id ([A-Za-z0-9][A-Za-z0-9._:-]{0,127}).")
    var session: String

    @Argument(help: "The instruction.")
    var text: String

    @OptionGroup var options: GuidanceOptions

    func run() async throws {
        try await runReportingErrors {
            try Identifiers.validateAgent(options.agent)
            try Identifiers.validateSession(session)
            let config = try await options.ledger.load()
            let ledger = try Ledger(configuration: config)
            let log = GuidanceLog(layout: ledger.layout)
            var data = JSONObject()
            data.appendUnchecked("session", .string(session))
            data.appendUnchecked("text", .string(text))
            data.appendUnchecked("file", .string(ledger.layout.guidanceFile(session: session)))
            let event = ledger.stampedEvent(
                "guidance.append",
                agent: options.agent,
                sessionID: session,
                summary: text.count > 120 ? String(text.prefix(119)) + "…" : text,
                data: data
            )
            try ledger.check(event)
            let written = try log.append(session: session, text: text, agent: options.agent, ts: event.ts)
            try await ledger.record(event)
            print("\(written.path): \(written.entries) \(written.entries == 1 ? "entry" : "entries")")
        }
    }
}

struct GuidanceListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the guidance files and emit guidance.list."
    )

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    @OptionGroup var options: GuidanceOptions

    func run() async throws {
        try await runReportingErrors {
            try Identifiers.validateAgent(options.agent)
            let config = try await options.ledger.load()
            let ledger = try Ledger(configuration: config)
            let files = GuidanceLog(layout: ledger.layout).files()
            var data = JSONObject()
            data.appendUnchecked("count", .int(Int64(files.count)))
            data.appendUnchecked("files", .array(files.map { .string($0.name) }))
            try await ledger.record(
                ledger.stampedEvent(
                    "guidance.list",
                    agent: options.agent,
                    summary: "\(files.count) guidance \(files.count == 1 ? "file" : "files")",
                    data: data
                )
            )
            if json {
                print(
                    JSONValue.array(
                        files.map { f in
                            [
                                "file": .string(f.name), "session": .string(f.session), "path": .string(f.path),
                                "entries": f.entries.map { .int(Int64($0)) } ?? .null,
                                "last_ts": f.lastTimestamp.map { .string($0) } ?? .null,
                            ]
                        }
                    ).jsonString
                )
                return
            }
            if files.isEmpty {
                print("No guidance files yet. Add one with: agent-ledger guidance append --session S \"TEXT\"")
                return
            }
            print(
                Terminal.table(
                    ["FILE", "ENTRIES", "LAST"],
                    files.map { [$0.name, $0.entries.map(String.init) ?? "unreadable", $0.lastTimestamp ?? "-"] }
                )
            )
        }
    }
}

struct GuidanceDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Emit guidance.delete.requested and print the rm command to run; deletes nothing."
    )

    @Argument(help: "The file: guidance-<session>.json (as `guidance list` shows it).")
    var file: String

    @OptionGroup var options: GuidanceOptions

    func run() async throws {
        try await runReportingErrors {
            try Identifiers.validateAgent(options.agent)
            let config = try await options.ledger.load()
            let ledger = try Ledger(configuration: config)
            let log = GuidanceLog(layout: ledger.layout)
            let found = try log.file(named: file)
            let command = log.deleteCommand(for: found)
            var data = JSONObject()
            data.appendUnchecked("file", .string(found.name))
            data.appendUnchecked("path", .string(found.path))
            data.appendUnchecked("command", .string(command))
            try await ledger.record(
                ledger.stampedEvent(
                    "guidance.delete.requested",
                    agent: options.agent,
                    sessionID: found.session,
                    summary: "delete of \(found.name) requested",
                    data: data
                )
            )
            print(command)
            Terminal.printStderr("Nothing was deleted. To delete the file, run the command above.")
        }
    }
}
