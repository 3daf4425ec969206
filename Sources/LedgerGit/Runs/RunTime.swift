import LedgerCore

/// The two ways a run writes time: ISO 8601 in UTC for its fields, and a compact stamp inside its id.
///
/// Both are made by LedgerCore's one timestamp formatter.
public enum RunTime {
    /// The wall clock now, in nanoseconds since 1970-01-01T00:00:00Z.
    public static func nowNanoseconds() -> Int64 { Timestamp.now.nanoseconds }

    /// `2026-02-17T20:45:00.123Z`: UTC, milliseconds. Such strings sort in time order.
    public static func iso8601(nanoseconds: Int64) -> String {
        var out: [UInt8] = []
        TimestampFormat.writeISO8601(Timestamp(nanoseconds: nanoseconds), utcOffsetSeconds: 0, useZ: true, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `2026-02-17T204500`: the UTC second, as it appears in a run id.
    public static func idStamp(nanoseconds: Int64) -> String {
        // `2026-02-17T20:45:00` without its colons.
        String(iso8601(nanoseconds: nanoseconds).prefix(19).filter { $0 != ":" })
    }
}
