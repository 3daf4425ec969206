import ArgumentParser
import LedgerCore
import LedgerGit

/// `agent-ledger runs record`.
struct RunsRecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record a run: commit it on scp-ledger and tag main's HEAD with scp/run/<run_id>.",
        discussion: """
            In a repository without commits the tag waits for the first commit and is made by the next record \
            or push.

            Examples:
              agent-ledger runs record --type apply --subtype k8s:apply --status ok --summary "Applied 3 resources"
              agent-ledger runs record --type detect --events events.jsonl --metadata '{"files":42}' --json
            """
    )

    @Option(name: .long, help: "The operation type: [a-z0-9][a-z0-9._:-]{0,63}, e.g. detect, apply.")
    var type: String

    @Option(name: .long, help: "A more specific kind, e.g. k8s:apply.")
    var subtype = ""

    @Option(name: .long, help: "ok, failed or partial.")
    var status = "ok"

    @Option(name: .long, help: "A one-line summary for people.")
    var summary = ""

    @Option(name: .long, help: "A JSON Lines file of the run's events, one object a line ('-' reads stdin).")
    var events: String?

    @Option(name: .long, help: "A JSON object of extra fields.")
    var metadata: String?

    @Option(name: .long, help: "The environment it ran in, e.g. staging.")
    var environment = ""

    @Option(name: .customLong("module"), help: "A module the run affected (repeatable).")
    var modules: [String] = []

    @Option(name: .long, help: "How long the run took, in milliseconds; it is taken to have ended now.")
    var durationMs: Int64 = 0

    @OptionGroup var options: RunsOptions

    func run() async throws {
        try await runRunsCommand {
            guard let status = RunStatus(rawValue: status) else {
                throw CLIError.usage("--status \"\(status)\" is invalid: use ok, failed or partial")
            }
            var meta = JSONObject()
            if let metadata {
                guard let object = try JSONParser.parse(metadata).objectValue else {
                    throw CLIError.usage("--metadata must be a JSON object, like '{\"files\":42}'")
                }
                meta = object
            }
            let eventList = try events.map(RunsInput.readEvents) ?? []
            let run = Run(
                type: type,
                subtype: subtype,
                status: status,
                summary: summary,
                environment: environment,
                modulesAffected: modules,
                metadata: meta,
                durationMs: durationMs
            )
            try run.validate()
            let ledger = options.ledger()
            let recorded = try await ledger.recordRun(run, events: eventList)
            if options.json {
                print(JSONValue.object(recorded.json).jsonString)
            } else if recorded.codeRef.isEmpty {
                print("\(recorded.runID) recorded; its tag waits for the first commit on main")
            } else {
                print(
                    "\(recorded.runID) recorded; tagged \(RunID.tagName(recorded.runID)) on \(recorded.codeRef.prefix(12))"
                )
            }
        }
    }
}
