import Synchronization

/// A unique, time-ordered event id: a ULID (26 Crockford base32 characters, 48 bits of milliseconds
/// then 80 bits that are unique to this process and count up).
///
/// Ids made in one process sort in the order they were made; ids from different processes sort by
/// their millisecond. Making one costs one atomic increment: the 80 bits are a random 32-bit process
/// nonce followed by a 48-bit counter that starts at a random value.
public struct EventID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The upper 64 bits: 48 bits of milliseconds, then the first 16 bits of the random part.
    public var high: UInt64
    /// The lower 64 bits of the random part.
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The millisecond timestamp carried by the id.
    public var milliseconds: Int64 { Int64(high >> 16) }

    public static func < (lhs: EventID, rhs: EventID) -> Bool { (lhs.high, lhs.low) < (rhs.high, rhs.low) }

    /// Parses 26 Crockford base32 characters (case-insensitive; `I`/`L` read as 1, `O` as 0).
    public init?(_ text: some StringProtocol) {
        let u = Array(text.utf8)
        guard u.count == 26 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (i, c) in u.enumerated() {
            guard let v = EventID.decodeTable[Int(c)], v != 0xFF else { return nil }
            if i == 0 && v > 7 { return nil }
            // Shift the 128-bit value left by 5 and add v.
            high = high << 5 | low >> 59
            low = low << 5 | UInt64(v)
        }
        self.init(high: high, low: low)
    }

    public var description: String {
        var out: [UInt8] = []
        out.reserveCapacity(26)
        write(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the 26 characters of the id to a byte array.
    public func write(into out: inout [UInt8]) {
        StagedBytes.withStaging(&out) { write(into: &$0) }
    }

    /// Appends the 26 characters of the id.
    @inline(__always)
    public func write(into out: inout StagedBytes) {
        let id = self
        out.appendUninitialized(count: 26) { buffer in ThreadMemo.with { $0.writeID(id, at: buffer) } }
    }

    /// Writes the 26 characters at `buffer`.
    @inline(__always)
    func writeAll(at buffer: UnsafeMutablePointer<UInt8>) {
        let alphabet: StaticString = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
        let a = alphabet.utf8Start
        // 128 bits as 26 groups of 5 bits, from the last: the first group holds the top 3 bits.
        // The low 12 groups come from `low` alone, group 13 straddles both words, the rest are in `high`.
        var l = low
        for i in stride(from: 25, through: 14, by: -1) {
            buffer[i] = a[Int(truncatingIfNeeded: l & 31)]
            l &>>= 5
        }
        // 60 bits of `low` used; group 13 takes its last 4 bits and the lowest bit of `high`.
        buffer[13] = a[Int(truncatingIfNeeded: (l & 15) | (high & 1) << 4)]
        var h = high &>> 1
        for i in stride(from: 12, through: 0, by: -1) {
            buffer[i] = a[Int(truncatingIfNeeded: h & 31)]
            h &>>= 5
        }
    }

    /// Writes the last 10 characters (the low 50 bits) at `buffer + 16`.
    @inline(__always)
    static func writeLast10(of id: EventID, at buffer: UnsafeMutablePointer<UInt8>) {
        let alphabet: StaticString = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
        let a = alphabet.utf8Start
        var l = id.low
        for i in stride(from: 25, through: 16, by: -1) {
            buffer[i] = a[Int(truncatingIfNeeded: l & 31)]
            l &>>= 5
        }
    }

    static let alphabet: [UInt8] = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    static let decodeTable: [UInt8?] = {
        var table = [UInt8?](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() {
            table[Int(c)] = UInt8(i)
            table[Int(c | 0x20)] = UInt8(i)
        }
        for c in "iIlL".utf8 { table[Int(c)] = 1 }
        for c in "oO".utf8 { table[Int(c)] = 0 }
        return table
    }()
}

/// Makes ``EventID``s; safe to share between threads.
public final class EventIDGenerator: Sendable {
    private let nonce: UInt64
    private let counter: Atomic<UInt64>

    /// The process-wide generator.
    public static let shared = EventIDGenerator()

    public init() {
        var rng = SystemRandomNumberGenerator()
        nonce = UInt64(UInt32.random(in: 0...UInt32.max, using: &rng))
        counter = Atomic(UInt64.random(in: 0..<(1 << 47), using: &rng))
    }

    /// A new id for an event made at `timestamp`.
    @inline(__always)
    public func next(at timestamp: Timestamp) -> EventID {
        let count = counter.wrappingAdd(1, ordering: .relaxed).newValue & 0xFFFF_FFFF_FFFF
        // A ULID's time starts at 1970: earlier events (backfilled history) get time 0, so they sort
        // before every later id instead of wrapping around to the far future.
        let ms = UInt64(max(timestamp.milliseconds, 0)) & 0xFFFF_FFFF_FFFF
        // 80 random bits = 32-bit nonce then 48-bit counter; the top 16 of them sit in `high`.
        return EventID(high: ms << 16 | nonce >> 16, low: (nonce & 0xFFFF) << 48 | count)
    }
}
