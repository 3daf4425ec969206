public import LedgerCore
import Subprocess

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

#if canImport(SystemPackage)
import SystemPackage
#else
import System
#endif

/// Runs git with an argument array, never through a shell, in an environment that the caller's
/// own git settings cannot redirect.
///
/// Every command gets:
/// - the inherited environment without the variables that point git at another repository, index
///   or work tree (`GIT_DIR`, `GIT_WORK_TREE`, `GIT_INDEX_FILE`, … — see ``clearedVariables``),
///   so a ledger call made from inside a git hook still writes to the right place;
/// - `GIT_TERMINAL_PROMPT=0`, so a remote that wants a password fails instead of hanging;
/// - `LC_ALL=C`, so the few messages the ledger reads are in one language;
/// - `-c core.hooksPath=/dev/null -c commit.gpgsign=false -c tag.gpgsign=false`, so the user's
///   hooks never run for ledger commits and nothing asks for a signing key;
/// - ``extraConfiguration``: a fallback identity when the repository has none.
///
/// Standard input is `/dev/null` unless `input` is given.
public struct GitRunner: Sendable {
    /// Variables that redirect git to another repository, index, object store or work tree,
    /// or change how it reads pathspecs and configuration. They are removed from every command's
    /// environment. (`git rev-parse --local-env-vars` lists most of them.)
    public static let clearedVariables: [String] = [
        "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_IMPLICIT_WORK_TREE", "GIT_GRAFT_FILE",
        "GIT_NO_REPLACE_OBJECTS", "GIT_REPLACE_REF_BASE", "GIT_PREFIX", "GIT_INTERNAL_SUPER_PREFIX",
        "GIT_SHALLOW_FILE", "GIT_NAMESPACE", "GIT_QUARANTINE_PATH", "GIT_CONFIG", "GIT_CONFIG_PARAMETERS",
        "GIT_CONFIG_COUNT", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_LITERAL_PATHSPECS",
        "GIT_GLOB_PATHSPECS", "GIT_NOGLOB_PATHSPECS", "GIT_ICASE_PATHSPECS", "GIT_CEILING_DIRECTORIES",
        "GIT_DISCOVERY_ACROSS_FILESYSTEM",
    ]

    /// Configuration passed as `-c` before every subcommand.
    public static let fixedConfiguration: [String] = [
        "core.hooksPath=/dev/null", "commit.gpgsign=false", "tag.gpgsign=false", "tag.forceSignAnnotated=false",
    ]

    /// The git executable: a name looked up in `PATH`, or an absolute path. Default `git`.
    public let executable: String
    /// `executable` found in `PATH` once, when the runner is made: starting a process by name would try
    /// every `PATH` folder with a failing exec first, a few milliseconds per command.
    private let resolvedPath: String?
    /// More `key=value` settings passed as `-c` to every command (the fallback identity goes here).
    public var extraConfiguration: [String]
    /// More environment variables for every command, set after the cleared ones are removed
    /// (tests point `HOME` at an empty folder here). Default none.
    public var environment: [String: String]
    /// The most standard output kept from one command. Default 512 MiB.
    public var outputLimit: Int

    public init(
        executable: String = "git",
        extraConfiguration: [String] = [],
        environment: [String: String] = [:],
        outputLimit: Int = 512 << 20
    ) {
        self.executable = executable
        self.resolvedPath = Self.lookUp(executable)
        self.extraConfiguration = extraConfiguration
        self.environment = environment
        self.outputLimit = outputLimit
    }

    /// Runs `git -C directory <arguments>` and returns what it printed, whatever its exit status.
    ///
    /// - Parameters:
    ///   - arguments: the subcommand and its arguments, one element each; values that could start
    ///     with `-` must follow `--end-of-options` or `--`.
    ///   - directory: the folder git runs in (`-C`).
    ///   - input: bytes for git's standard input; `nil` gives it `/dev/null`.
    ///   - ceiling: a folder git must not climb into while looking for a repository
    ///     (`GIT_CEILING_DIRECTORIES`), so a command meant for a linked worktree whose `.git` file
    ///     is missing fails instead of running in the enclosing repository.
    /// - Throws: ``LedgerError/Code/gitFailed`` only when git cannot be started at all.
    public func run(
        _ arguments: [String],
        in directory: String,
        input: [UInt8]? = nil,
        ceiling: String? = nil
    ) async throws(LedgerError) -> GitOutput {
        var overrides: [Environment.Key: String?] = [:]
        for name in Self.clearedVariables {
            if let key = Environment.Key(rawValue: name) { overrides[key] = String?.none }
        }
        overrides["GIT_TERMINAL_PROMPT"] = "0"
        overrides["GIT_EDITOR"] = ":"
        overrides["LC_ALL"] = "C"
        for (name, value) in environment {
            if let key = Environment.Key(rawValue: name) { overrides[key] = value }
        }
        if let ceiling { overrides["GIT_CEILING_DIRECTORIES"] = ceiling }

        var full: [String] = ["-C", directory]
        for setting in Self.fixedConfiguration + extraConfiguration {
            full.append("-c")
            full.append(setting)
        }
        full.append(contentsOf: arguments)

        let exe: Executable = resolvedPath.map { .path(FilePath($0)) } ?? .name(executable)
        let environment = Environment.inherit.updating(overrides)
        do {
            let result: ExecutionResult<Void, BytesOutput, StringOutput<UTF8>>
            if let input {
                result = try await Subprocess.run(
                    exe,
                    arguments: Arguments(full),
                    environment: environment,
                    input: .array(input),
                    output: .bytes(limit: outputLimit),
                    error: .string(limit: 4 << 20)
                )
            } else {
                result = try await Subprocess.run(
                    exe,
                    arguments: Arguments(full),
                    environment: environment,
                    output: .bytes(limit: outputLimit),
                    error: .string(limit: 4 << 20)
                )
            }
            let status: Int32
            switch result.terminationStatus {
            case .exited(let code): status = Int32(code)
            case .signaled(let signal): status = 128 + Int32(signal)
            }
            return GitOutput(status: status, stdout: result.standardOutput, stderr: result.standardError)
        } catch {
            throw LedgerError(
                .gitFailed,
                "cannot run \(executable) \(arguments.first ?? ""): is git installed and in PATH?",
                cause: String(describing: error)
            )
        }
    }

    /// The absolute path of `name`: itself when it holds a `/`, else the first executable file of that name
    /// in a `PATH` folder; `nil` when there is none.
    static func lookUp(_ name: String) -> String? {
        if name.contains("/") { return name }
        guard let path = getenv("PATH").map({ String(cString: $0) }) else { return nil }
        for folder in path.split(separator: ":") where folder.hasPrefix("/") {
            let candidate = "\(folder)/\(name)"
            var st = stat()
            if stat(candidate, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }

    /// Runs git and returns its output, or throws ``LedgerError/Code/gitFailed`` with git's stderr
    /// when it exits with a non-zero status.
    @discardableResult
    public func check(
        _ arguments: [String],
        in directory: String,
        input: [UInt8]? = nil,
        ceiling: String? = nil
    ) async throws(LedgerError) -> GitOutput {
        let output = try await run(arguments, in: directory, input: input, ceiling: ceiling)
        guard output.succeeded else { throw Self.failure(arguments, output) }
        return output
    }

    /// The error for a git command that exited with a non-zero status.
    public static func failure(_ arguments: [String], _ output: GitOutput) -> LedgerError {
        let words = arguments.prefix(3).joined(separator: " ")
        let stderr = output.stderr.trimmingWhitespaceAndNewlines
        return LedgerError(
            .gitFailed,
            "git \(words) failed with status \(output.status)",
            cause: stderr.isEmpty ? nil : stderr
        )
    }
}

extension String {
    /// The text without leading and trailing spaces, tabs and line breaks.
    var trimmingWhitespaceAndNewlines: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !Self.isSpace($0) }),
            let last = scalars.lastIndex(where: { !Self.isSpace($0) })
        else { return "" }
        return String(scalars[first...last])
    }

    private static func isSpace(_ s: Unicode.Scalar) -> Bool {
        s == " " || s == "\t" || s == "\n" || s == "\r"
    }
}
