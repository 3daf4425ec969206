import LedgerCore

/// Which events a ``LedgerScanner`` hands out: a time window, agents and event types.
public struct ScanFilter: Sendable, Hashable {
    /// Events at or after this instant.
    public var since: Timestamp?
    /// Events at or before this instant.
    public var until: Timestamp?
    /// Only these agents; empty for all.
    public var agents: Set<String> = []
    /// Only these event types; empty for all.
    public var types: Set<String> = []

    public init(since: Timestamp? = nil, until: Timestamp? = nil, agents: Set<String> = [], types: Set<String> = []) {
        self.since = since
        self.until = until
        self.agents = agents
        self.types = types
    }

    /// Whether an instant is inside the window.
    @inline(__always)
    public func contains(_ t: Timestamp) -> Bool {
        if let since, t < since { return false }
        if let until, until < t { return false }
        return true
    }

    /// Whether an event passes every part of the filter.
    public func matches(_ e: LedgerEvent) -> Bool {
        contains(e.timestamp) && (agents.isEmpty || agents.contains(e.agent))
            && (types.isEmpty || types.contains(e.type))
    }

    /// Whether a day file of `date` can hold events in the window, whatever the zone it was written
    /// in (offsets run from -12:00 to +14:00; a margin of 14 hours each side covers them all).
    public func mayContain(day date: CivilDate) -> Bool {
        // In seconds as doubles: a day file of any year compares without overflowing.
        let dayStart = Double(date.daysSinceEpoch) * 86_400
        let margin: Double = 14 * 3600
        if let since, dayStart + 86_400 + margin < since.seconds { return false }
        if let until, until.seconds < dayStart - margin { return false }
        return true
    }
}

extension EventLine {
    /// The `ts` of a line the ledger wrote (it starts `{"ts":"…"`), read without parsing the rest;
    /// `nil` for a line of another shape (parse it whole then).
    public static func quickTimestamp(_ line: UnsafeRawBufferPointer) -> Timestamp? {
        let head: StaticString = #"{"ts":""#
        let n = head.utf8CodeUnitCount
        guard line.count > n + 17 else { return nil }
        for i in 0..<n where line[i] != head.utf8Start[i] { return nil }
        var end = n
        let limit = min(line.count, n + 40)
        while end < limit, line[end] != UInt8(ascii: "\"") { end += 1 }
        guard end < limit else { return nil }
        return TimestampFormat.parseISO8601(bytes: Array(line[n..<end])[...])?.timestamp
    }
}
