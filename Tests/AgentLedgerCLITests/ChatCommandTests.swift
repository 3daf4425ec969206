import LedgerCore
import LedgerTestSupport
import Testing

@Suite struct ChatCommandTests {
    @Test func everySubcommandHasHelpWithAnExample() async throws {
        for sub in [["send"], ["list"], ["thread", "create"], ["threads"], ["push"], ["pull"]] {
            let out = try await AgentLedgerBinary.runAsync(["chat"] + sub + ["--help"])
            #expect(out.status == 0)
            #expect(
                out.stdout.contains("agent-ledger chat \(sub.joined(separator: " "))"),
                "chat \(sub) has no example"
            )
        }
    }

    /// 20 processes send to one run at once: the note on its tag holds every line.
    @Test func twentyProcessesSendingToOneRunLoseNoLine() async throws {
        let fx = try GitFixture()
        defer { fx.remove() }
        let record = try await AgentLedgerBinary.runAsync([
            "runs", "record", "--type", "apply", "--json", "--repo", fx.repo,
        ])
        let runID = try #require(try JSONParser.parse(record.stdout).objectValue?["run_id"]?.stringValue)
        var children: [Shell.Child] = []
        for i in 0..<20 {
            children.append(
                try Shell.spawn([
                    AgentLedgerBinary.path, "chat", "send", "writer \(i)", "--run", runID, "--repo", fx.repo,
                ])
            )
        }
        for child in children {
            let out = try await child.finish()
            #expect(out.status == 0, "\(out.stderr)")
        }
        let note = try fx.git("notes", "--ref=refs/notes/scp-chat", "show", "refs/tags/scp/run/\(runID)")
        #expect(note.split(separator: "\n").count == 20)
        let list = try await AgentLedgerBinary.runAsync([
            "chat", "list", "--run", runID, "-n", "0", "--json", "--repo", fx.repo,
        ])
        let texts = try #require(try JSONParser.parse(list.stdout).arrayValue).compactMap { $0["text"]?.stringValue }
        #expect(Set(texts) == Set((0..<20).map { "writer \($0)" }))
        #expect(texts.count == 20)
    }

    @Test func sendListThreadsAndEncryptionFromTheCommandLine() async throws {
        let fx = try GitFixture()
        defer { fx.remove() }
        let repo = ["--repo", fx.repo]
        let created = try await AgentLedgerBinary.runAsync(
            ["chat", "thread", "create", "Release 1.2", "--tag", "ops"] + repo
        )
        #expect(created.status == 0, "\(created.stderr)")
        let thread = created.stdout.trimmingCharacters(in: "\n")
        let sent = try await AgentLedgerBinary.runAsync(
            ["chat", "send", "hello", "--thread", thread, "--publish"] + repo
        )
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(sent.stdout.contains("sent to thread \(thread)"))

        // --encrypt without a key: exit 64, nothing written.
        let head = try fx.git("rev-parse", "refs/heads/scp-ledger")
        let noKey = try await AgentLedgerBinary.runAsync(
            ["chat", "send", "secret", "--encrypt"] + repo,
            environment: ["CONTENT_VAULT_ENC_KEY": nil]
        )
        #expect(noKey.status == 64)
        #expect(noKey.stderr.contains("CONTENT_VAULT_ENC_KEY"))
        #expect(try fx.git("rev-parse", "refs/heads/scp-ledger") == head)

        let sealed = try await AgentLedgerBinary.runAsync(
            ["chat", "send", "secret", "--encrypt", "--thread", thread] + repo,
            environment: ["CONTENT_VAULT_ENC_KEY": "k1"]
        )
        #expect(sealed.status == 0, "\(sealed.stderr)")
        let withKey = try await AgentLedgerBinary.runAsync(
            ["chat", "list", "--thread", thread] + repo,
            environment: ["CONTENT_VAULT_ENC_KEY": "k1"]
        )
        #expect(withKey.stdout.contains("secret"))
        let without = try await AgentLedgerBinary.runAsync(
            ["chat", "list", "--thread", thread, "--json"] + repo,
            environment: ["CONTENT_VAULT_ENC_KEY": nil]
        )
        let listed = try #require(try JSONParser.parse(without.stdout).arrayValue)
        #expect(listed.compactMap { $0["text"]?.stringValue } == ["[encrypted]", "hello"])
        #expect(listed.first?["flags"]?["encrypted"]?.boolValue == true)
        #expect(listed.last?["flags"]?["publish"]?.boolValue == true)

        let threads = try await AgentLedgerBinary.runAsync(["chat", "threads"] + repo)
        #expect(threads.stdout.contains("Release 1.2"))
        for bad in [
            ["chat", "send", ""], ["chat", "send", "x", "--thread", "nope"],
            ["chat", "list", "--thread", "general", "--run", "x"],
        ] {
            let out = try await AgentLedgerBinary.runAsync(bad + repo)
            #expect(out.status == 64, "\(bad): \(out.stderr)")
        }
        let push = try await AgentLedgerBinary.runAsync(["chat", "push"] + repo)
        #expect(push.status == 0)
        #expect(push.stdout.contains("Skipped"))
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
