/// Validates events and writes them as lines, in the caller's thread.
///
/// Shared by the emitter's hot path and every command that writes events, so that the rules
/// (ids, time zone, size cap, strict catalogue) are applied in one place.
public struct EventEncoder: Sendable {
    /// The zone `ts` is written in and day files are chosen by.
    public var timeZone: LedgerTimeZone
    /// Refuse event types outside ``EventCatalog`` when set.
    public var strict: Bool
    /// The largest encoded line accepted, in bytes, including its `\n`.
    public var maxEventBytes: Int
    /// Write seed 003's `ts_unix` beside `ts`.
    public var includeUnixTime: Bool
    /// Added to every event that has none (seed 001's process and terminal).
    public var context: EventContext?
    /// Where "now" comes from.
    public var timeSource: any TimeSource
    public var idGenerator: EventIDGenerator

    /// The default size cap: 1 MiB.
    public static let defaultMaxEventBytes = 1 << 20
    /// How deep `data` may nest.
    public static let maxDataDepth = 64

    public init(
        timeZone: LedgerTimeZone = .system,
        strict: Bool = false,
        maxEventBytes: Int = defaultMaxEventBytes,
        includeUnixTime: Bool = false,
        context: EventContext? = nil,
        timeSource: any TimeSource = SystemTimeSource(),
        idGenerator: EventIDGenerator = .shared
    ) {
        self.timeZone = timeZone
        self.strict = strict
        self.maxEventBytes = maxEventBytes
        self.includeUnixTime = includeUnixTime
        self.context = context
        self.timeSource = timeSource
        self.idGenerator = idGenerator
    }

    /// Checks the parts of an event that do not need encoding.
    @inline(__always)
    public func validate(_ e: LedgerEvent) throws(LedgerError) {
        // Agents, types and sessions repeat: a string this thread checked before is not checked again.
        let known = ThreadMemo.with { memo in
            memo.meets(e.agent, .agent, Identifiers.isValidAgent)
                && memo.meets(e.type, .eventType, Identifiers.isValidEventType)
                && (e.sessionID.map { memo.meets($0, .session, Identifiers.isValidSession) } ?? true)
        }
        if !known {
            // Checked again to say which is wrong.
            try Identifiers.validateAgent(e.agent)
            try Identifiers.validateEventType(e.type)
            if let s = e.sessionID { try Identifiers.validateSession(s) }
        }
        if strict && !EventCatalog.contains(e.type) {
            throw LedgerError(
                .unknownEventType,
                "event type \(Identifiers.quoted(e.type)) is not in the catalogue and strict mode is on: use a known type (see README) or turn strict off"
            )
        }
        if let t = e.taskID { try Identifiers.validateText(t, field: "task id", maxBytes: 256) }
        if let s = e.source { try Identifiers.validateText(s, field: "source", maxBytes: 256) }
        if let p = e.personaID { try Identifiers.validateText(p, field: "persona id", maxBytes: 256) }
        try Self.validateData(e.data, field: "data")
        if let meta = e.meta { try Self.validateData(.object(meta), field: "meta") }
    }

    /// Refuses NaN, infinities and nesting deeper than ``maxDataDepth``.
    public static func validateData(_ value: JSONValue, field: String) throws(LedgerError) {
        // One pass that allocates nothing; the slower walk below only runs to explain a refusal.
        if isClean(value, level: 0) { return }
        switch value {
        case .null, .bool, .int, .string: return
        case .double(let d):
            if !d.isFinite {
                throw LedgerError(
                    .invalidNumber,
                    "\(field) is \(d): JSON has no NaN or infinity, send null or a string"
                )
            }
        default:
            // Depth first, with a walk that stops at the limit: the full walks below recurse once per
            // level, and a value nested thousands deep would overflow the caller's stack.
            if isNested(value, deeperThan: maxDataDepth) {
                throw LedgerError(.invalidJSON, "\(field) nests deeper than \(maxDataDepth) levels: flatten it")
            }
            if let path = value.firstNonFiniteNumberPath {
                throw LedgerError(
                    .invalidNumber,
                    "\(field).\(path) is not a finite number: JSON has no NaN or infinity, send null or a string"
                )
            }
        }
    }

    /// Whether `value` has more than `limit` levels of arrays and objects; never recurses past `limit`.
    static func isNested(_ value: JSONValue, deeperThan limit: Int) -> Bool {
        switch value {
        case .array(let elements):
            if limit == 0 { return true }
            return elements.contains { isNested($0, deeperThan: limit - 1) }
        case .object(let object):
            if limit == 0 { return true }
            return object.members.contains { isNested($0.value, deeperThan: limit - 1) }
        default: return false
        }
    }

    @inline(__always)
    static func isClean(_ value: JSONValue, level: Int) -> Bool {
        switch value {
        case .null, .bool, .int, .string: return true
        case .double(let d): return d.isFinite
        case .array(let elements):
            guard level < maxDataDepth else { return false }
            // Read in place: iterating would copy (retain and release) each element.
            return elements.withUnsafeBufferPointer { e in
                for i in e.indices where !isClean(e[i], level: level + 1) { return false }
                return true
            }
        case .object(let object):
            guard level < maxDataDepth else { return false }
            return object.members.withUnsafeBufferPointer { m in
                for i in m.indices where !isClean(m[i].value, level: level + 1) { return false }
                return true
            }
        }
    }

    /// Fills in what the caller left out (id, time, offset, `ts_unix`, context), validates, and appends the line.
    ///
    /// On error nothing is appended to `out`.
    /// - Throws: `LedgerError` for an invalid agent, type, field, number, or a line over the size cap.
    @inline(__always)
    public func encode(_ e: inout LedgerEvent, into out: inout [UInt8]) throws(LedgerError) {
        try validate(e)
        complete(&e)
        let start = out.count
        EventLine.write(e, into: &out)
        let size = out.count - start
        if size > maxEventBytes {
            out.removeSubrange(start...)
            throw LedgerError(
                .eventTooLarge,
                "event is \(size) bytes: the limit is \(maxEventBytes) (event_max_bytes); send less data or raise the limit"
            )
        }
    }

    /// What ``complete(_:)`` fills in: the id, the offset and `ts_unix`. The context is not copied
    /// into it: an event without one takes the encoder's where it is written or completed.
    public struct Stamp: Sendable {
        public var id: EventID
        public var utcOffsetSeconds: Int32
        public var tsUnix: Double?
    }

    /// Works out what ``complete(_:)`` would fill in, without touching (or copying) the event.
    @inline(__always)
    public func stamp(_ e: LedgerEvent) -> Stamp {
        Stamp(
            id: e.id ?? idGenerator.next(at: e.timestamp),
            utcOffsetSeconds: timeZone.utcOffsetSeconds(at: e.timestamp),
            tsUnix: e.tsUnix ?? (includeUnixTime ? Double(e.timestamp.milliseconds) / 1000 : nil)
        )
    }

    /// Fills the id, the offset, `ts_unix` and the context of an event that has been validated.
    @inline(__always)
    public func complete(_ e: inout LedgerEvent) {
        apply(stamp(e), to: &e)
    }

    /// Puts a stamp's fields into the event.
    @inline(__always)
    public func apply(_ stamp: Stamp, to e: inout LedgerEvent) {
        e.id = stamp.id
        e.utcOffsetSeconds = stamp.utcOffsetSeconds
        e.tsUnix = stamp.tsUnix
        if e.context == nil { e.context = context }
    }

    /// Appends the line of a validated event as if completed with `stamp`, without copying the event.
    ///
    /// Only for an event that passed ``validate(_:)``: its agent, type and session are written
    /// without escaping. The size cap is the caller's to check.
    @inline(__always)
    public func writeLine(_ e: LedgerEvent, stamp: Stamp, into out: inout StagedBytes) {
        EventLine.write(
            e,
            id: stamp.id,
            utcOffsetSeconds: stamp.utcOffsetSeconds,
            tsUnix: stamp.tsUnix,
            context: e.context,
            fallbackContext: context,
            identifiersChecked: true,
            into: &out
        )
    }

    /// A new event stamped now, for the fields given.
    @inline(__always)
    public func event(
        agent: String,
        type: String,
        sessionID: String? = nil,
        taskID: String? = nil,
        source: String? = nil,
        summary: String? = nil,
        data: JSONValue = .object(JSONObject()),
        personaID: String? = nil,
        meta: JSONObject? = nil,
        at timestamp: Timestamp? = nil
    ) -> LedgerEvent {
        LedgerEvent(
            timestamp: timestamp ?? timeSource.now(),
            agent: agent,
            type: type,
            sessionID: sessionID,
            taskID: taskID,
            source: source,
            summary: summary,
            data: data,
            personaID: personaID,
            meta: meta
        )
    }
}
