import AgentLedger
import ArgumentParser
import Foundation

/// Options every command that touches the ledger takes; flags win over the environment and the config file.
struct LedgerOptions: ParsableArguments {
    @Option(name: .long, help: "Ledger root folder (AGENT_LEDGER_ROOT; default: the current folder).")
    var root: String?

    @Option(name: .long, help: "Config file (AGENT_LEDGER_CONFIG; default: Config/agent-ledger.json if present).")
    var config: String?

    @Option(
        name: .long,
        help: "Zone of ts and day files: system, UTC, +07:00 or an IANA name (AGENT_LEDGER_TIME_ZONE)."
    )
    var timeZone: String?

    /// Extra overrides a command sets for itself (by file key).
    func load(_ extra: [String: String] = [:]) async throws -> LedgerConfiguration {
        var overrides = extra
        if let root { overrides[Setting.root.fileKey] = root }
        if let timeZone { overrides[Setting.timeZone.fileKey] = timeZone }
        return try await Self.configuration(overrides: overrides, configFile: config)
    }

    /// Loads the settings with `overrides` (by file key) over the environment and the config file.
    static func configuration(
        overrides: [String: String],
        configFile: String? = nil
    ) async throws -> LedgerConfiguration {
        do {
            return try await LedgerConfiguration.load(
                overrides: overrides,
                environment: ProcessInfo.processInfo.environment,
                configFile: configFile
            )
        } catch {
            throw CLIError.usage(error.description)
        }
    }
}

/// How a command fails: a one-line message on stderr and a non-zero exit.
enum CLIError: Error {
    /// Bad input: exit 64, nothing written.
    case usage(String)
    /// The work could not be done: exit 1.
    case failed(String)
}

/// Runs a command body, turning failures into one line on stderr and an exit code.
func runReportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as CLIError {
        switch error {
        case .usage(let message):
            Terminal.printError(message)
            throw ExitCode.validationFailure
        case .failed(let message):
            Terminal.printError(message)
            throw ExitCode.failure
        }
    } catch let error as LedgerError {
        Terminal.printError(error.description)
        let usage: Set<LedgerError.Code> = [
            .invalidAgentID, .invalidEventType, .unknownEventType, .invalidJSON, .invalidUTF8, .invalidNumber,
            .eventTooLarge, .invalidField, .invalidConfiguration,
        ]
        throw usage.contains(error.code) ? ExitCode.validationFailure : ExitCode.failure
    }
}
