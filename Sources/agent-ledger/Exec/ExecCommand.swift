import AgentLedger
import ArgumentParser

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct ExecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a command, pass its output through, and record an agent.error when it fails.",
        discussion: """
            The command's stdout and stderr are passed through unchanged as they come, and agent-ledger \
            exits with the command's exit code (or is ended by the same signal). When a line contains \
            ERROR, FAIL, Exception or Traceback (--pattern or AGENT_LEDGER_ERROR_PATTERNS to change \
            them) or the exit code is not 0, it emits agent.error (data: command, stderr, exit_code, \
            resolution) and appends the same record, with a narrative sentence, to \
            agents/<agent>/commands/YYYY-MM-DD.jsonl. Otherwise it records nothing.

            Examples:
              agent-ledger exec --agent build -- npm run build
              agent-ledger exec --agent build --resolution "npm install" -- npm run build
              agent-ledger exec --agent ops --pattern panic --pattern FATAL -- ./deploy.sh
            """
    )

    @Option(name: .long, help: "The agent id ([a-z0-9][a-z0-9._-]{0,63}).")
    var agent: String

    @Option(name: .long, parsing: .unconditional, help: "What fixed it (payload.resolution).")
    var resolution: String?

    @Option(name: .long, help: "The session id.")
    var session: String?

    @Option(
        name: .customLong("pattern"),
        help: "Text that marks an error line (repeatable; replaces the configured patterns)."
    )
    var patterns: [String] = []

    @OptionGroup var options: LedgerOptions

    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.")
    var command: [String] = []

    func run() async throws {
        var ledger: Ledger?
        var detectorConfiguration = ErrorDetector.Configuration()
        try await runReportingErrors {
            guard !command.isEmpty else {
                throw CLIError.usage("name the command after --, like: agent-ledger exec --agent build -- make")
            }
            try Identifiers.validateAgent(agent)
            if let session { try Identifiers.validateSession(session) }
            if patterns.contains(where: \.isEmpty) { throw CLIError.usage("--pattern cannot be empty") }
            let config = try await options.load()
            detectorConfiguration.patterns = patterns.isEmpty ? config.errorPatterns : patterns
            ledger = try Ledger(configuration: config)
        }
        guard let ledger else { return }

        var outcome: CommandOutcome
        do throws(SpawnFailure) {
            let result = try WatchedChild.run(command, detector: ErrorDetector(configuration: detectorConfiguration))
            outcome = CommandOutcome(
                arguments: command,
                exitCode: result.exitCode,
                signal: result.signal,
                detector: result.detector,
                resolution: resolution,
                durationSeconds: result.seconds
            )
        } catch {
            let message = "cannot run \(Identifiers.quoted(command[0])): \(error.reason)"
            Terminal.printError(message)
            var detector = ErrorDetector(configuration: detectorConfiguration)
            detector.observe(line: message, from: .stderr)
            outcome = CommandOutcome(
                arguments: command,
                exitCode: error.exitCode,
                detector: detector,
                resolution: resolution
            )
        }

        if outcome.isError {
            let event = outcome.event(agent: agent, sessionID: session, encoder: ledger.encoder)
            ledger.emit(event)
            do throws(LedgerError) {
                try CommandChronicle(layout: ledger.layout, fsync: ledger.configuration.fsync)
                    .append(event, narrative: outcome.narrative(agent: agent))
            } catch {
                Terminal.printError("the command chronicle was not written: \(error.description)")
            }
            let report = await ledger.shutdown()
            if !report.complete || report.statistics.written == 0 {
                let reason = ledger.lastWriteError?.description ?? "the ledger could not write it"
                Terminal.printError("agent.error was not written: \(reason)")
            }
        } else {
            _ = await ledger.shutdown()
        }

        if let sig = outcome.signal {
            // End the way the command ended, so a shell or supervisor sees the same status.
            signal(sig, SIG_DFL)
            var set = sigset_t()
            sigemptyset(&set)
            sigaddset(&set, sig)
            sigprocmask(SIG_UNBLOCK, &set, nil)
            raise(sig)
        }
        throw ExitCode(outcome.exitCode)
    }
}
