#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An instant, as nanoseconds since 1970-01-01T00:00:00Z.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public init(milliseconds: Int64) { self.nanoseconds = milliseconds &* 1_000_000 }

    /// The instant `seconds` after the epoch, held to the years 1678 to 2261 that nanoseconds in 64 bits
    /// can hold (a time outside them, or NaN, never traps: check ``representable(seconds:)`` first to refuse it).
    public init(seconds: Double) { self.nanoseconds = Self.clampedNanoseconds(seconds) }

    /// Whether `seconds` after the epoch is a time this type holds exactly (about 1678 to 2261).
    public static func representable(seconds: Double) -> Bool {
        seconds.isFinite && abs(seconds) < 9_000_000_000
    }

    static func clampedNanoseconds(_ seconds: Double) -> Int64 {
        guard seconds.isFinite else { return 0 }
        let ns = (seconds * 1e9).rounded()
        if ns >= 9.2e18 { return 9_200_000_000_000_000_000 }
        if ns <= -9.2e18 { return -9_200_000_000_000_000_000 }
        return Int64(ns)
    }

    /// The current wall-clock time.
    public static var now: Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(nanoseconds: Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec))
    }

    /// Whole milliseconds since the epoch, rounded down.
    public var milliseconds: Int64 {
        // Rounded down without subtracting first, which would overflow near `Int64.min`.
        let whole = nanoseconds / 1_000_000
        return nanoseconds % 1_000_000 < 0 ? whole - 1 : whole
    }

    /// The local day of this instant at `utcOffsetSeconds`, as days since 1970-01-01 (rounded down).
    @inline(__always)
    public func localDay(utcOffsetSeconds: Int32) -> Int64 {
        let localMs = milliseconds + Int64(utcOffsetSeconds) * 1000
        return localMs >= 0 ? localMs / 86_400_000 : (localMs - 86_399_999) / 86_400_000
    }

    /// Seconds since the epoch, with a fraction.
    public var seconds: Double { Double(nanoseconds) / 1e9 }

    /// This instant moved by `seconds`.
    public func adding(seconds: Double) -> Timestamp {
        let moved = Double(nanoseconds) / 1e9 + seconds
        guard Self.representable(seconds: moved) else { return Timestamp(seconds: moved) }
        return Timestamp(nanoseconds: nanoseconds &+ Self.clampedNanoseconds(seconds))
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    public var description: String {
        var out: [UInt8] = []
        TimestampFormat.writeISO8601(self, utcOffsetSeconds: 0, into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

/// Where the ledger reads the time from; tests inject a fixed or stepping source.
public protocol TimeSource: Sendable {
    /// The current instant.
    func now() -> Timestamp
}

/// The system's wall clock.
public struct SystemTimeSource: TimeSource {
    public init() {}
    @inline(__always)
    public func now() -> Timestamp { .now }
}
