#if canImport(Glibc)
import Glibc
#endif

/// The `agent-ledger` executable built beside the test bundle.
public enum AgentLedgerBinary {
    /// Its absolute path.
    public static let path: String = BuiltExecutable.locate("agent-ledger")

    /// Runs `agent-ledger` and waits without blocking a thread of the concurrency pool.
    @discardableResult
    public static func runAsync(
        _ arguments: [String],
        environment: [String: String?] = [:],
        directory: String? = nil
    ) async throws -> Shell.Output {
        try await Shell.runAsync([path] + arguments, environment: environment, directory: directory)
    }

    /// Runs `agent-ledger` with arguments and extra environment.
    @discardableResult
    public static func run(
        _ arguments: [String],
        environment: [String: String?] = [:],
        directory: String? = nil
    ) throws -> Shell.Output {
        try Shell.run([path] + arguments, environment: environment, directory: directory)
    }
}

/// Executables of this package built beside the test bundle.
public enum BuiltExecutable {
    /// The absolute path of the executable `name` in the build folder, or `name` if none is found.
    public static func locate(_ name: String) -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, 4095)
        let exe = n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        var dir = Substring(exe)
        // The test binary lives in `<build>/debug/<package>PackageTests.xctest` (a file on Linux).
        while let slash = dir.lastIndex(of: "/") {
            dir = dir[..<slash]
            let candidate = "\(dir)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return name
    }

    /// `ledger-stress`, the child processes and drivers of the reliability suites.
    public static let stress: String = locate("ledger-stress")
}
