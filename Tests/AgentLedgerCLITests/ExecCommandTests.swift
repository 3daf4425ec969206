import AgentLedger
import LedgerTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ExecCommandTests {
    /// A Python script that prints on both streams, then a traceback, and exits 1.
    static let traceback = """
        import sys
        print("building step 1")
        sys.stdout.flush()
        print("warning: slow disk", file=sys.stderr)
        sys.stderr.flush()
        print("partial line without newline", end="")
        sys.stdout.flush()
        raise ValueError("bad config")
        """

    static func chronicle(_ dir: TemporaryDirectory, agent: String) throws -> [LedgerEvent] {
        let folder = dir.join("agents/\(agent)/commands")
        return try FileSystem.list(folder).flatMap { name -> [LedgerEvent] in
            #expect(name.count == "YYYY-MM-DD.jsonl".count && name.hasSuffix(".jsonl"), "\(name)")
            return try TestEvents.lines("\(folder)/\(name)").map { try EventLine.parse($0) }
        }
    }

    static func ledger(_ dir: TemporaryDirectory, agent: String) throws -> [LedgerEvent] {
        let layout = LedgerLayout(root: dir.path)
        return try layout.days(agent: agent).flatMap { day in
            try TestEvents.lines(layout.dayFile(agent: agent, date: day)).map { try EventLine.parse($0) }
        }
    }

    @Test func aTracebackAndExitOneIsRecordedAndPassedThrough() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let direct = try await Shell.runAsync(["python3", "-c", Self.traceback])
        let out = try await AgentLedgerBinary.runAsync([
            "exec", "--agent", "build", "--resolution", "npm install", "--root", dir.path, "--",
            "python3", "-c", Self.traceback,
        ])
        #expect(out.status == 1)
        #expect(out.status == direct.status)
        // Byte for byte what the command printed, on the same streams.
        #expect(out.stdout == direct.stdout)
        #expect(out.stderr == direct.stderr)
        #expect(out.stdout == "building step 1\npartial line without newline")

        let events = try Self.ledger(dir, agent: "build")
        #expect(events.count == 1)
        let e = try #require(events.first)
        #expect(e.type == "agent.error")
        #expect(e.data["command"]?.stringValue == ShellQuoting.join(["python3", "-c", Self.traceback]))
        #expect(e.data["exit_code"]?.intValue == 1)
        #expect(e.data["resolution"]?.stringValue == "npm install")
        let stderr = try #require(e.data["stderr"]?.stringValue)
        #expect(stderr.contains("Traceback (most recent call last):"))
        #expect(stderr.contains("ValueError: bad config"))
        #expect(e.data["patterns"] == ["Traceback"])

        let records = try Self.chronicle(dir, agent: "build")
        #expect(records.count == 1)
        let r = try #require(records.first)
        #expect(r.id == e.id)
        #expect(r.data == e.data)
        let narrative = try #require(r.extra["narrative"]?.stringValue)
        #expect(narrative.hasPrefix("build ran `python3 -c "))
        #expect(narrative.contains("it failed with exit code 1 after printing \"Traceback (most recent call last):\""))
        #expect(narrative.hasSuffix("; resolution: npm install"))
    }

    @Test func aCommandThatSucceedsRecordsNothing() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let out = try await AgentLedgerBinary.runAsync([
            "exec", "--agent", "build", "--root", dir.path, "--", "python3", "-c",
            "import sys; print('all good'); print('no problems', file=sys.stderr)",
        ])
        #expect(out.status == 0)
        #expect(out.stdout == "all good\n")
        #expect(out.stderr == "no problems\n")
        #expect(try Self.ledger(dir, agent: "build").isEmpty)
        #expect(!FileSystem.exists(dir.join("agents/build/commands")))
    }

    @Test func errorOnStderrWithExitZeroIsRecordedAndExitsZero() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let out = try await AgentLedgerBinary.runAsync([
            "exec", "--agent", "deploy", "--root", dir.path, "--", "sh", "-c",
            "echo one; echo 'ERROR: cache miss' >&2; echo two",
        ])
        #expect(out.status == 0)
        #expect(out.stdout == "one\ntwo\n")
        #expect(out.stderr == "ERROR: cache miss\n")
        let e = try #require(try Self.ledger(dir, agent: "deploy").first)
        #expect(e.data["exit_code"]?.intValue == 0)
        #expect(e.data.objectValue?.keys.contains("resolution") == false)
        #expect(e.data["stderr"]?.stringValue?.contains("ERROR: cache miss") == true)
        let r = try #require(try Self.chronicle(dir, agent: "deploy").first)
        #expect(
            r.extra["narrative"]?.stringValue
                == "deploy ran `sh -c 'echo one; echo '\\''ERROR: cache miss'\\'' >&2; echo two'`; it exited 0 but printed \"ERROR: cache miss\""
        )
    }

    @Test func exitCodesAndConfiguredPatternsPassThrough() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let quiet = try await AgentLedgerBinary.runAsync(
            [
                "exec", "--agent", "ops", "--root", dir.path, "--", "sh", "-c", "echo FAIL; exit 3",
            ],
            environment: ["AGENT_LEDGER_ERROR_PATTERNS": "panic, FATAL"]
        )
        #expect(quiet.status == 3)
        let e = try #require(try Self.ledger(dir, agent: "ops").first)
        #expect(e.data["patterns"] == [])
        #expect(e.data["exit_code"]?.intValue == 3)
        // Without a match the excerpt is what the command said last on stderr.
        let flagged = try await AgentLedgerBinary.runAsync([
            "exec", "--agent", "ops", "--pattern", "panic", "--root", dir.path, "--", "sh", "-c",
            "echo 'panic: nil map' >&2",
        ])
        #expect(flagged.status == 0)
        #expect(try Self.ledger(dir, agent: "ops").count == 2)
        let missing = try await AgentLedgerBinary.runAsync([
            "exec", "--agent", "ops", "--root", dir.path, "--", "/nonexistent/tool", "x",
        ])
        #expect(missing.status == 127)
        #expect(missing.stderr.contains("cannot run"))
        #expect(try Self.ledger(dir, agent: "ops").count == 3)
    }

    @Test func aSignalIsForwardedAndTheChildsEndIsOurs() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let script = """
            import signal, sys, time
            def on_term(sig, frame):
                print("child got", sig, flush=True)
                sys.exit(5)
            signal.signal(signal.SIGTERM, on_term)
            print("ready", flush=True)
            time.sleep(60)
            """
        let child = try Shell.spawn([
            AgentLedgerBinary.path, "exec", "--agent", "ops", "--root", dir.path, "--", "python3", "-c", script,
        ])
        // Wait for the whole line: unbuffered Python writes "ready" and "\n" apart.
        while !child.currentStdout().contains("ready\n") { try await Task.sleep(for: .milliseconds(20)) }
        child.signal(SIGTERM)
        let out = try await child.finish()
        #expect(out.status == 5)
        #expect(out.stdout == "ready\nchild got 15\n")
        #expect(try Self.ledger(dir, agent: "ops").first?.data["exit_code"]?.intValue == 5)

        // A command ended by a signal ends agent-ledger with the same signal.
        let killed = try await AgentLedgerBinary.runAsync([
            "exec", "--agent", "ops", "--root", dir.path, "--", "sh", "-c", "kill -TERM $$",
        ])
        #expect(killed.status == 128 + SIGTERM)
        let last = try #require(try Self.ledger(dir, agent: "ops").last)
        #expect(last.data["signal"]?.intValue == Int64(SIGTERM))
        #expect(last.summary?.contains("ended by signal 15") == true)
    }

    @Test func badInputRunsNothingAndWritesNothing() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let marker = dir.join("ran")
        for args in [
            ["exec", "--root", dir.path, "--agent", "../x", "--", "touch", marker],
            ["exec", "--root", dir.path, "--agent", "ops", "--pattern", "", "--", "touch", marker],
            ["exec", "--root", dir.path, "--agent", "ops"],
        ] {
            let out = try await AgentLedgerBinary.runAsync(args)
            #expect(out.status == 64, "\(args)")
            #expect(!out.stderr.isEmpty)
        }
        #expect(!FileSystem.exists(marker))
        #expect(FileSystem.list(dir.path).isEmpty)
    }
}

extension ExecCommandTests {
    @Test func aSignalIgnoredByTheCallerStaysIgnoredForTheChild() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // Prints the handlers as numbers: 0 is SIG_DFL, 1 is SIG_IGN.
        let probe =
            "import signal; print([int(h) if isinstance(h, int) else 'python' for h in "
            + "(signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM))])"
        let exec = [AgentLedgerBinary.path, "exec", "--agent", "ops", "--root", dir.path, "--", "python3", "-c", probe]
        let ignored = try await Shell.runAsync(["sh", "-c", "trap '' INT; exec \"$@\"", "sh"] + exec)
        #expect(ignored.status == 0, "\(ignored.stderr)")
        #expect(ignored.stdout == "[1, 0]\n")
        let plain = try await Shell.runAsync(exec)
        #expect(plain.stdout == "['python', 0]\n")
    }
}
