import Testing

@testable import LedgerCore

/// The emitter's shortcuts (the per-thread memo of checked strings and of the last second's text,
/// the short-copy and digit paths of the staging buffer, the literal that adopts its array) must
/// give exactly what the plain code gives.
@Suite struct EncodingShortcutTests {
    private func memoText(_ t: Timestamp, offset: Int32, useZ: Bool = false) -> String {
        var bytes: [UInt8] = []
        StagedBytes.withStaging(&bytes) { out in
            ThreadMemo.with { $0.writeISO8601(t, utcOffsetSeconds: offset, useZ: useZ, into: &out) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func plainText(_ t: Timestamp, offset: Int32, useZ: Bool = false) -> String {
        var bytes: [UInt8] = []
        TimestampFormat.writeISO8601(t, utcOffsetSeconds: offset, useZ: useZ, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func memoizedTimestampsMatchThePlainFormatterAcrossBoundaries() {
        // Around a second, a minute, a day, a year, the epoch, and near both ends of what a timestamp holds.
        let instants: [Int64] = [
            1_731_723_154_123, 1_731_723_154_999, 1_731_723_155_000, 1_731_723_155_001, 1_731_723_179_999,
            1_731_723_180_000, 1_735_689_599_999, 1_735_689_600_000, 0, -1, -999, -1_000, -1_001,
            -9_200_000_000_000, 9_200_000_000_000, 1_731_723_154_123,
        ]
        let offsets: [Int32] = [0, 25_200, -18_000, 19_800, -34_200, 50_400]
        for offset in offsets {
            for useZ in [false, true] {
                for ms in instants {
                    let t = Timestamp(milliseconds: ms)
                    #expect(memoText(t, offset: offset, useZ: useZ) == plainText(t, offset: offset, useZ: useZ))
                }
            }
        }
        // A run of milliseconds through several seconds, as an emitter sees them.
        for ms in stride(from: Int64(1_731_723_154_000), to: 1_731_723_157_500, by: 7) {
            let t = Timestamp(milliseconds: ms)
            #expect(memoText(t, offset: 25_200) == plainText(t, offset: 25_200))
        }
    }

    @Test func theEndsOfWhatATimestampHoldsAreWrittenLikeThePlainFormatter() {
        for t in [Timestamp(nanoseconds: .max), Timestamp(nanoseconds: .min), Timestamp(nanoseconds: 0)] {
            for offset: Int32 in [0, 50_400, -43_200] {
                #expect(memoText(t, offset: offset) == plainText(t, offset: offset))
            }
        }
        #expect(memoText(Timestamp(milliseconds: 1_000), offset: 0) == "1970-01-01T00:00:01.000+00:00")
    }

    @Test func aStringThatPassedOneRuleIsStillCheckedAgainstAnother() {
        let encoder = EventEncoder(timeZone: .utc)
        let now = Timestamp(milliseconds: 1_731_723_154_123)
        // Valid as a session id (capitals, colon), not as an agent id or an event type.
        let session = "Run:2025-11-16_A"
        #expect(throws: Never.self) {
            try encoder.validate(LedgerEvent(timestamp: now, agent: "cls", type: "heartbeat", sessionID: session))
        }
        #expect(throws: LedgerError.self) {
            try encoder.validate(LedgerEvent(timestamp: now, agent: session, type: "heartbeat"))
        }
        #expect(throws: LedgerError.self) {
            try encoder.validate(LedgerEvent(timestamp: now, agent: "cls", type: session))
        }
    }

    @Test func invalidIdentifiersAreRefusedAmongManyValidOnes() {
        let encoder = EventEncoder(timeZone: .utc)
        let now = Timestamp(milliseconds: 1_731_723_154_123)
        // Enough distinct strings to evict each other from the memo many times over.
        var agents: [String] = []
        for i in 0..<2_000 {
            let agent = "agent-\(i)-" + String(repeating: "x", count: i % 40)
            agents.append(agent)
            #expect(throws: Never.self) {
                try encoder.validate(
                    LedgerEvent(timestamp: now, agent: agent, type: "task_result", sessionID: "s-\(i)")
                )
            }
        }
        for bad in ["Agent", "a..b", "", ".x", "a b", String(repeating: "a", count: 65), "agent-1/..", "é"] {
            #expect(throws: LedgerError.self) {
                try encoder.validate(LedgerEvent(timestamp: now, agent: bad, type: "task_result"))
            }
            #expect(throws: LedgerError.self) {
                try encoder.validate(
                    LedgerEvent(timestamp: now, agent: "cls", type: "task_result", sessionID: bad + "..")
                )
            }
        }
        // Strings built again with the same text (new storage) still pass, and are written the same.
        for agent in agents.prefix(50) {
            let rebuilt = String(decoding: Array(agent.utf8), as: UTF8.self)
            #expect(throws: Never.self) {
                try encoder.validate(LedgerEvent(timestamp: now, agent: rebuilt, type: "task_result"))
            }
        }
    }

    @Test func checkedIdentifiersAreWrittenLikeEscapedOnes() throws {
        let encoder = EventEncoder(timeZone: try LedgerTimeZone.parse("+07:00"))
        let event = LedgerEvent(
            id: EventID("01JCT5V1X6Q2M3N4P5R6S7T8V9"),
            timestamp: Timestamp(milliseconds: 1_731_723_154_123),
            agent: "a-very-long-agent.name_with-parts",
            type: "agent.task:done",
            sessionID: "Session:2025-11-16_a-very-long-agent.name_001",
            taskID: "t\"1",
            summary: "line\nbreak",
            data: ["n": -9_223_372_036_854_775_808, "m": 9_223_372_036_854_775_807, "z": 0, "t": 10, "u": -1]
        )
        try encoder.validate(event)
        let stamp = encoder.stamp(event)
        var fast: [UInt8] = []
        StagedBytes.withStaging(&fast) { encoder.writeLine(event, stamp: stamp, into: &$0) }
        var completed = event
        encoder.apply(stamp, to: &completed)
        let plain = EventLine.bytes(completed)
        #expect(fast == plain)
        let text = String(decoding: plain, as: UTF8.self)
        #expect(text.contains(#""n":-9223372036854775808,"m":9223372036854775807,"z":0,"t":10,"u":-1"#))
        #expect(try EventLine.parse(fast) == completed)
    }

    @Test func theStagedLineTakesTheEventsContextOrElseTheEncodersLikeTheCompletedEvent() throws {
        let own = EventContext(terminalID: "term-own", pid: 7, term: "xterm")
        let configured = EventContext(terminalID: "term-configured", pid: 42, pgid: 42, tty: "/dev/pts/3")
        for (eventContext, encoderContext) in [(nil, nil), (nil, configured), (own, nil), (own, configured)] {
            let encoder = EventEncoder(timeZone: try LedgerTimeZone.parse("Z"), context: encoderContext)
            let event = LedgerEvent(
                timestamp: Timestamp(milliseconds: 1_731_723_154_123),
                agent: "cls",
                type: "info",
                data: ["k": "v"],
                context: eventContext
            )
            let stamp = encoder.stamp(event)
            var staged: [UInt8] = []
            StagedBytes.withStaging(&staged) { encoder.writeLine(event, stamp: stamp, into: &$0) }
            var completed = event
            encoder.apply(stamp, to: &completed)
            #expect(completed.context == (eventContext ?? encoderContext))
            #expect(staged == EventLine.bytes(completed))
            #expect(try EventLine.parse(staged).context == (eventContext ?? encoderContext))
        }
    }

    /// The escaping the writer must match, one byte at a time.
    private func referenceEscaped(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for b in bytes {
            switch b {
            case UInt8(ascii: "\""): out += Array(#"\""#.utf8)
            case UInt8(ascii: "\\"): out += Array(#"\\"#.utf8)
            case 0x0A: out += Array(#"\n"#.utf8)
            case 0x0D: out += Array(#"\r"#.utf8)
            case 0x09: out += Array(#"\t"#.utf8)
            case 0x08: out += Array(#"\b"#.utf8)
            case 0x0C: out += Array(#"\f"#.utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += Array(#"\u00"#.utf8) + [hex[Int(b >> 4)], hex[Int(b & 15)]]
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
        return out
    }

    @Test func stringsOfEveryShortLengthAreEscapedAtEveryPosition() {
        let specials: [[UInt8]] = [[0x22], [0x5C], [0x0A], [0x1F], [0x00], [0x7F], Array("é".utf8), [0x20], [0x21]]
        for length in 0...40 {
            let plain = (0..<length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
            var cases: [[UInt8]] = [plain]
            for position in 0..<max(length, 1) {
                for special in specials {
                    var b = plain
                    if length > 0 { b.replaceSubrange(position..<position + 1, with: special) } else { b = special }
                    cases.append(b)
                }
            }
            for bytes in cases {
                var out: [UInt8] = []
                StagedBytes.withStaging(&out) { staged in
                    bytes.withUnsafeBufferPointer { JSONWriter.writeStringBytes($0, into: &staged) }
                }
                #expect(out == referenceEscaped(bytes), "\(bytes)")
                // And through a String (small and large ones take different paths).
                var viaString: [UInt8] = []
                JSONWriter.writeString(String(decoding: bytes, as: UTF8.self), into: &viaString)
                #expect(viaString == referenceEscaped(Array(String(decoding: bytes, as: UTF8.self).utf8)))
            }
        }
    }

    @Test func idsAreWrittenLikeAPlainBase32EncoderWhetherTheirPrefixIsRememberedOrNot() {
        func reference(_ id: EventID) -> String {
            let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
            var chars: [Character] = []
            var h = id.high
            var l = id.low
            for _ in 0..<26 {
                chars.append(alphabet[Int(l & 31)])
                l = l >> 5 | (h & 31) << 59
                h >>= 5
            }
            return String(chars.reversed())
        }
        var ids: [EventID] = []
        // Runs that share the first 16 characters, runs that differ in each bit of them, and extremes.
        for i in 0..<40 { ids.append(EventID(high: 0x0193_4A5B_6C7D_1234, low: 0xABCD_0000_0000_0000 | UInt64(i))) }
        for bit in 0..<64 {
            ids.append(EventID(high: 1 << UInt64(bit), low: 0x1234_5678_9ABC_DEF0))
            ids.append(EventID(high: 0x0193_4A5B_6C7D_1234, low: 1 << UInt64(bit)))
        }
        ids += [EventID(high: 0, low: 0), EventID(high: .max, low: .max), EventID(high: 0, low: .max)]
        let generator = EventIDGenerator()
        for ms in stride(from: Int64(1_731_723_154_000), to: 1_731_723_154_050, by: 3) {
            ids.append(generator.next(at: Timestamp(milliseconds: ms)))
        }
        for id in ids {
            #expect(id.description == reference(id))
            #expect(EventID(id.description) == id)
        }
    }

    @Test func integersOfEveryLengthAreWrittenExactly() {
        var values: [Int64] = [0, -1, Int64.max, Int64.min, Int64.min + 1]
        var p: Int64 = 1
        for _ in 0..<18 {
            p *= 10
            values += [p - 1, p, p + 1, -(p - 1), -p]
        }
        for v in values {
            var bytes: [UInt8] = []
            JSONWriter.writeInt(v, into: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == String(v))
        }
        // Near the end of the staging buffer, digits make the buffer spill first.
        var long: [UInt8] = []
        StagedBytes.withStaging(&long) { out in
            for _ in 0..<200 {
                JSONWriter.writeInt(Int64.min, into: &out)
                out.append(UInt8(ascii: ","))
            }
        }
        #expect(String(decoding: long, as: UTF8.self) == Array(repeating: String(Int64.min) + ",", count: 200).joined())
    }

    @Test func shortCopiesOfEveryLengthLandWhereTheyShould() {
        let source = (0..<64).map { UInt8(ascii: "a") + UInt8($0 % 26) }
        for length in 0...40 {
            var bytes: [UInt8] = []
            StagedBytes.withStaging(&bytes) { out in
                for round in 0..<60 {
                    source.withUnsafeBufferPointer {
                        out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[round % 7..<round % 7 + length]))
                    }
                }
            }
            var expected: [UInt8] = []
            for round in 0..<60 { expected += source[round % 7..<round % 7 + length] }
            #expect(bytes == expected)
        }
    }

    @Test func objectLiteralsKeepTheFirstPlaceAndTheLastValueOfARepeatedKey() {
        let repeated: JSONObject = ["a": 1, "b": 2, "a": 3]
        #expect(repeated.keys == ["a", "b"])
        #expect(repeated["a"] == .int(3))
        var unique: JSONObject = ["status": "success", "duration_sec": 1, "seq": 7]
        #expect(unique.keys == ["status", "duration_sec", "seq"])
        unique["more"] = "x"
        unique["status"] = nil
        #expect(unique.keys == ["duration_sec", "seq", "more"])
        #expect(JSONValue.object(unique).jsonString == #"{"duration_sec":1,"seq":7,"more":"x"}"#)
        let many = JSONObject((0..<40).map { ("k\($0 % 35)", JSONValue.int(Int64($0))) })
        #expect(many.count == 35)
        #expect(many["k0"] == .int(35))
    }
}
