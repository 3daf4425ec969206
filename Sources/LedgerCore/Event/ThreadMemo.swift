#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What one thread's emits have already worked out, kept for its next emits: the strings that
/// passed an identifier check, and the text of the last timestamp's second.
///
/// A producer sends the same agent, event type and session thousands of times a second; checking
/// each byte of each again costs more than the rest of validation. Each thread has its own memo
/// (no lock, no atomic), reached through one thread-specific key.
final class ThreadMemo {
    /// Which identifier rule a remembered string passed.
    enum Rule: UInt8 {
        case agent = 1
        case eventType = 2
        case session = 4
    }

    /// A string that passed one or more rules. `keep` holds a reference to its storage, so that
    /// no other string can have the same bits while it is remembered: equal bits, equal text.
    struct Known {
        var bits: (UInt64, UInt64)
        var rules: UInt8
        var keep: String
    }

    /// Two ways per set: a producer's handful of agents and sessions rarely puts three in one set.
    static let knownSets = 64
    static let knownSlots = knownSets * 2
    private let known: UnsafeMutablePointer<Known>

    /// The text of one local second, reused while timestamps stay within it.
    struct SecondText {
        /// Milliseconds since the epoch at the offset, divided by 1000; `Int64.min` when none is kept.
        var second = Int64.min
        var offset: Int32 = 0
        var usesZ = false
        /// `YYYY-MM-DDTHH:MM:SS.` for `second`.
        var text: (UInt64, UInt64, UInt32) = (0, 0, 0)
        /// `±HH:MM` or `Z` for `offset`, and how many of its bytes count.
        var offsetText: UInt64 = 0
        var offsetLength = 0
    }

    /// The first 16 characters of the last id written, which change only with its millisecond
    /// (the rest of them is the generator's fixed nonce).
    struct IDPrefix {
        /// `high`, and the top 16 bits of `low`, of the id the prefix is for; `nil` before the first.
        var key: (UInt64, UInt64)?
        var text: (UInt64, UInt64) = (0, 0)
    }

    /// Behind a pointer rather than in stored properties: the class's own properties would be
    /// checked for exclusive access on every use.
    private let last: UnsafeMutablePointer<SecondText>
    private let idPrefix: UnsafeMutablePointer<IDPrefix>

    private init() {
        known = .allocate(capacity: Self.knownSlots)
        known.initialize(repeating: Known(bits: (0, 0), rules: 0, keep: ""), count: Self.knownSlots)
        last = .allocate(capacity: 1)
        last.initialize(to: SecondText())
        idPrefix = .allocate(capacity: 1)
        idPrefix.initialize(to: IDPrefix())
    }

    deinit {
        known.deinitialize(count: Self.knownSlots)
        known.deallocate()
        last.deinitialize(count: 1)
        last.deallocate()
        idPrefix.deinitialize(count: 1)
        idPrefix.deallocate()
    }

    /// Writes the 26 characters of `id` at `buffer`, taking the first 16 from the last id's when
    /// they are the same.
    @inline(__always)
    func writeID(_ id: EventID, at buffer: UnsafeMutablePointer<UInt8>) {
        let key = (id.high, id.low &>> 48)
        let kept = idPrefix
        if let k = kept.pointee.key, k == key {
            UnsafeMutableRawPointer(buffer).storeBytes(of: kept.pointee.text, as: (UInt64, UInt64).self)
            EventID.writeLast10(of: id, at: buffer)
            return
        }
        id.writeAll(at: buffer)
        kept.pointee.key = key
        kept.pointee.text = UnsafeRawPointer(buffer).loadUnaligned(as: (UInt64, UInt64).self)
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { pointer in
            #if canImport(Glibc)
            guard let pointer else { return }
            #endif
            Unmanaged<ThreadMemo>.fromOpaque(pointer).release()
        }
        precondition(status == 0, "pthread_key_create failed: \(status)")
        return key
    }()

    /// Runs `body` with this thread's memo, made on first use and freed when the thread ends.
    @inline(__always)
    static func with<T>(_ body: (ThreadMemo) -> T) -> T {
        let memo: Unmanaged<ThreadMemo>
        if let pointer = pthread_getspecific(key) {
            memo = Unmanaged<ThreadMemo>.fromOpaque(pointer)
        } else {
            memo = Unmanaged.passRetained(ThreadMemo())
            pthread_setspecific(key, memo.toOpaque())
        }
        return memo._withUnsafeGuaranteedRef(body)
    }

    /// Whether `s` meets `rule`: remembered from an earlier check, or checked now and remembered.
    @inline(__always)
    func meets(_ s: String, _ rule: Rule, _ check: (String) -> Bool) -> Bool {
        if passed(s, rule) { return true }
        guard check(s) else { return false }
        remember(s, rule)
        return true
    }

    @inline(__always)
    private static func bits(_ s: String) -> (UInt64, UInt64) {
        unsafeBitCast(s, to: (UInt64, UInt64).self)
    }

    /// The first of the two slots of the set `bits` belongs to.
    @inline(__always)
    private static func set(_ bits: (UInt64, UInt64)) -> Int {
        Int(truncatingIfNeeded: ((bits.0 ^ (bits.1 &>> 4) ^ (bits.1 &>> 32)) &* 0x9E37_79B9_7F4A_7C15) &>> 58) &<< 1
    }

    /// Whether `s` passed `rule` before on this thread.
    @inline(__always)
    func passed(_ s: String, _ rule: Rule) -> Bool {
        let b = Self.bits(s)
        let k = known + Self.set(b)
        if k.pointee.bits == b { return k.pointee.rules & rule.rawValue != 0 }
        let other = k + 1
        return other.pointee.bits == b && other.pointee.rules & rule.rawValue != 0
    }

    /// Remembers that `s` passed `rule`; the set's older entry makes room when `s` is new.
    func remember(_ s: String, _ rule: Rule) {
        let b = Self.bits(s)
        let k = known + Self.set(b)
        if k.pointee.bits == b {
            k.pointee.rules |= rule.rawValue
        } else if (k + 1).pointee.bits == b {
            (k + 1).pointee.rules |= rule.rawValue
        } else {
            (k + 1).pointee = k.move()
            k.initialize(to: Known(bits: b, rules: rule.rawValue, keep: s))
        }
    }

    /// Appends `YYYY-MM-DDTHH:MM:SS.mmm±HH:MM` (or `Z`), formatting the date and time only when the
    /// second or the offset changed since this thread's last timestamp.
    @inline(__always)
    func writeISO8601(_ timestamp: Timestamp, utcOffsetSeconds: Int32, useZ: Bool, into out: inout StagedBytes) {
        let localMs = timestamp.milliseconds &+ Int64(utcOffsetSeconds) &* 1000
        var localSecond = localMs / 1000
        var millis = localMs % 1000
        if millis < 0 {
            millis += 1000
            localSecond -= 1
        }
        let kept = last
        if localSecond != kept.pointee.second || utcOffsetSeconds != kept.pointee.offset || useZ != kept.pointee.usesZ {
            guard formatSecond(timestamp, utcOffsetSeconds: utcOffsetSeconds, useZ: useZ, localSecond: localSecond)
            else {
                TimestampFormat.writeISO8601(timestamp, utcOffsetSeconds: utcOffsetSeconds, useZ: useZ, into: &out)
                return
            }
        }
        withUnsafePointer(to: &kept.pointee.text) { text in
            out.append(
                contentsOf: UnsafeBufferPointer(
                    start: UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self),
                    count: 20
                )
            )
        }
        let m = Int(millis)
        out.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: m / 100))
        out.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: (m / 10) % 10))
        out.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: m % 10))
        let length = kept.pointee.offsetLength
        withUnsafePointer(to: &kept.pointee.offsetText) { text in
            out.append(
                contentsOf: UnsafeBufferPointer(
                    start: UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self),
                    count: length
                )
            )
        }
    }

    /// Formats and keeps the text of one local second; false, keeping nothing, when the text is not
    /// laid out as `YYYY-MM-DDTHH:MM:SS.mmm` then the offset (never for the years a `Timestamp` holds,
    /// 1677 to 2262: a guard on the layout the copy relies on).
    private func formatSecond(
        _ timestamp: Timestamp,
        utcOffsetSeconds: Int32,
        useZ: Bool,
        localSecond: Int64
    ) -> Bool {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(40)
        TimestampFormat.writeISO8601(timestamp, utcOffsetSeconds: utcOffsetSeconds, useZ: useZ, into: &bytes)
        // `YYYY-MM-DDTHH:MM:SS.mmm` then the offset; the milliseconds are written per call.
        guard bytes.count >= 24, bytes.count - 23 <= 8, bytes[19] == UInt8(ascii: ".") else {
            last.pointee.second = Int64.min
            return false
        }
        var kept = SecondText(second: localSecond, offset: utcOffsetSeconds, usesZ: useZ)
        withUnsafeMutableBytes(of: &kept.text) { text in
            for i in 0..<20 { text[i] = bytes[i] }
        }
        kept.offsetLength = bytes.count - 23
        withUnsafeMutableBytes(of: &kept.offsetText) { text in
            for i in 0..<bytes.count - 23 { text[i] = bytes[23 + i] }
        }
        last.pointee = kept
        return true
    }
}
