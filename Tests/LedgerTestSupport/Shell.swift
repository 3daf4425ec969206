#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs real child processes for tests: argument arrays, never a shell string.
public enum Shell {
    /// What a finished child process left behind.
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `arguments[0]` (an absolute path, or a name looked up in `PATH`) and waits for it.
    ///
    /// - Parameters:
    ///   - environment: variables to set on top of the inherited environment; a `nil` value unsets one.
    ///   - directory: the child's working directory.
    ///   - stdin: bytes written to the child's standard input, which is then closed.
    @discardableResult
    public static func run(
        _ arguments: [String],
        environment: [String: String?] = [:],
        directory: String? = nil,
        stdin: [UInt8] = []
    ) throws -> Output {
        let child = try spawn(arguments, environment: environment, directory: directory, stdin: stdin)
        return try child.wait()
    }

    /// Runs a child and waits for it without blocking a thread of the concurrency pool.
    @discardableResult
    public static func runAsync(
        _ arguments: [String],
        environment: [String: String?] = [:],
        directory: String? = nil,
        stdin: [UInt8] = []
    ) async throws -> Output {
        try await spawn(arguments, environment: environment, directory: directory, stdin: stdin).finish()
    }

    /// Starts a child process and returns without waiting for it.
    public static func spawn(
        _ arguments: [String],
        environment: [String: String?] = [:],
        directory: String? = nil,
        stdin: [UInt8] = []
    ) throws -> Child {
        try Child(arguments: arguments, environment: environment, directory: directory, stdin: stdin)
    }

    /// A running child process whose stdout and stderr go to temporary files.
    public final class Child: @unchecked Sendable {
        public let pid: pid_t
        private let outPath: String
        private let errPath: String

        init(arguments: [String], environment: [String: String?], directory: String?, stdin: [UInt8]) throws {
            let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
            let stamp = "\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
            outPath = "\(base)/agent-ledger-child-\(stamp).out"
            errPath = "\(base)/agent-ledger-child-\(stamp).err"
            let inPath = "\(base)/agent-ledger-child-\(stamp).in"
            let inFD = open(inPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            guard inFD >= 0 else { throw TestSupportError("cannot create \(inPath)") }
            _ = stdin.withUnsafeBytes { write(inFD, $0.baseAddress, $0.count) }
            close(inFD)
            defer { unlink(inPath) }

            var env: [String: String] = [:]
            var e = environ
            while let p = e.pointee {
                let kv = String(cString: p)
                if let eq = kv.firstIndex(of: "=") {
                    env[String(kv[..<eq])] = String(kv[kv.index(after: eq)...])
                }
                e += 1
            }
            for (k, v) in environment { env[k] = v }

            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            var attr = posix_spawnattr_t()
            posix_spawnattr_init(&attr)
            defer { posix_spawnattr_destroy(&attr) }
            // Default signal dispositions and mask, so SIGTERM reaches the child even if the test runner blocks it.
            var all = sigset_t()
            sigfillset(&all)
            var none = sigset_t()
            sigemptyset(&none)
            posix_spawnattr_setsigdefault(&attr, &all)
            posix_spawnattr_setsigmask(&attr, &none)
            posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

            // `env -C` changes the working directory portably where posix_spawn cannot.
            let arguments = directory.map { ["/usr/bin/env", "-C", $0, "--"] + arguments } ?? arguments
            let argv = arguments.map { strdup($0) } + [nil]
            let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer {
                for p in argv { free(p) }
                for p in envp { free(p) }
            }
            var child: pid_t = 0
            let rc = posix_spawnp(&child, arguments[0], &actions, &attr, argv, envp)
            guard rc == 0 else { throw TestSupportError("cannot start \(arguments[0]): errno \(rc)") }
            pid = child
        }

        /// Waits for the child without blocking a thread of the concurrency pool (it polls), so tests
        /// that wait on long-running children do not starve the code under test running beside them.
        public func finish() async throws -> Output {
            var status: Int32 = 0
            while true {
                let r = waitpid(pid, &status, WNOHANG)
                if r == pid { break }
                if r < 0 && errno != EINTR { throw TestSupportError("waitpid failed: errno \(errno)") }
                try await Task.sleep(for: .milliseconds(5))
            }
            return try collect(status)
        }

        /// Sends a signal to the child.
        public func signal(_ sig: Int32) { kill(pid, sig) }

        /// Waits for the child to end and collects its output. Exit by signal N gives status 128+N.
        public func wait() throws -> Output {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 {
                guard errno == EINTR else { throw TestSupportError("waitpid failed: errno \(errno)") }
            }
            return try collect(status)
        }

        private func collect(_ status: Int32) throws -> Output {
            let code: Int32
            if status & 0x7F == 0 {
                code = (status >> 8) & 0xFF
            } else {
                code = 128 + (status & 0x7F)
            }
            defer {
                unlink(outPath)
                unlink(errPath)
            }
            return Output(status: code, stdout: try readFile(outPath), stderr: try readFile(errPath))
        }

        /// What the child has written to stdout so far.
        public func currentStdout() -> String { (try? readFile(outPath)) ?? "" }
    }

    /// Reads a whole file as UTF-8 text (invalid bytes are replaced).
    public static func readFile(_ path: String) throws -> String {
        String(decoding: try readBytes(path), as: UTF8.self)
    }

    /// Reads a whole file's bytes.
    public static func readBytes(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw TestSupportError("cannot open \(path): errno \(errno)") }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, 65536) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return result
    }
}

/// Reads a whole file as UTF-8 text; shorthand for ``Shell/readFile(_:)``.
public func readFile(_ path: String) throws -> String { try Shell.readFile(path) }
