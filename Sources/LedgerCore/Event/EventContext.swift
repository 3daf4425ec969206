/// Which process and terminal an event came from (seed 001 §2).
public struct EventContext: Sendable, Hashable {
    public var terminalID: String?
    public var pid: Int32?
    public var pgid: Int32?
    public var term: String?
    public var tty: String?
    public var session: String?

    public init(
        terminalID: String? = nil,
        pid: Int32? = nil,
        pgid: Int32? = nil,
        term: String? = nil,
        tty: String? = nil,
        session: String? = nil
    ) {
        self.terminalID = terminalID
        self.pid = pid
        self.pgid = pgid
        self.term = term
        self.tty = tty
        self.session = session
    }

    /// The context as a JSON object with seed 001's keys; absent fields are omitted.
    public var jsonObject: JSONObject {
        var o = JSONObject()
        if let terminalID { o.appendUnchecked("terminal_id", .string(terminalID)) }
        if let pid { o.appendUnchecked("pid", .int(Int64(pid))) }
        if let pgid { o.appendUnchecked("pgid", .int(Int64(pgid))) }
        if let term { o.appendUnchecked("term", .string(term)) }
        if let tty { o.appendUnchecked("tty", .string(tty)) }
        if let session { o.appendUnchecked("session", .string(session)) }
        return o
    }

    /// Reads seed 001's keys from an object; unknown keys are ignored.
    public init(_ object: JSONObject) {
        terminalID = object["terminal_id"]?.stringValue
        pid = object["pid"]?.intValue.map { Int32(truncatingIfNeeded: $0) }
        pgid = object["pgid"]?.intValue.map { Int32(truncatingIfNeeded: $0) }
        term = object["term"]?.stringValue
        tty = object["tty"]?.stringValue
        session = object["session"]?.stringValue
    }
}
