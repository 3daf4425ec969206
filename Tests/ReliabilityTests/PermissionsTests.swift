import AgentLedger
import LedgerTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Files and folders the ledger makes are writable by their owner only, less what the umask takes away;
/// the encryption key appears in no file, no log and no message.
@Suite struct PermissionsTests {
    func mode(_ path: String) -> mode_t {
        var st = stat()
        guard lstat(path, &st) == 0 else { return 0o7777 }
        return st.st_mode & 0o777
    }

    /// Runs `agent-ledger` under a umask, in a shell of its own so the test process's umask is untouched.
    func underUmask(_ mask: String, _ arguments: [String]) async throws -> Shell.Output {
        try await Shell.runAsync(
            ["/bin/sh", "-c", "umask \(mask) && exec \"$0\" \"$@\"", AgentLedgerBinary.path] + arguments
        )
    }

    @Test(arguments: [("077", 0o600 as mode_t, 0o700 as mode_t), ("022", 0o644, 0o755), ("027", 0o640, 0o750)])
    func ledgerFilesAndFoldersFollowTheUmaskAndOnlyTheOwnerWrites(
        _ mask: String,
        _ file: mode_t,
        _ dir: mode_t
    )
        async throws
    {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let root = tmp.join("root")
        for args in [
            ["emit", "session_start", "--agent", "cls", "--session", "2025-11-16_cls_001", "--root", root],
            ["session", "summarize", "2025-11-16_cls_001", "--root", root],
            ["session", "new", "--agent", "cls", "--root", root],
        ] {
            let out = try await underUmask(mask, args)
            #expect(out.status == 0, "\(args): \(out.stderr)")
        }
        let layout = LedgerLayout(root: root)
        let day = try #require(layout.days(agent: "cls").first)
        for path in [
            layout.dayFile(agent: "cls", date: day), layout.statusFile(agent: "cls"),
            layout.sessionSummaryFile(agent: "cls", session: "2025-11-16_cls_001"),
            layout.sessionCounterFile(agent: "cls"),
        ] {
            #expect(mode(path) == file, "\(path): \(String(mode(path), radix: 8))")
        }
        for path in [
            root, "\(root)/g", layout.ledgerDirectory, layout.agentDirectory("cls"), "\(root)/agents",
            layout.agentStateDirectory("cls"), layout.sessionsDirectory(agent: "cls"),
        ] {
            #expect(mode(path) == dir, "\(path): \(String(mode(path), radix: 8))")
        }
    }

    @Test func theEncryptionKeyAppearsInNoFileNoLogAndNoMessage() async throws {
        let fx = try GitFixture()
        defer { fx.remove() }
        let key = "k3y-\(UInt64.random(in: 0...UInt64.max))-never-written"
        let secret = "plaintext-\(UInt64.random(in: 0...UInt64.max))-never-stored"
        let env: [String: String?] = ["CONTENT_VAULT_ENC_KEY": key]
        var outputs: [Shell.Output] = []
        outputs.append(
            try await AgentLedgerBinary.runAsync(
                ["chat", "send", secret, "--encrypt", "--repo", fx.repo],
                environment: env
            )
        )
        #expect(outputs[0].status == 0, "\(outputs[0].stderr)")
        outputs.append(try await AgentLedgerBinary.runAsync(["chat", "list", "--repo", fx.repo], environment: env))
        #expect(outputs[1].stdout.contains(secret))
        // A wrong key and a corrupt message: the errors name neither key.
        outputs.append(
            try await AgentLedgerBinary.runAsync(
                ["chat", "list", "--json", "--repo", fx.repo],
                environment: ["CONTENT_VAULT_ENC_KEY": "wrong-\(key)"]
            )
        )
        for (i, out) in outputs.enumerated() {
            #expect(!out.stderr.contains(key), "output \(i) names the key")
            #expect(!(out.stdout.contains(key)), "output \(i) names the key")
        }
        #expect(!outputs[2].stdout.contains(secret))
        // Every object in the repository, every ref log and every file in the work trees.
        let objects = try await Shell.runAsync(
            ["git", "-C", fx.repo, "cat-file", "--batch-all-objects", "--batch"],
            environment: ["GIT_CONFIG_NOSYSTEM": "1"]
        )
        #expect(objects.status == 0)
        #expect(objects.stdout.contains("ENC:v1:"))
        let everything = try await Shell.runAsync(["grep", "-rlaF", "-e", key, "-e", secret, fx.directory.path])
        #expect(everything.stdout.isEmpty, "found in: \(everything.stdout)")
        #expect(!objects.stdout.contains(key) && !objects.stdout.contains(secret))
        let fsck = try await Shell.runAsync(["git", "-C", fx.repo, "fsck", "--strict", "--no-dangling"])
        #expect(fsck.status == 0, "\(fsck.stdout) \(fsck.stderr)")
    }
}
