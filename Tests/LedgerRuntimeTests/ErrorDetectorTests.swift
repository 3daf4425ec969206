import LedgerCore
import LedgerRuntime
import LedgerTestSupport
import Testing

@Suite struct ErrorDetectorTests {
    @Test func findsSeedPatternsWithContext() {
        var d = ErrorDetector()
        let output = """
            step 1
            step 2
            step 3
            Traceback (most recent call last):
              File "x.py", line 1
            ValueError: bad
            after 1
            after 2
            after 3
            """
        d.feed(Array(output.utf8), from: .stderr)
        d.finish()
        #expect(d.detected)
        #expect(d.matchCount == 1)
        #expect(d.matchedPatterns == ["Traceback"])
        #expect(d.firstMatch == "Traceback (most recent call last):")
        // Two lines before, the match, two lines after, then the last lines of stderr; "step 1" is left out.
        #expect(
            d.excerpt
                == "step 2\nstep 3\nTraceback (most recent call last):\n  File \"x.py\", line 1\nValueError: bad\nafter 1\nafter 2\nafter 3\n"
        )
        #expect(!d.truncated)
    }

    @Test func aLineSplitAcrossChunksIsSeenWhole() {
        var d = ErrorDetector()
        for piece in ["all good\nER", "R", "OR: disk ", "full\nnext"] {
            d.feed(Array(piece.utf8), from: .stdout)
        }
        #expect(d.matchCount == 1)
        d.finish()
        #expect(d.firstMatch == "ERROR: disk full")
        #expect(d.lineCount == 3)
    }

    @Test func streamsAreSplitSeparately() {
        var d = ErrorDetector()
        d.feed(Array("FA".utf8), from: .stdout)
        d.feed(Array("noise\n".utf8), from: .stderr)
        d.feed(Array("IL\n".utf8), from: .stdout)
        #expect(d.matchCount == 1)
        #expect(d.firstMatch == "FAIL")
    }

    @Test func separatePartsAreMarkedAndTheExcerptIsCapped() {
        var config = ErrorDetector.Configuration(contextLines: 0, maxExcerptBytes: 64)
        config.patterns = ["Exception"]
        var d = ErrorDetector(configuration: config)
        d.observe(line: "Exception one")
        d.observe(line: "quiet")
        d.observe(line: "Exception two")
        #expect(d.excerpt == "Exception one\n…\nException two\n")
        for i in 0..<20 { d.observe(line: "Exception \(i) ééééé") }
        #expect(d.truncated)
        #expect(d.excerpt.utf8.count <= 64)
        #expect(d.matchCount == 22)
        #expect(d.excerpt.hasSuffix("…\n"))
    }

    @Test func withoutAMatchTheExcerptIsTheLastLinesOfStderr() {
        var d = ErrorDetector(configuration: .init(tailLines: 2))
        d.feed(Array("out line\n".utf8), from: .stdout)
        d.feed(Array("e1\ne2\ne3\n".utf8), from: .stderr)
        #expect(!d.detected)
        #expect(d.excerpt == "e2\ne3\n")
    }

    @Test func patternsAreConfigurableAndCaseSensitive() {
        let d = ErrorDetector.scan(
            lines: ["error: lower case", "panic: at the disco", "fine"],
            configuration: .init(patterns: ["panic"])
        )
        #expect(d.matchedPatterns == ["panic"])
        #expect(d.matchCount == 1)
        #expect(!ErrorDetector.scan(lines: ["error: lower case"]).detected)
    }

    @Test func longLinesAreLookedAtUpToTheLimit() {
        var d = ErrorDetector(configuration: .init(maxLineBytes: 32))
        d.feed(Array((String(repeating: "x", count: 100) + "ERROR\n").utf8), from: .stderr)
        d.feed(Array("ERROR".utf8) + Array(repeating: UInt8(ascii: "y"), count: 10_000), from: .stderr)
        d.finish()
        #expect(d.matchCount == 1)
        #expect(d.firstMatch?.utf8.count == 32)
    }

    @Test func theOutcomeBuildsSeedPayloadAndNarrative() throws {
        var d = ErrorDetector()
        d.observe(line: "Traceback (most recent call last):", from: .stderr)
        let outcome = CommandOutcome(
            arguments: ["npm", "run", "build"],
            exitCode: 1,
            detector: d,
            resolution: "npm install"
        )
        #expect(outcome.isError)
        #expect(
            outcome.narrative(agent: "build")
                == "build ran `npm run build`; it failed with exit code 1 after printing \"Traceback (most recent call last):\"; resolution: npm install"
        )
        let e = outcome.event(agent: "build", encoder: EventEncoder(timeZone: .utc))
        #expect(e.type == "agent.error")
        #expect(e.id != nil)
        #expect(e.data["command"]?.stringValue == "npm run build")
        #expect(e.data["stderr"]?.stringValue == "Traceback (most recent call last):\n")
        #expect(e.data["exit_code"]?.intValue == 1)
        #expect(e.data["resolution"]?.stringValue == "npm install")
        let quiet = CommandOutcome(arguments: ["true"], exitCode: 0, detector: ErrorDetector())
        #expect(!quiet.isError)
        #expect(ShellQuoting.join(["echo", "it's here", "a=b"]) == #"echo 'it'\''s here' a=b"#)
    }
}

extension ErrorDetectorTests {
    @Test func theLastLinesOfStderrFollowTheMatchSoATracebackShowsItsException() {
        var d = ErrorDetector(configuration: .init(contextLines: 1, tailLines: 2))
        let lines = [
            "Traceback (most recent call last):", "  File \"a.py\", line 1", "    x()", "  File \"b.py\", line 9",
            "    raise", "KeyError: 'name'",
        ]
        for line in lines { d.observe(line: line, from: .stderr) }
        #expect(
            d.excerpt == "Traceback (most recent call last):\n  File \"a.py\", line 1\n…\n    raise\nKeyError: 'name'\n"
        )
    }
}
