#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The two ways a run writes time: ISO 8601 in UTC for its fields, and a compact stamp inside its id.
///
/// Kept here so LedgerGit depends on nothing in LedgerCore but errors and JSON.
public enum RunTime {
    /// The wall clock now, in nanoseconds since 1970-01-01T00:00:00Z.
    public static func nowNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
    }

    /// `2026-02-17T20:45:00.123Z`: UTC, milliseconds. Such strings sort in time order.
    public static func iso8601(nanoseconds: Int64) -> String {
        let (date, secondOfDay, millisecond) = split(nanoseconds)
        return "\(date)T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
            + ".\(pad(millisecond, 3))Z"
    }

    /// `2026-02-17T204500`: the UTC second, as it appears in a run id.
    public static func idStamp(nanoseconds: Int64) -> String {
        let (date, secondOfDay, _) = split(nanoseconds)
        return "\(date)T\(pad(secondOfDay / 3600, 2))\(pad(secondOfDay / 60 % 60, 2))\(pad(secondOfDay % 60, 2))"
    }

    private static func split(_ nanoseconds: Int64) -> (date: String, secondOfDay: Int64, millisecond: Int64) {
        let ms = nanoseconds >= 0 ? nanoseconds / 1_000_000 : (nanoseconds - 999_999) / 1_000_000
        let seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return ("\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))", seconds - days * 86_400, ms - seconds * 1000)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
