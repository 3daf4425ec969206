/// Writes and reads the ledger's timestamps: ISO 8601 with milliseconds and a UTC offset,
/// `2025-11-16T02:12:34.123+07:00` (or `Z` for UTC when asked).
///
/// The one place the ledger formats or parses a date. Writing allocates nothing.
public enum TimestampFormat {
    /// Appends `YYYY-MM-DDTHH:MM:SS.mmm±HH:MM` to a byte array.
    public static func writeISO8601(
        _ timestamp: Timestamp,
        utcOffsetSeconds: Int32,
        useZ: Bool = false,
        into out: inout [UInt8]
    ) {
        StagedBytes.withStaging(&out) {
            writeISO8601(timestamp, utcOffsetSeconds: utcOffsetSeconds, useZ: useZ, into: &$0)
        }
    }

    /// Appends `+HH:MM` (or `Z`) to a byte array.
    public static func writeOffset(_ offsetSeconds: Int32, useZ: Bool = false, into out: inout [UInt8]) {
        StagedBytes.withStaging(&out) { writeOffset(offsetSeconds, useZ: useZ, into: &$0) }
    }

    /// Appends `YYYY-MM-DD` to a byte array.
    public static func writeDate(_ date: CivilDate, into out: inout [UInt8]) {
        StagedBytes.withStaging(&out) { writeDate(date, into: &$0) }
    }

    /// Appends `YYYY-MM-DDTHH:MM:SS.mmm±HH:MM` for `timestamp` seen at `utcOffsetSeconds`.
    public static func writeISO8601(
        _ timestamp: Timestamp,
        utcOffsetSeconds: Int32,
        useZ: Bool = false,
        into out: inout StagedBytes
    ) {
        let ms = timestamp.milliseconds
        let localMs = ms + Int64(utcOffsetSeconds) * 1000
        var days = localMs / 86_400_000
        var msOfDay = localMs % 86_400_000
        if msOfDay < 0 {
            msOfDay += 86_400_000
            days -= 1
        }
        writeDate(CivilDate(daysSinceEpoch: days), into: &out)
        out.append(UInt8(ascii: "T"))
        let secondsOfDay = Int(msOfDay / 1000)
        write2(secondsOfDay / 3600, into: &out)
        out.append(UInt8(ascii: ":"))
        write2((secondsOfDay / 60) % 60, into: &out)
        out.append(UInt8(ascii: ":"))
        write2(secondsOfDay % 60, into: &out)
        out.append(UInt8(ascii: "."))
        let millis = Int(msOfDay % 1000)
        out.append(UInt8(ascii: "0") &+ UInt8(millis / 100))
        out.append(UInt8(ascii: "0") &+ UInt8((millis / 10) % 10))
        out.append(UInt8(ascii: "0") &+ UInt8(millis % 10))
        writeOffset(utcOffsetSeconds, useZ: useZ, into: &out)
    }

    /// Appends `+HH:MM`, `-HH:MM`, or `Z` when the offset is zero and `useZ` is set.
    public static func writeOffset(_ offsetSeconds: Int32, useZ: Bool = false, into out: inout StagedBytes) {
        if offsetSeconds == 0 && useZ {
            out.append(UInt8(ascii: "Z"))
            return
        }
        out.append(offsetSeconds < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        let minutes = Int(abs(offsetSeconds)) / 60
        write2(minutes / 60, into: &out)
        out.append(UInt8(ascii: ":"))
        write2(minutes % 60, into: &out)
    }

    /// Appends `YYYY-MM-DD`.
    public static func writeDate(_ date: CivilDate, into out: inout StagedBytes) {
        let y = date.year
        if y < 0 || y > 9999 {
            out.append(contentsOf: String(y).utf8)
        } else {
            out.append(UInt8(ascii: "0") &+ UInt8(y / 1000))
            out.append(UInt8(ascii: "0") &+ UInt8((y / 100) % 10))
            out.append(UInt8(ascii: "0") &+ UInt8((y / 10) % 10))
            out.append(UInt8(ascii: "0") &+ UInt8(y % 10))
        }
        out.append(UInt8(ascii: "-"))
        write2(date.month, into: &out)
        out.append(UInt8(ascii: "-"))
        write2(date.day, into: &out)
    }

    @inline(__always)
    static func write2(_ v: Int, into out: inout StagedBytes) {
        out.append(UInt8(ascii: "0") &+ UInt8(v / 10))
        out.append(UInt8(ascii: "0") &+ UInt8(v % 10))
    }

    /// Parses an ISO 8601 date-time: `YYYY-MM-DDTHH:MM[:SS[.fraction]]` followed by `Z` or `±HH:MM`
    /// (`±HHMM` and `±HH` too). A missing offset is refused: the ledger never guesses a zone.
    ///
    /// - Returns: the instant and the offset it was written with, or `nil` if the text is not such a time.
    public static func parseISO8601(_ text: some StringProtocol) -> (timestamp: Timestamp, utcOffsetSeconds: Int32)? {
        let u = Array(text.utf8)
        return parseISO8601(bytes: u[...])
    }

    /// Parses an ISO 8601 date-time from bytes; see ``parseISO8601(_:)``.
    public static func parseISO8601(bytes u: ArraySlice<UInt8>) -> (timestamp: Timestamp, utcOffsetSeconds: Int32)? {
        let u = Array(u)
        guard u.count >= 17, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"),
            u[10] == UInt8(ascii: "T") || u[10] == UInt8(ascii: "t") || u[10] == UInt8(ascii: " "),
            u[13] == UInt8(ascii: ":")
        else { return nil }
        guard let y = digits(u, 0, 4), let mo = digits(u, 5, 2), let d = digits(u, 8, 2),
            let h = digits(u, 11, 2), let mi = digits(u, 14, 2)
        else { return nil }
        var i = 16
        var s = 0
        var nanos: Int64 = 0
        if i < u.count, u[i] == UInt8(ascii: ":") {
            guard let ss = digits(u, i + 1, 2) else { return nil }
            s = ss
            i += 3
            if i < u.count, u[i] == UInt8(ascii: ".") || u[i] == UInt8(ascii: ",") {
                i += 1
                var scale: Int64 = 100_000_000
                let start = i
                while i < u.count, u[i] >= UInt8(ascii: "0"), u[i] <= UInt8(ascii: "9") {
                    nanos += Int64(u[i] - UInt8(ascii: "0")) * scale
                    scale /= 10
                    i += 1
                }
                guard i > start else { return nil }
            }
        }
        guard i < u.count else { return nil }
        var offset: Int32 = 0
        switch u[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign: Int32 = u[i] == UInt8(ascii: "-") ? -1 : 1
            guard let oh = digits(u, i + 1, 2) else { return nil }
            i += 3
            var om = 0
            if i < u.count, u[i] == UInt8(ascii: ":") {
                guard let m = digits(u, i + 1, 2) else { return nil }
                om = m
                i += 3
            } else if i + 1 < u.count, let m = digits(u, i, 2) {
                om = m
                i += 2
            }
            guard oh <= 18, om < 60 else { return nil }
            offset = sign * Int32(oh * 3600 + om * 60)
        default:
            return nil
        }
        guard i == u.count else { return nil }
        guard (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61 else { return nil }
        let date = CivilDate(year: y, month: mo, day: d)
        guard CivilDate(daysSinceEpoch: date.daysSinceEpoch) == date else { return nil }
        let localSeconds = date.daysSinceEpoch * 86400 + Int64(h * 3600 + mi * 60 + s)
        let utcSeconds = localSeconds - Int64(offset)
        // Nanoseconds since 1970 fit in 64 bits for the years 1678 to 2261 only.
        guard abs(utcSeconds) < 9_000_000_000 else { return nil }
        return (Timestamp(nanoseconds: utcSeconds * 1_000_000_000 + nanos), offset)
    }

    static func digits(_ u: [UInt8], _ start: Int, _ count: Int) -> Int? {
        guard start + count <= u.count else { return nil }
        var v = 0
        for i in start..<(start + count) {
            let c = u[i]
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
            v = v * 10 + Int(c - UInt8(ascii: "0"))
        }
        return v
    }
}
