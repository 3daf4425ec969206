import LedgerCore
import LedgerTestSupport
import Testing

@Suite struct RunsCommandTests {
    @Test func everySubcommandHasHelpWithAnExample() async throws {
        for sub in ["record", "list", "show", "events", "push", "pull"] {
            let out = try await AgentLedgerBinary.runAsync(["runs", sub, "--help"])
            #expect(out.status == 0)
            #expect(out.stdout.contains("agent-ledger runs \(sub)"), "runs \(sub) --help has no example")
            #expect(out.stdout.contains("--repo"))
        }
    }

    @Test func severalProcessesRecordingAtOnceAllSucceed() async throws {
        let fx = try GitFixture()
        defer { fx.remove() }
        let before = try fx.mainState()
        var children: [Shell.Child] = []
        for i in 0..<8 {
            children.append(
                try Shell.spawn([
                    AgentLedgerBinary.path, "runs", "record", "--type", "detect", "--summary", "writer \(i)", "--json",
                    "--repo", fx.repo,
                ])
            )
        }
        var ids: Set<String> = []
        for child in children {
            let out = try await child.finish()
            #expect(out.status == 0, "\(out.stderr)")
            if let id = try JSONParser.parse(out.stdout).objectValue?["run_id"]?.stringValue { ids.insert(id) }
        }
        #expect(ids.count == 8)
        let list = try await AgentLedgerBinary.runAsync(["runs", "list", "-n", "0", "--json", "--repo", fx.repo])
        let listed = try #require(try JSONParser.parse(list.stdout).arrayValue).compactMap { $0["run_id"]?.stringValue }
        #expect(Set(listed) == ids)
        #expect(try fx.git("rev-list", "--count", "refs/heads/scp-ledger") == "9")
        #expect(try fx.mainState() == before)
        try fx.git("fsck", "--strict", "--no-progress")
    }

    @Test func inheritedGitVariablesDoNotRedirectTheLedger() async throws {
        let fx = try GitFixture()
        defer { fx.remove() }
        let decoy = try GitFixture()
        defer { decoy.remove() }
        let decoyIndex = try Shell.readBytes("\(decoy.repo)/.git/index")
        // As inside a git hook of another repository.
        let out = try await AgentLedgerBinary.runAsync(
            ["runs", "record", "--type", "detect", "--repo", fx.repo],
            environment: [
                "GIT_DIR": "\(decoy.repo)/.git", "GIT_WORK_TREE": decoy.repo,
                "GIT_INDEX_FILE": "\(decoy.repo)/.git/index", "GIT_TERMINAL_PROMPT": "1",
            ]
        )
        #expect(out.status == 0, "\(out.stderr)")
        #expect(try fx.git("for-each-ref", "--count=1", "refs/tags/scp/run/") != "")
        #expect(try decoy.git("for-each-ref", "refs/tags/") == "")
        #expect(try Shell.readBytes("\(decoy.repo)/.git/index") == decoyIndex)
        #expect(
            try GitFixture.gitOutput(["rev-parse", "--verify", "-q", "refs/heads/scp-ledger"], in: decoy.repo).status
                != 0
        )
    }

    @Test func recordListShowEventsPushAndPullFromTheCommandLine() async throws {
        let fx = try GitFixture(remote: true)
        defer { fx.remove() }
        try fx.git("push", "-q", "origin", "refs/heads/main:refs/heads/main")
        let events = fx.directory.join("events.jsonl")
        try GitFixture.write(
            events,
            "{\"seq\":1,\"type\":\"adapter:execute\",\"status\":\"ok\"}\n\n{\"seq\":2,\"type\":\"run:complete\"}\n"
        )
        let record = try await AgentLedgerBinary.runAsync([
            "runs", "record", "--type", "apply", "--subtype", "k8s:apply", "--status", "partial", "--summary",
            "Applied 2 of 3",
            "--events", events, "--metadata", "{\"resources\":3}", "--json", "--repo", fx.repo,
        ])
        #expect(record.status == 0, "\(record.stderr)")
        let run = try #require(try JSONParser.parse(record.stdout).objectValue)
        let id = try #require(run["run_id"]?.stringValue)
        #expect(run["status"] == "partial")
        #expect(run["metadata"]?["resources"] == 3)

        let table = try await AgentLedgerBinary.runAsync(["runs", "list", "--repo", fx.repo])
        #expect(table.stdout.contains("RUN ID"))
        #expect(table.stdout.contains(id))
        let show = try await AgentLedgerBinary.runAsync(["runs", "show", id, "--repo", fx.repo])
        #expect(show.stdout.contains("Applied 2 of 3"))
        let showJSON = try await AgentLedgerBinary.runAsync(["runs", "show", id, "--json", "--repo", fx.repo])
        #expect(try JSONParser.parse(showJSON.stdout).objectValue == run)
        let ev = try await AgentLedgerBinary.runAsync(["runs", "events", id, "--json", "--repo", fx.repo])
        #expect(try JSONParser.parse(ev.stdout).arrayValue?.count == 2)
        let evText = try await AgentLedgerBinary.runAsync(["runs", "events", id, "--repo", fx.repo])
        #expect(evText.stdout.contains("#2  run:complete"))

        let push = try await AgentLedgerBinary.runAsync(["runs", "push", "--json", "--repo", fx.repo])
        #expect(push.status == 0, "\(push.stderr)")
        let pushed = try #require(try JSONParser.parse(push.stdout).objectValue)
        #expect(pushed["succeeded"] == true)
        #expect(pushed["tags"]?.arrayValue?.count == 1)

        let clone = try fx.cloneOrigin()
        let pull = try await AgentLedgerBinary.runAsync(["runs", "pull", "--repo", clone])
        #expect(pull.status == 0, "\(pull.stderr)")
        let cloned = try await AgentLedgerBinary.runAsync(["runs", "show", id, "--json", "--repo", clone])
        #expect(try JSONParser.parse(cloned.stdout).objectValue == run)
        let cloneEvents = try await AgentLedgerBinary.runAsync(["runs", "events", id, "--json", "--repo", clone])
        #expect(cloneEvents.stdout == ev.stdout)
    }

    @Test func badInputIsAUsageErrorAndChangesNothing() async throws {
        let fx = try GitFixture()
        defer { fx.remove() }
        for args in [
            ["runs", "record", "--type", "Bad Type"], ["runs", "record", "--type", "x", "--status", "great"],
            ["runs", "record", "--type", "x", "--metadata", "[1]"], ["runs", "show", "../../etc/passwd"],
            ["runs", "events", "--", "--all"],
        ] {
            let out = try await AgentLedgerBinary.runAsync(
                Array(args.prefix(2)) + ["--repo", fx.repo] + args.dropFirst(2)
            )
            #expect(out.status == 64, "\(args): \(out.status) \(out.stderr)")
            #expect(out.stderr.hasPrefix("agent-ledger: error: "))
        }
        let missing = try await AgentLedgerBinary.runAsync([
            "runs", "show", "run_2000-01-01T000000_x_aaaa", "--repo", fx.repo,
        ])
        #expect(missing.status == 1)
        let noRepo = try TemporaryDirectory()
        defer { noRepo.remove() }
        let outside = try await AgentLedgerBinary.runAsync(["runs", "list", "--repo", noRepo.path])
        #expect(outside.status == 64)
        #expect(try fx.git("for-each-ref", "refs/tags/") == "")
    }

    @Test func pushAndPullWithoutARemoteSaySoAndSucceed() async throws {
        let fx = try GitFixture()
        defer { fx.remove() }
        let push = try await AgentLedgerBinary.runAsync(["runs", "push", "--repo", fx.repo])
        #expect(push.status == 0)
        #expect(push.stdout.contains("Skipped"))
        let pull = try await AgentLedgerBinary.runAsync(["runs", "pull", "--json", "--repo", fx.repo])
        #expect(pull.status == 0)
        #expect(try JSONParser.parse(pull.stdout)["skipped"]?.stringValue != nil)
    }
}
