/// A real git repository in a temporary folder, with an optional bare repository as its `origin`.
///
/// ```swift
/// let fixture = try GitFixture(commit: true, remote: true)
/// defer { fixture.remove() }
/// try fixture.git("status", "--porcelain")
/// ```
public struct GitFixture: Sendable {
    public let directory: TemporaryDirectory
    /// The work tree of the repository under test.
    public let repo: String
    /// The bare repository used as `origin`, if any.
    public let origin: String?

    /// - Parameters:
    ///   - commit: make one commit on `main` (a README) so HEAD exists.
    ///   - remote: create a bare repository and add it as `origin`.
    ///   - identity: set `user.name` and `user.email` in the repository.
    public init(commit: Bool = true, remote: Bool = false, identity: Bool = true) throws {
        directory = try TemporaryDirectory(prefix: "agent-ledger-git")
        repo = directory.join("repo")
        try Self.git(["init", "-q", "-b", "main", repo], in: directory.path)
        if identity {
            try Self.git(["config", "user.name", "Test User"], in: repo)
            try Self.git(["config", "user.email", "test@example.com"], in: repo)
        }
        // Tests never depend on the machine's global git configuration.
        try Self.git(["config", "commit.gpgsign", "false"], in: repo)
        if commit {
            try Self.write("\(repo)/README.md", "# test\n")
            try Self.git(["add", "README.md"], in: repo)
            try Self.git(
                ["-c", "user.name=Setup", "-c", "user.email=setup@example.com", "commit", "-q", "-m", "first"],
                in: repo
            )
        }
        if remote {
            let bare = directory.join("origin.git")
            try Self.git(["init", "-q", "--bare", "-b", "main", bare], in: directory.path)
            try Self.git(["remote", "add", "origin", bare], in: repo)
            origin = bare
        } else {
            origin = nil
        }
    }

    private init(directory: TemporaryDirectory, repo: String, origin: String?) {
        self.directory = directory
        self.repo = repo
        self.origin = origin
    }

    /// The same fixture as ``init(commit:remote:identity:)``, made without blocking a thread of the
    /// concurrency pool: for async tests that run beside others.
    public static func make(commit: Bool = true, remote: Bool = false, identity: Bool = true) async throws -> GitFixture
    {
        let directory = try TemporaryDirectory(prefix: "agent-ledger-git")
        let repo = directory.join("repo")
        try await gitAsync(["init", "-q", "-b", "main", repo], in: directory.path)
        if identity {
            try await gitAsync(["config", "user.name", "Test User"], in: repo)
            try await gitAsync(["config", "user.email", "test@example.com"], in: repo)
        }
        try await gitAsync(["config", "commit.gpgsign", "false"], in: repo)
        if commit {
            try await writeAsync("\(repo)/README.md", "# test\n")
            try await gitAsync(["add", "README.md"], in: repo)
            try await gitAsync(
                ["-c", "user.name=Setup", "-c", "user.email=setup@example.com", "commit", "-q", "-m", "first"],
                in: repo
            )
        }
        var origin: String?
        if remote {
            let bare = directory.join("origin.git")
            try await gitAsync(["init", "-q", "--bare", "-b", "main", bare], in: directory.path)
            try await gitAsync(["remote", "add", "origin", bare], in: repo)
            origin = bare
        }
        return GitFixture(directory: directory, repo: repo, origin: origin)
    }

    /// ``git(_:)`` without blocking a thread of the concurrency pool.
    @discardableResult
    public func gitAsync(_ arguments: String...) async throws -> String {
        try await Self.gitAsync(arguments, in: repo)
    }

    /// ``git(_:in:)`` without blocking a thread of the concurrency pool.
    @discardableResult
    public static func gitAsync(_ arguments: [String], in directory: String) async throws -> String {
        let out = try await Shell.runAsync(
            ["git", "-C", directory] + arguments,
            environment: ["GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"]
        )
        guard out.status == 0 else {
            throw TestSupportError("git \(arguments.joined(separator: " ")) failed (\(out.status)): \(out.stderr)")
        }
        var s = out.stdout
        while s.hasSuffix("\n") { s.removeLast() }
        return s
    }

    /// ``cloneOrigin(name:)`` without blocking a thread of the concurrency pool.
    public func cloneOriginAsync(name: String = "clone") async throws -> String {
        guard let origin else { throw TestSupportError("this fixture has no origin") }
        let path = directory.join(name)
        try await Self.gitAsync(["clone", "-q", origin, path], in: directory.path)
        try await Self.gitAsync(["config", "user.name", "Clone User"], in: path)
        try await Self.gitAsync(["config", "user.email", "clone@example.com"], in: path)
        return path
    }

    /// ``mainState(of:)`` without blocking a thread of the concurrency pool.
    public func mainStateAsync(of path: String? = nil) async throws -> String {
        let dir = path ?? repo
        let status = try await Self.gitAsync(["status", "--porcelain", "--untracked-files=all"], in: dir)
        let head = (try? await Self.gitAsync(["rev-parse", "--verify", "-q", "HEAD"], in: dir)) ?? "(no commit)"
        let branch = try await Self.gitAsync(["symbolic-ref", "-q", "HEAD"], in: dir)
        let index = try await Self.gitAsync(["ls-files", "--stage"], in: dir)
        return "status:\n\(status)\nhead: \(head)\nbranch: \(branch)\nindex:\n\(index)"
    }

    /// ``write(_:_:)`` without blocking a thread of the concurrency pool.
    public static func writeAsync(_ path: String, _ text: String) async throws {
        let out = try await Shell.runAsync(["/bin/sh", "-c", "cat > \"$1\"", "sh", path], stdin: Array(text.utf8))
        guard out.status == 0 else { throw TestSupportError("cannot write \(path): \(out.stderr)") }
    }

    /// Runs git in the repository and returns its trimmed standard output; throws when it fails.
    @discardableResult
    public func git(_ arguments: String...) throws -> String {
        try Self.git(arguments, in: repo)
    }

    /// Runs git in `directory` and returns its trimmed standard output; throws when it fails.
    @discardableResult
    public static func git(_ arguments: [String], in directory: String) throws -> String {
        let out = try Shell.run(
            ["git", "-C", directory] + arguments,
            environment: ["GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"]
        )
        guard out.status == 0 else {
            throw TestSupportError("git \(arguments.joined(separator: " ")) failed (\(out.status)): \(out.stderr)")
        }
        var s = out.stdout
        while s.hasSuffix("\n") { s.removeLast() }
        return s
    }

    /// Runs git in `directory` and returns everything, whatever the exit status.
    public static func gitOutput(_ arguments: [String], in directory: String) throws -> Shell.Output {
        try Shell.run(["git", "-C", directory] + arguments, environment: ["GIT_TERMINAL_PROMPT": "0"])
    }

    /// Clones `origin` into a new folder beside the repository and returns its path.
    public func cloneOrigin(name: String = "clone") throws -> String {
        guard let origin else { throw TestSupportError("this fixture has no origin") }
        let path = directory.join(name)
        try Self.git(["clone", "-q", origin, path], in: directory.path)
        try Self.git(["config", "user.name", "Clone User"], in: path)
        try Self.git(["config", "user.email", "clone@example.com"], in: path)
        return path
    }

    /// A snapshot of what the user sees of the main work tree: status, HEAD, branch and index.
    public func mainState(of path: String? = nil) throws -> String {
        let dir = path ?? repo
        let status = try Self.git(["status", "--porcelain", "--untracked-files=all"], in: dir)
        let head = (try? Self.git(["rev-parse", "--verify", "-q", "HEAD"], in: dir)) ?? "(no commit)"
        let branch = try Self.git(["symbolic-ref", "-q", "HEAD"], in: dir)
        let index = try Self.git(["ls-files", "--stage"], in: dir)
        return "status:\n\(status)\nhead: \(head)\nbranch: \(branch)\nindex:\n\(index)"
    }

    /// Writes a text file.
    public static func write(_ path: String, _ text: String) throws {
        let out = try Shell.run(["/bin/sh", "-c", "cat > \"$1\"", "sh", path], stdin: Array(text.utf8))
        guard out.status == 0 else { throw TestSupportError("cannot write \(path): \(out.stderr)") }
    }

    /// Removes every folder the fixture made.
    public func remove() { directory.remove() }
}
