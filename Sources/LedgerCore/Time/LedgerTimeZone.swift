import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The time zone whose local date picks an event's day file and whose offset `ts` carries.
///
/// Offsets are cached per quarter hour (every zone's transitions fall on quarter hours), so asking
/// for the offset on the hot path is one atomic load.
public final class LedgerTimeZone: Sendable, CustomStringConvertible {
    /// How the zone was named.
    public enum Kind: Sendable, Hashable {
        /// The system's zone (`TZ`, else `/etc/localtime`).
        case system
        /// A fixed offset from UTC, in seconds.
        case fixed(Int32)
        /// An IANA zone name such as `Asia/Bangkok`.
        case named(String)
    }

    public let kind: Kind
    private let namedZone: TimeZone?
    /// The quarter-hour bucket (upper 40 bits, offset by 2^39) and offset in seconds + 2^23 (lower 24 bits).
    private let cache = Atomic<UInt64>(0)

    /// The system's zone.
    public static let system = LedgerTimeZone(kind: .system, zone: nil)
    /// UTC.
    public static let utc = LedgerTimeZone(kind: .fixed(0), zone: nil)

    private init(kind: Kind, zone: TimeZone?) {
        self.kind = kind
        self.namedZone = zone
    }

    /// A zone from its setting: `system`, `UTC`, `Z`, a fixed offset (`+07:00`, `-0530`), or an IANA name.
    ///
    /// - Throws: `LedgerError` with code `invalidConfiguration` for an unknown name.
    public static func parse(_ text: String) throws(LedgerError) -> LedgerTimeZone {
        let t = text.trimmingWhitespace
        switch t.lowercased() {
        case "", "system", "local": return .system
        case "utc", "z", "gmt": return .utc
        default: break
        }
        if let first = t.first, first == "+" || first == "-" {
            if let parsed = TimestampFormat.parseISO8601("2000-01-01T00:00:00" + t) {
                return LedgerTimeZone(kind: .fixed(parsed.utcOffsetSeconds), zone: nil)
            }
        } else if let zone = TimeZone(identifier: t) {
            return LedgerTimeZone(kind: .named(t), zone: zone)
        }
        throw LedgerError(
            .invalidConfiguration,
            "time zone \"\(text)\" is unknown: use system, UTC, an offset like +07:00, or an IANA name like Asia/Bangkok"
        )
    }

    /// The offset from UTC, in seconds, at `timestamp`.
    @inline(__always)
    public func utcOffsetSeconds(at timestamp: Timestamp) -> Int32 {
        if case .fixed(let seconds) = kind { return seconds }
        let bucket = UInt64(bitPattern: timestamp.nanoseconds / 900_000_000_000 + (1 << 39))
        let cached = cache.load(ordering: .relaxed)
        if cached != 0, cached >> 24 == bucket {
            return Int32(truncatingIfNeeded: Int64(cached & 0xFF_FFFF) - (1 << 23))
        }
        let offset = computeOffset(at: timestamp)
        cache.store(bucket << 24 | UInt64(Int64(offset) + (1 << 23)), ordering: .relaxed)
        return offset
    }

    /// The local calendar date of `timestamp` in this zone.
    @inline(__always)
    public func localDate(of timestamp: Timestamp) -> CivilDate {
        CivilDate(daysSinceEpoch: timestamp.localDay(utcOffsetSeconds: utcOffsetSeconds(at: timestamp)))
    }

    private func computeOffset(at timestamp: Timestamp) -> Int32 {
        switch kind {
        case .fixed(let s):
            return s
        case .named:
            let date = Date(timeIntervalSince1970: timestamp.seconds)
            return Int32(namedZone?.secondsFromGMT(for: date) ?? 0)
        case .system:
            var t = time_t(timestamp.nanoseconds / 1_000_000_000)
            var parts = tm()
            guard localtime_r(&t, &parts) != nil else { return 0 }
            return Int32(parts.tm_gmtoff)
        }
    }

    public var description: String {
        switch kind {
        case .system: "system"
        case .fixed(let s):
            if s == 0 {
                "UTC"
            } else {
                {
                    var out: [UInt8] = []
                    TimestampFormat.writeOffset(s, into: &out)
                    return String(decoding: out, as: UTF8.self)
                }()
            }
        case .named(let n): n
        }
    }
}
