/// Collects small writes in a stack buffer and hands them to the byte array in large pieces.
///
/// Encoding an event makes a hundred tiny appends (a quote, a digit, a colon); appending each to
/// an `Array` costs a uniqueness and capacity check apiece. Staging them costs a store and an
/// increment, and the array sees a few large copies instead. Use ``withStaging(_:_:)``.
public struct StagedBytes {
    @usableFromInline var out: [UInt8]
    @usableFromInline let scratch: UnsafeMutablePointer<UInt8>
    @usableFromInline let capacity: Int
    @usableFromInline var position = 0

    @inlinable
    init(out: [UInt8], scratch: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.out = out
        self.scratch = scratch
        self.capacity = capacity
    }

    /// The bytes written so far, staged or not.
    @inlinable
    public var count: Int { out.count + position }

    @inlinable @inline(__always)
    public mutating func append(_ byte: UInt8) {
        if position == capacity { spill() }
        scratch[position] = byte
        position &+= 1
    }

    @inlinable @inline(__always)
    public mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
        let n = bytes.count
        if n <= 32 && capacity &- position >= 32 {
            // Short pieces (keys, literals, identifiers, a timestamp) are the common case: two
            // overlapping moves of the widest size that fits instead of a call to memmove.
            guard n > 0 else { return }
            let source = UnsafeRawPointer(bytes.baseAddress!)
            let target = UnsafeMutableRawPointer(scratch + position)
            if n >= 16 {
                let head = source.loadUnaligned(as: SIMD16<UInt8>.self)
                let tail = source.loadUnaligned(fromByteOffset: n &- 16, as: SIMD16<UInt8>.self)
                target.storeBytes(of: head, as: SIMD16<UInt8>.self)
                target.storeBytes(of: tail, toByteOffset: n &- 16, as: SIMD16<UInt8>.self)
            } else if n >= 8 {
                let head = source.loadUnaligned(as: UInt64.self)
                let tail = source.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
                target.storeBytes(of: head, as: UInt64.self)
                target.storeBytes(of: tail, toByteOffset: n &- 8, as: UInt64.self)
            } else if n >= 4 {
                let head = source.loadUnaligned(as: UInt32.self)
                let tail = source.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)
                target.storeBytes(of: head, as: UInt32.self)
                target.storeBytes(of: tail, toByteOffset: n &- 4, as: UInt32.self)
            } else {
                // One to three bytes: the first, the middle and the last cover them all.
                let half = n &>> 1
                target.storeBytes(of: source.load(as: UInt8.self), as: UInt8.self)
                target.storeBytes(
                    of: source.load(fromByteOffset: half, as: UInt8.self),
                    toByteOffset: half,
                    as: UInt8.self
                )
                target.storeBytes(
                    of: source.load(fromByteOffset: n &- 1, as: UInt8.self),
                    toByteOffset: n &- 1,
                    as: UInt8.self
                )
            }
            position &+= n
            return
        }
        if n > capacity &- position {
            spill()
            if n > capacity {
                out.append(contentsOf: bytes)
                return
            }
        }
        if n > 0 { (scratch + position).update(from: bytes.baseAddress!, count: n) }
        position &+= n
    }

    @inlinable
    public mutating func append(contentsOf bytes: some Sequence<UInt8>) {
        for b in bytes { append(b) }
    }

    /// Lets `body` write exactly `count` bytes (at most the buffer's capacity) straight into the
    /// staging buffer.
    @inlinable @inline(__always)
    public mutating func appendUninitialized(count: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Void) {
        precondition(count <= capacity, "appendUninitialized: \(count) bytes is more than the staging buffer holds")
        if capacity &- position < count { spill() }
        body(scratch + position)
        position &+= count
    }

    /// Appends the decimal digits of `value`, straight into the staging buffer.
    @inlinable @inline(__always)
    public mutating func appendDecimal(_ value: UInt64) {
        // 20 digits hold UInt64.max; after a spill the whole buffer is free.
        if capacity &- position < 20 { spill() }
        var digits = 1
        var bound: UInt64 = 10
        while digits < 20 && value >= bound {
            digits &+= 1
            bound = bound &* 10
        }
        var v = value
        var i = position &+ digits
        repeat {
            i &-= 1
            scratch[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v % 10)
            v /= 10
        } while v > 0
        position &+= digits
    }

    /// Moves the staged bytes into the array.
    @inlinable
    public mutating func spill() {
        if position > 0 {
            out.append(contentsOf: UnsafeBufferPointer(start: scratch, count: position))
            position = 0
        }
    }

    /// Drops everything written after `count` bytes (for a refused event).
    @inlinable
    public mutating func truncate(to count: Int) {
        spill()
        out.removeSubrange(count...)
    }

    /// Runs `body` with a staging writer over `out`; every byte is in `out` when it returns.
    ///
    /// Never inlined: the stack buffer must live in a plain synchronous frame, also when the caller
    /// is an async function (inlined into one, the temporary allocation crashed at run time).
    /// Inlinable all the same, so that callers in other modules get a specialized copy instead of
    /// instantiating generic metadata per call.
    @inlinable @inline(never)
    public static func withStaging<T>(_ out: inout [UInt8], _ body: (inout StagedBytes) -> T) -> T {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1024) { buffer in
            var staged = StagedBytes(out: out, scratch: buffer.baseAddress!, capacity: buffer.count)
            // Let `staged` hold the only reference, so appends never copy the array.
            out = []
            let result = body(&staged)
            staged.spill()
            out = staged.out
            return result
        }
    }

    /// Runs `write` with a staging writer over a stack buffer, then `body` with everything written:
    /// straight from the stack when it fit, else from the heap.
    ///
    /// For writing one line without a shared buffer (and so without a lock), then copying it
    /// where it goes. Never inlined, for the reason given at ``withStaging(_:_:)``.
    @inlinable @inline(never)
    public static func withStagedLine<T>(
        capacity: Int = 1024,
        writing write: (inout StagedBytes) -> Void,
        then body: (UnsafeBufferPointer<UInt8>) -> T
    ) -> T {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            var staged = StagedBytes(out: [], scratch: buffer.baseAddress!, capacity: buffer.count)
            write(&staged)
            if staged.out.isEmpty {
                return body(UnsafeBufferPointer(start: buffer.baseAddress!, count: staged.position))
            }
            staged.spill()
            return staged.out.withUnsafeBufferPointer(body)
        }
    }
}
