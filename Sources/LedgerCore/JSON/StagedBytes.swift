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
        if n <= 16 && n >= 8 && capacity &- position >= 16 {
            // Short pieces (keys, literals, small strings) are the common case: two overlapping
            // 8-byte moves instead of a call to memmove.
            let source = UnsafeRawPointer(bytes.baseAddress!)
            let target = UnsafeMutableRawPointer(scratch + position)
            let head = source.loadUnaligned(as: UInt64.self)
            let tail = source.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
            target.storeBytes(of: head, as: UInt64.self)
            target.storeBytes(of: tail, toByteOffset: n &- 8, as: UInt64.self)
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
