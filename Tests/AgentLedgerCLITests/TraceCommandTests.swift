import LedgerCore
import LedgerTestSupport
import Testing

@Suite struct TraceCommandTests {
    @Test func everySubcommandHasHelpWithAnExample() async throws {
        for sub in ["start", "stop", "list", "show"] {
            let out = try await AgentLedgerBinary.runAsync(["trace", sub, "--help"])
            #expect(out.status == 0)
            #expect(out.stdout.contains("agent-ledger trace \(sub)"), "trace \(sub) has no example")
        }
    }

    /// start, events from other processes, stop --post, list, show: each a separate process.
    @Test func aTraceAcrossProcesses() async throws {
        let fx = try GitFixture()
        defer { fx.remove() }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let repo = ["--repo", fx.repo]
        let env: [String: String?] = ["AGENT_LEDGER_ROOT": dir.path, "AGI_EVENT_ASYNC": nil]
        let start = try await AgentLedgerBinary.runAsync(
            ["trace", "start", "--name", "Release", "--classification", "deployment"] + repo,
            environment: env
        )
        #expect(start.status == 0, "\(start.stderr)")
        var id = start.stdout
        while id.hasSuffix("\n") { id.removeLast() }
        #expect(id.hasPrefix("trace_"))

        for (agent, type) in [("cls", "task_start"), ("gg", "task_start"), ("cls", "task_result")] {
            let out = try await AgentLedgerBinary.runAsync(
                ["emit", type, "--agent", agent, "--task", "t-\(agent)"],
                environment: env
            )
            #expect(out.status == 0, "\(out.stderr)")
        }
        let listed = try await AgentLedgerBinary.runAsync(["trace", "list"] + repo)
        #expect(listed.stdout.contains(id))
        #expect(listed.stdout.contains("recording"))

        let stop = try await AgentLedgerBinary.runAsync(["trace", "stop", id, "--post"] + repo, environment: env)
        #expect(stop.status == 0, "\(stop.stderr)")
        #expect(stop.stdout.hasPrefix("[deployment] Release: 3 events from 2 agents (cls, gg)"))
        #expect(stop.stdout.contains("posted as msg_"))

        let show = try await AgentLedgerBinary.runAsync(["trace", "show", id, "--json"] + repo)
        let trace = try #require(try JSONParser.parse(show.stdout).objectValue)
        #expect(trace["events"]?.arrayValue?.count == 3)
        #expect(trace["ended_at"]?.stringValue != nil)
        let chat = try await AgentLedgerBinary.runAsync(["chat", "list", "--thread", "general", "--json"] + repo)
        let messages = try #require(try JSONParser.parse(chat.stdout).arrayValue)
        #expect(messages.first?["source"]?.stringValue == "trace")
        #expect(messages.first?["text"]?.stringValue?.hasPrefix("Trace \(id): [deployment] Release") == true)

        let again = try await AgentLedgerBinary.runAsync(["trace", "stop", id] + repo, environment: env)
        #expect(again.status == 1)
        #expect(again.stderr.contains("stopped already"))
        let bad = try await AgentLedgerBinary.runAsync(["trace", "stop", "nope"] + repo)
        #expect(bad.status == 64)
    }
}
