/// Writes a ``LedgerEvent`` as one JSON line and reads it back.
///
/// Writing goes straight into bytes and allocates nothing beyond the buffer's growth.
/// A line read back and written again gives the same bytes.
public enum EventLine {
    /// Appends the event's JSON object and a final `\n` to a byte array.
    public static func write(_ e: LedgerEvent, into out: inout [UInt8]) {
        StagedBytes.withStaging(&out) { write(e, into: &$0) }
    }

    /// Appends the event's JSON object and a final `\n`.
    public static func write(_ e: LedgerEvent, into out: inout StagedBytes) {
        write(e, id: e.id, utcOffsetSeconds: e.utcOffsetSeconds, tsUnix: e.tsUnix, context: e.context, into: &out)
    }

    /// Appends the line of `e` with `id`, the offset, `ts_unix` and `context` given apart from the
    /// event, so that the emitter can write what it fills in without copying the event first.
    /// `fallbackContext` is written when `context` is `nil`: both are borrowed, neither is copied.
    @inline(__always)
    public static func write(
        _ e: LedgerEvent,
        id: EventID?,
        utcOffsetSeconds: Int32,
        tsUnix: Double?,
        context: EventContext?,
        fallbackContext: EventContext? = nil,
        identifiersChecked: Bool = false,
        into out: inout StagedBytes
    ) {
        JSONWriter.appendLiteral(#"{"ts":""#, into: &out)
        ThreadMemo.with { $0.writeISO8601(e.timestamp, utcOffsetSeconds: utcOffsetSeconds, useZ: false, into: &out) }
        out.append(UInt8(ascii: "\""))
        if let tsUnix {
            JSONWriter.appendLiteral(#","ts_unix":"#, into: &out)
            writeUnixSeconds(tsUnix, into: &out)
        }
        if let id {
            JSONWriter.appendLiteral(#","id":""#, into: &out)
            id.write(into: &out)
            out.append(UInt8(ascii: "\""))
        }
        JSONWriter.appendLiteral(#","agent":"#, into: &out)
        if identifiersChecked {
            // Checked against the identifier rules: nothing in them needs escaping.
            writeChecked(e.agent, into: &out)
            JSONWriter.appendLiteral(#","session_id":"#, into: &out)
            if let session = e.sessionID {
                writeChecked(session, into: &out)
            } else {
                JSONWriter.appendLiteral("null", into: &out)
            }
            JSONWriter.appendLiteral(#","event":"#, into: &out)
            writeChecked(e.type, into: &out)
        } else {
            JSONWriter.writeString(e.agent, into: &out)
            JSONWriter.appendLiteral(#","session_id":"#, into: &out)
            writeOptional(e.sessionID, into: &out)
            JSONWriter.appendLiteral(#","event":"#, into: &out)
            JSONWriter.writeString(e.type, into: &out)
        }
        JSONWriter.appendLiteral(#","task_id":"#, into: &out)
        writeOptional(e.taskID, into: &out)
        JSONWriter.appendLiteral(#","source":"#, into: &out)
        writeOptional(e.source, into: &out)
        JSONWriter.appendLiteral(#","summary":"#, into: &out)
        writeOptional(e.summary, into: &out)
        JSONWriter.appendLiteral(#","data":"#, into: &out)
        JSONWriter.write(e.data, into: &out)
        if let personaID = e.personaID {
            JSONWriter.appendLiteral(#","persona_id":"#, into: &out)
            JSONWriter.writeString(personaID, into: &out)
        }
        if let meta = e.meta {
            JSONWriter.appendLiteral(#","meta":"#, into: &out)
            JSONWriter.writeObject(meta, into: &out)
        }
        if let context {
            JSONWriter.appendLiteral(#","context":"#, into: &out)
            JSONWriter.writeObject(context.jsonObject, into: &out)
        } else if let fallbackContext {
            JSONWriter.appendLiteral(#","context":"#, into: &out)
            JSONWriter.writeObject(fallbackContext.jsonObject, into: &out)
        }
        for (k, v) in e.extra {
            out.append(UInt8(ascii: ","))
            JSONWriter.writeKey(k, into: &out)
            JSONWriter.write(v, into: &out)
        }
        JSONWriter.appendLiteral("}\n", into: &out)
    }

    /// The event's line, with its final `\n`.
    public static func bytes(_ e: LedgerEvent) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(e, into: &out)
        return out
    }

    /// Writes a string that passed an identifier rule, quoted, without looking for what to escape.
    @inline(__always)
    static func writeChecked(_ s: String, into out: inout StagedBytes) {
        out.append(UInt8(ascii: "\""))
        let done: Void? = s.utf8.withContiguousStorageIfAvailable { out.append(contentsOf: $0) }
        if done == nil {
            var copy = s
            copy.withUTF8 { out.append(contentsOf: $0) }
        }
        out.append(UInt8(ascii: "\""))
    }

    @inline(__always)
    static func writeOptional(_ s: String?, into out: inout StagedBytes) {
        if let s {
            JSONWriter.writeString(s, into: &out)
        } else {
            JSONWriter.appendLiteral("null", into: &out)
        }
    }

    /// Writes seconds with exactly three decimals (`1731723154.123`).
    static func writeUnixSeconds(_ seconds: Double, into out: inout StagedBytes) {
        let ms = Int64((seconds * 1000).rounded())
        let whole = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let frac = ms - whole * 1000
        JSONWriter.writeInt(whole, into: &out)
        out.append(UInt8(ascii: "."))
        out.append(UInt8(ascii: "0") &+ UInt8(frac / 100))
        out.append(UInt8(ascii: "0") &+ UInt8((frac / 10) % 10))
        out.append(UInt8(ascii: "0") &+ UInt8(frac % 10))
    }

    /// Parses one line (without or with its final `\n`) into an event.
    ///
    /// - Throws: `LedgerError` with `invalidJSON` for text that is not a JSON object with a valid
    ///   `ts`, `agent` and `event`, `invalidUTF8` for bytes that are not UTF-8.
    public static func parse(_ line: some Collection<UInt8>) throws(LedgerError) -> LedgerEvent {
        let value = try JSONParser.parse(line)
        guard case .object(let o) = value else {
            throw LedgerError(.invalidJSON, "a ledger line must be a JSON object")
        }
        return try event(from: o)
    }

    /// Parses one line of text into an event.
    public static func parse(_ line: String) throws(LedgerError) -> LedgerEvent {
        try parse(Array(line.utf8))
    }

    /// Builds an event from a parsed JSON object; members the ledger does not know go into `extra`.
    public static func event(from o: JSONObject) throws(LedgerError) -> LedgerEvent {
        guard let tsText = o["ts"]?.stringValue else {
            throw LedgerError(.invalidJSON, "a ledger line needs \"ts\" as a string")
        }
        guard let parsedTS = TimestampFormat.parseISO8601(tsText) else {
            throw LedgerError(
                .invalidJSON,
                "\"ts\" \(Identifiers.quoted(tsText)) is not an ISO 8601 time with an offset like 2025-11-16T02:12:34.123+07:00"
            )
        }
        guard let agent = o["agent"]?.stringValue else {
            throw LedgerError(.invalidJSON, "a ledger line needs \"agent\" as a string")
        }
        guard let type = (o["event"] ?? o["type"])?.stringValue else {
            throw LedgerError(.invalidJSON, "a ledger line needs \"event\" as a string")
        }
        var e = LedgerEvent(
            timestamp: parsedTS.timestamp,
            utcOffsetSeconds: parsedTS.utcOffsetSeconds,
            agent: agent,
            type: type
        )
        for (k, v) in o {
            switch k {
            case "ts", "agent", "event": continue
            case "type" where o["event"] == nil: continue
            case "id":
                if let s = v.stringValue, let id = EventID(s) { e.id = id } else { e.extra.appendUnchecked(k, v) }
            case "session_id": e.sessionID = v.stringValue
            case "task_id": e.taskID = v.stringValue
            case "source": e.source = v.stringValue
            case "summary": e.summary = v.stringValue
            case "data": e.data = v
            case "persona_id": e.personaID = v.stringValue
            case "ts_unix": e.tsUnix = v.doubleValue
            case "meta":
                if let m = v.objectValue { e.meta = m } else { e.extra.appendUnchecked(k, v) }
            case "context":
                if let c = v.objectValue { e.context = EventContext(c) } else { e.extra.appendUnchecked(k, v) }
            default:
                e.extra.appendUnchecked(k, v)
            }
        }
        return e
    }
}
