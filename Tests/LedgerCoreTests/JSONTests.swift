import LedgerCore
import Testing

@Suite struct JSONTests {
    func roundTrip(_ text: String) throws -> String {
        try JSONParser.parse(text).jsonString
    }

    @Test func compactValuesRoundTripExactly() throws {
        let samples = [
            #"{"a":1,"b":[true,false,null],"c":{"d":"e"},"f":-12,"g":1.5,"h":""}"#,
            #"[]"#, #"{}"#, #"0"#, #"-0.25"#, #""text""#, #"[1e-07,12345678901234567]"#,
            #"{"z":1,"a":2}"#,
        ]
        for s in samples {
            #expect(try roundTrip(s) == s, "\(s)")
        }
    }

    @Test func escapesFollowRFC8259() throws {
        let value: JSONValue = .string(
            "quote \" backslash \\ slash / newline \n tab \t cr \r bell \u{07} nul \u{00} del \u{7F}"
        )
        let text = value.jsonString
        #expect(
            text == #""quote \" backslash \\ slash / newline \n tab \t cr \r bell \u0007 nul \u0000 del "# + "\u{7F}\""
        )
        #expect(try JSONParser.parse(text) == value)
    }

    @Test func emojiAndNonASCIIPassThroughAsUTF8() throws {
        let value: JSONValue = ["text": "héllo 世界 🚀👩‍💻"]
        let text = value.jsonString
        #expect(text == #"{"text":"héllo 世界 🚀👩‍💻"}"#)
        #expect(try JSONParser.parse(text) == value)
    }

    @Test func escapedSurrogatePairsDecode() throws {
        #expect(try JSONParser.parse(#""\ud83d\ude80""#) == .string("🚀"))
        #expect(try JSONParser.parse(#""\u00e9\u4e16""#) == .string("é世"))
    }

    @Test func loneSurrogatesAreRefused() {
        for text in [#""\ud800""#, #""\udc00""#, #""\ud800x""#, #""\ud800\u0041""#] {
            #expect(throws: LedgerError.self, "\(text)") { try JSONParser.parse(text) }
        }
    }

    @Test func invalidUTF8IsRefused() {
        let bytes: [UInt8] = Array(#"{"a":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect {
            try JSONParser.parse(bytes)
        } throws: { error in
            (error as? LedgerError)?.code == .invalidUTF8
        }
    }

    @Test func malformedTextGivesAClearError() {
        let cases = [#"{"a":1"#, #"{"a" 1}"#, #"[1,]"#, #"01"#, #"nul"#, #"{"a":1} x"#, "\"a\nb\"", #"1."#, ""]
        for text in cases {
            #expect(throws: LedgerError.self, "\(text)") { try JSONParser.parse(text) }
        }
    }

    @Test func deepNestingIsRefusedWithoutOverflowingTheStack() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: LedgerError.self) { try JSONParser.parse(deep) }
        let ok = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect((try? JSONParser.parse(ok)) != nil)
    }

    @Test func numbersKeepTheirKind() throws {
        #expect(try JSONParser.parse("42") == .int(42))
        #expect(try JSONParser.parse("-9223372036854775808") == .int(Int64.min))
        #expect(try JSONParser.parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(try JSONParser.parse("2.0") == .double(2))
        #expect(JSONValue.double(2).jsonString == "2.0")
        #expect(JSONValue.double(0.1).jsonString == "0.1")
        #expect(throws: LedgerError.self) { try JSONParser.parse("1e999") }
    }

    @Test func nonFiniteNumbersAreFound() {
        let value: JSONValue = ["a": ["b": [1, .double(.nan)]]]
        #expect(value.firstNonFiniteNumberPath == "a.b[1]")
        #expect((["ok": 1.5] as JSONValue).firstNonFiniteNumberPath == nil)
    }

    @Test func objectsKeepInsertionOrderAndReplaceInPlace() {
        var o: JSONObject = ["b": 1, "a": 2]
        o["b"] = 3
        o["c"] = 4
        #expect(o.keys == ["b", "a", "c"])
        o["a"] = nil
        #expect(JSONValue.object(o).jsonString == #"{"b":3,"c":4}"#)
    }
}
