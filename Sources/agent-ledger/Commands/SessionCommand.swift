import AgentLedger
import ArgumentParser
import Foundation

struct SessionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session",
        abstract: "List sessions and write their summaries.",
        discussion: """
            Examples:
              agent-ledger session list --agent cls
              agent-ledger session summarize 2025-11-16_cls_001
              agent-ledger session new --agent cls
            """,
        subcommands: [List.self, Summarize.self, New.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the sessions found in the ledger.",
            discussion: "Example:\n  agent-ledger session list --agent cls --json"
        )

        @Option(name: .long, help: "Only this agent.")
        var agent: String?

        @Flag(name: .long, help: "Print JSON for scripts.")
        var json = false

        @OptionGroup var options: LedgerOptions

        func run() async throws {
            try await runReportingErrors {
                let config = try await options.load()
                if let agent { try Identifiers.validateAgent(agent) }
                var malformed = 0
                let sessions = try SessionStore(layout: config.layout).list(agent: agent, malformedLines: &malformed)
                Terminal.warnMalformed(malformed, in: "the day files under \(config.layout.ledgerDirectory)")
                if json {
                    let rows: [JSONValue] = sessions.map { s in
                        [
                            "session": .string(s.session), "agent": .string(s.agent), "first_ts": .string(s.firstTS),
                            "last_ts": .string(s.lastTS), "events": .int(Int64(s.events)), "ended": .bool(s.ended),
                            "summary": s.summaryPath.map(JSONValue.string) ?? .null,
                        ]
                    }
                    print(JSONValue.array(rows).jsonString)
                    return
                }
                if sessions.isEmpty {
                    print("No sessions found under \(config.root).")
                    return
                }
                print(
                    Terminal.table(
                        ["SESSION", "AGENT", "FIRST EVENT", "LAST EVENT", "EVENTS", "ENDED", "SUMMARY"],
                        sessions.map {
                            [
                                $0.session, $0.agent, $0.firstTS, $0.lastTS, String($0.events), $0.ended ? "yes" : "no",
                                $0.summaryPath ?? "—",
                            ]
                        }
                    )
                )
            }
        }
    }

    struct Summarize: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write memory/<agent>/sessions/<session>.md from the session's events.",
            discussion: "Example:\n  agent-ledger session summarize 2025-11-16_cls_001"
        )

        @Argument(help: "The session id.")
        var session: String

        @Option(name: .long, help: "The agent (needed when the id is not YYYY-MM-DD_<agent>_NNN).")
        var agent: String?

        @OptionGroup var options: LedgerOptions

        func run() async throws {
            try await runReportingErrors {
                let config = try await options.load()
                var malformed = 0
                let path = try SessionStore(layout: config.layout).summarize(
                    session: session,
                    agent: agent,
                    malformedLines: &malformed
                )
                Terminal.warnMalformed(malformed, in: "the session's day files")
                print(path)
            }
        }
    }

    struct New: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Allocate the next session id YYYY-MM-DD_<agent>_NNN for an agent and print it.",
            discussion: "Example:\n  SESSION=$(agent-ledger session new --agent cls)"
        )

        @Option(name: .long, help: "The agent id.")
        var agent: String

        @OptionGroup var options: LedgerOptions

        func run() async throws {
            try await runReportingErrors {
                let config = try await options.load()
                let zone = try LedgerTimeZone.parse(config.timeZone)
                let id = try SessionAllocator(layout: config.layout).next(agent: agent, date: zone.localDate(of: .now))
                print(id)
            }
        }
    }
}
