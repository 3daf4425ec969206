/// The ledger's rules for names that reach file paths or the line format, each with a clear error.
public enum Identifiers {
    /// The rule for agent ids, as people read it.
    public static let agentRule = "[a-z0-9][a-z0-9._-]{0,63} without \"..\""
    /// The rule for event types, as people read it.
    public static let eventTypeRule = "[a-z0-9][a-z0-9_.:-]{0,127}"
    /// The rule for session ids, as people read it.
    public static let sessionRule = "[A-Za-z0-9][A-Za-z0-9._:-]{0,127} without \"..\""

    /// Checks an agent id: `[a-z0-9][a-z0-9._-]{0,63}`, never containing `..`.
    public static func validateAgent(_ agent: String) throws(LedgerError) {
        guard isValidAgent(agent) else {
            throw LedgerError(.invalidAgentID, "agent id \(quoted(agent)) is invalid: use \(agentRule)")
        }
    }

    /// Whether `agent` is a valid agent id.
    @inline(__always)
    public static func isValidAgent(_ agent: String) -> Bool {
        check(agent, maxLength: 64, forbidDoubleDot: true, AgentBytes.self)
    }

    /// Checks an event type: `[a-z0-9][a-z0-9_.:-]{0,127}`.
    public static func validateEventType(_ type: String) throws(LedgerError) {
        guard isValidEventType(type) else {
            throw LedgerError(.invalidEventType, "event type \(quoted(type)) is invalid: use \(eventTypeRule)")
        }
    }

    /// Whether `type` is a valid event type.
    @inline(__always)
    public static func isValidEventType(_ type: String) -> Bool {
        check(type, maxLength: 128, forbidDoubleDot: false, EventTypeBytes.self)
    }

    /// Checks a session id, which names a summary file: `[A-Za-z0-9][A-Za-z0-9._:-]{0,127}`, never `..`.
    public static func validateSession(_ session: String) throws(LedgerError) {
        guard isValidSession(session) else {
            throw LedgerError(.invalidField, "session id \(quoted(session)) is invalid: use \(sessionRule)")
        }
    }

    /// Whether `session` is a valid session id.
    @inline(__always)
    public static func isValidSession(_ session: String) -> Bool {
        check(session, maxLength: 128, forbidDoubleDot: true, SessionBytes.self)
    }

    /// Checks free text carried in a field (task id, source, persona): at most `maxBytes` bytes.
    /// Any character is fine: the line encoder escapes what JSON needs escaped.
    @inline(__always)
    public static func validateText(_ text: String, field: String, maxBytes: Int) throws(LedgerError) {
        let count = text.utf8.count
        guard count <= maxBytes else {
            throw LedgerError(.invalidField, "\(field) is \(count) bytes long: the limit is \(maxBytes)")
        }
    }

    @inline(__always)
    static func check<Bytes: ByteClass>(
        _ s: String,
        maxLength: Int,
        forbidDoubleDot: Bool,
        _ bytes: Bytes.Type
    ) -> Bool {
        let result = s.utf8.withContiguousStorageIfAvailable { u -> Bool in
            guard u.count > 0, u.count <= maxLength, Bytes.allowedFirst(u[0]) else { return false }
            var previousDot = false
            for c in u {
                if !Bytes.allowed(c) { return false }
                let dot = c == UInt8(ascii: ".")
                if forbidDoubleDot && dot && previousDot { return false }
                previousDot = dot
            }
            return true
        }
        if let result { return result }
        // A string without contiguous UTF-8 (bridged): check a copy.
        return check(
            String(decoding: Array(s.utf8), as: UTF8.self),
            maxLength: maxLength,
            forbidDoubleDot: forbidDoubleDot,
            bytes
        )
    }

    /// A value quoted for an error message, with control characters made visible and length capped.
    public static func quoted(_ s: String) -> String {
        var out = "\""
        for (i, scalar) in s.unicodeScalars.enumerated() {
            if i >= 80 {
                out += "…"
                break
            }
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else if scalar == "\"" {
                out += "\\\""
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// The bytes an identifier may start with and contain. Plain comparisons, resolved at compile
/// time through the generic: no table to load and no call per byte.
protocol ByteClass {
    static func allowedFirst(_ c: UInt8) -> Bool
    static func allowed(_ c: UInt8) -> Bool
}

extension ByteClass {
    @inline(__always) static func isLowerAlnum(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
    }
    @inline(__always) static func isPunctuation(_ c: UInt8) -> Bool {
        c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
    }
}

/// `[a-z0-9][a-z0-9._-]*`
enum AgentBytes: ByteClass {
    @inline(__always) static func allowedFirst(_ c: UInt8) -> Bool { isLowerAlnum(c) }
    @inline(__always) static func allowed(_ c: UInt8) -> Bool { isLowerAlnum(c) || isPunctuation(c) }
}

/// `[a-z0-9][a-z0-9_.:-]*`
enum EventTypeBytes: ByteClass {
    @inline(__always) static func allowedFirst(_ c: UInt8) -> Bool { isLowerAlnum(c) }
    @inline(__always) static func allowed(_ c: UInt8) -> Bool {
        isLowerAlnum(c) || isPunctuation(c) || c == UInt8(ascii: ":")
    }
}

/// `[A-Za-z0-9][A-Za-z0-9._:-]*`
enum SessionBytes: ByteClass {
    @inline(__always) static func allowedFirst(_ c: UInt8) -> Bool {
        isLowerAlnum(c) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
    }
    @inline(__always) static func allowed(_ c: UInt8) -> Bool {
        allowedFirst(c) || isPunctuation(c) || c == UInt8(ascii: ":")
    }
}
