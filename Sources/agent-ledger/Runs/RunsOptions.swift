import ArgumentParser
import LedgerCore
import LedgerGit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The options every `runs` subcommand takes.
struct RunsOptions: ParsableArguments {
    @Option(name: .long, help: "A folder inside the repository (default: the current folder).")
    var repo: String?

    @Flag(name: .long, help: "Print JSON for scripts.")
    var json = false

    /// The ledger of the chosen repository.
    func ledger() -> GitLedger {
        GitLedger(repository: repo ?? Self.currentDirectory())
    }

    static func currentDirectory() -> String {
        guard let cwd = getcwd(nil, 0) else { return "." }
        defer { free(cwd) }
        return String(cString: cwd)
    }
}

/// Runs a `runs` body; a bad run id, run or JSON input exits 64, any other failure exits 1.
func runRunsCommand(_ body: () async throws -> Void) async throws {
    try await runReportingErrors {
        do {
            try await body()
        } catch let error as LedgerError {
            let usage: Set<LedgerError.Code> = [.invalidRunID, .invalidRun, .invalidJSON, .notARepository]
            if usage.contains(error.code) { throw CLIError.usage(error.description) }
            throw error
        }
    }
}
