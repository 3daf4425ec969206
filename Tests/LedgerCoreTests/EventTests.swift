import LedgerCore
import Testing

@Suite struct EventTests {
    let encoder = EventEncoder(timeZone: try! LedgerTimeZone.parse("+07:00"))
    let t = TimestampFormat.parseISO8601("2025-11-16T02:12:34.123+07:00")!.timestamp

    @Test func linesHaveSeed000FieldsInOrder() throws {
        var e = LedgerEvent(
            id: EventID("01JCT5V1X6Q2M3N4P5R6S7T8V9"),
            timestamp: t,
            agent: "cls",
            type: "task_result",
            sessionID: "2025-11-16_cls_001",
            taskID: "wo-251116-agents-layout",
            source: "gg_orchestrator",
            summary: "Completed /agents layout SPEC + PLAN",
            data: ["status": "success", "duration_sec": 132, "files_touched": ["path1", "path2"]]
        )
        var out: [UInt8] = []
        try encoder.encode(&e, into: &out)
        let expected =
            #"{"ts":"2025-11-16T02:12:34.123+07:00","id":"01JCT5V1X6Q2M3N4P5R6S7T8V9","agent":"cls","session_id":"2025-11-16_cls_001","event":"task_result","task_id":"wo-251116-agents-layout","source":"gg_orchestrator","summary":"Completed /agents layout SPEC + PLAN","data":{"status":"success","duration_sec":132,"files_touched":["path1","path2"]}}"#
            + "\n"
        #expect(String(decoding: out, as: UTF8.self) == expected)
    }

    @Test func absentFieldsAreNullAndOptionalOnesOmitted() throws {
        var e = LedgerEvent(timestamp: t, agent: "cls", type: "heartbeat")
        var out: [UInt8] = []
        try encoder.encode(&e, into: &out)
        let text = String(decoding: out, as: UTF8.self)
        #expect(
            text.contains(
                #""session_id":null,"event":"heartbeat","task_id":null,"source":null,"summary":null,"data":{}}"#
            )
        )
        #expect(!text.contains("persona_id"))
        #expect(!text.contains("context"))
        #expect(!text.contains("ts_unix"))
    }

    @Test func linesReadBackToTheSameBytes() throws {
        var e = LedgerEvent(
            timestamp: t,
            agent: "cls",
            type: "eval",
            taskID: "t\"1",
            summary: "line\nbreak and emoji 🚀",
            data: ["quality": 0.85, "nested": ["a": [1, 2, nil]]],
            personaID: "gitko",
            meta: ["user": "primary"],
            context: EventContext(
                terminalID: "liku:2.1",
                pid: 12345,
                pgid: 12345,
                term: "xterm",
                tty: "/dev/pts/3",
                session: "s"
            )
        )
        var encoderWithUnix = encoder
        encoderWithUnix.includeUnixTime = true
        var out: [UInt8] = []
        try encoderWithUnix.encode(&e, into: &out)
        let parsed = try EventLine.parse(out.dropLast())
        #expect(parsed == e)
        #expect(EventLine.bytes(parsed) == out)
    }

    @Test func unknownMembersSurviveARoundTrip() throws {
        let line =
            #"{"ts":"2025-11-16T02:12:34.123+07:00","agent":"cls","session_id":null,"event":"x","task_id":null,"source":null,"summary":null,"data":{},"quality":0.5}"#
        let e = try EventLine.parse(line)
        #expect(e.extra["quality"] == .double(0.5))
        #expect(String(decoding: EventLine.bytes(e), as: UTF8.self) == line + "\n")
    }

    @Test func invalidEventsAreRefusedWithClearErrors() {
        func code(_ e: LedgerEvent, _ enc: EventEncoder? = nil) -> LedgerError.Code? {
            var copy = e
            var out: [UInt8] = []
            do {
                try (enc ?? encoder).encode(&copy, into: &out)
                return nil
            } catch {
                #expect(out.isEmpty)
                return error.code
            }
        }
        #expect(code(LedgerEvent(timestamp: t, agent: "../x", type: "info")) == .invalidAgentID)
        #expect(code(LedgerEvent(timestamp: t, agent: "cls", type: "Bad Type")) == .invalidEventType)
        #expect(
            code(LedgerEvent(timestamp: t, agent: "cls", type: "info", data: ["x": .double(.nan)])) == .invalidNumber
        )
        #expect(
            code(LedgerEvent(timestamp: t, agent: "cls", type: "info", data: ["x": .double(.infinity)]))
                == .invalidNumber
        )
        #expect(code(LedgerEvent(timestamp: t, agent: "cls", type: "info", sessionID: "../../etc")) == .invalidField)
        let big = String(repeating: "x", count: 2 << 20)
        #expect(code(LedgerEvent(timestamp: t, agent: "cls", type: "info", summary: big)) == .eventTooLarge)
        var strict = encoder
        strict.strict = true
        #expect(code(LedgerEvent(timestamp: t, agent: "cls", type: "made_up"), strict) == .unknownEventType)
        #expect(code(LedgerEvent(timestamp: t, agent: "cls", type: "task_start"), strict) == nil)
        #expect(code(LedgerEvent(timestamp: t, agent: "cls", type: "made_up")) == nil)
    }

    @Test func errorMessagesSayWhatToDo() {
        #expect {
            try Identifiers.validateAgent("../x")
        } throws: { error in
            (error as? LedgerError)?.message
                == #"agent id "../x" is invalid: use [a-z0-9][a-z0-9._-]{0,63} without "..""#
        }
    }

    @Test func agentIDsFollowTheRule() {
        for ok in ["cls", "a", "agent-1", "a.b_c-d", "0", String(repeating: "a", count: 64)] {
            #expect(Identifiers.isValidAgent(ok), "\(ok)")
        }
        for bad in [
            "", "-x", ".x", "_x", "A", "a/b", "a..b", "..", "a\u{0}", "a\nb", "é", String(repeating: "a", count: 65),
            "аgent",
        ] {
            #expect(!Identifiers.isValidAgent(bad), "\(bad)")
        }
    }

    @Test func eventTypesFollowTheRule() {
        for ok in ["task_start", "agent.error", "ledger:run", "approval.plan.review", "a-b"] {
            #expect(Identifiers.isValidEventType(ok), "\(ok)")
        }
        for bad in ["", "Task", ".x", "a b", "a/b", String(repeating: "a", count: 129)] {
            #expect(!Identifiers.isValidEventType(bad), "\(bad)")
        }
    }

    @Test func theCatalogueHoldsEverySeedsTypes() {
        for type in [
            "heartbeat", "task_start", "task_result", "error", "info", "task_started", "alert_triggered",
            "guidance.append", "approval.policy.set", "agent.error", "session_end", "ledger.dropped",
        ] {
            #expect(EventCatalog.contains(type), "\(type)")
        }
        #expect(EventCatalog.all.allSatisfy(Identifiers.isValidEventType))
    }

    @Test func idsAreUniqueOrderedAndReadBack() {
        let gen = EventIDGenerator()
        var previous: EventID?
        var seen = Set<EventID>()
        for i in 0..<10_000 {
            let id = gen.next(at: Timestamp(milliseconds: 1_700_000_000_000 + Int64(i / 100)))
            if let previous { #expect(previous < id) }
            previous = id
            seen.insert(id)
            #expect(EventID(id.description) == id)
            #expect(id.description.count == 26)
        }
        #expect(seen.count == 10_000)
        #expect(previous!.milliseconds == 1_700_000_000_099)
        #expect(EventID("not-an-id") == nil)
        #expect(EventID("8ZZZZZZZZZZZZZZZZZZZZZZZZZ") == nil)
    }

    @Test func idsOfEventsBefore1970SortFirst() {
        let gen = EventIDGenerator()
        let old = gen.next(at: Timestamp(milliseconds: -86_400_000))
        let epoch = gen.next(at: Timestamp(milliseconds: 0))
        let recent = gen.next(at: Timestamp(milliseconds: 1_700_000_000_000))
        #expect(old.milliseconds == 0)
        #expect(old < epoch && epoch < recent)
    }

    @Test func sessionIDsFollowTheRule() {
        for ok in ["2025-11-16_cls_001", "S1", "a:b.c-d_e", String(repeating: "A", count: 128)] {
            #expect(Identifiers.isValidSession(ok), "\(ok)")
        }
        for bad in ["", "-x", ".x", "a..b", "a/b", "a b", "a\u{0}", "é", String(repeating: "a", count: 129)] {
            #expect(!Identifiers.isValidSession(bad), "\(bad)")
        }
    }
}
