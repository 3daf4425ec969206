import LedgerCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Hands out the lines of a ``ByteSource`` one at a time, buffering 64 KiB at a time.
///
/// A line longer than the buffer grows it, up to ``maxLineBytes``: past that, only its first
/// `maxLineBytes` are handed out (as a line that will not parse) and the rest is skipped, so a file
/// without newlines (a gzip bomb named like a day file) cannot grow memory without bound. A last
/// line without `\n` is handed out too.
public final class LineCursor {
    /// The default cap on a line: sixteen times the largest event the ledger writes.
    public static let defaultMaxLineBytes = 16 << 20
    private let source: any ByteSource
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var scanned = 0
    private var atEnd = false
    /// Bytes handed out so far, counting each line's `\n`: the offset of the next line in the source's bytes.
    public private(set) var consumed: Int64 = 0
    /// Whether a last line without `\n` is handed out (a line still being written is not, when following a file).
    public let handsOutUnfinishedLine: Bool
    /// The longest line handed out whole.
    public let maxLineBytes: Int
    /// In the middle of a line longer than ``maxLineBytes`` whose start was handed out: skip to its end.
    private var skippingLongLine = false

    /// - Parameters:
    ///   - handsOutUnfinishedLine: hand out a last line that has no `\n` (default); off, such a line
    ///     stays unread so that ``consumed`` is the offset to go on from once it is finished.
    ///   - maxLineBytes: the longest line handed out whole (see the type's description).
    public init(
        _ source: any ByteSource,
        chunkSize: Int = 1 << 16,
        handsOutUnfinishedLine: Bool = true,
        maxLineBytes: Int = LineCursor.defaultMaxLineBytes
    ) {
        self.source = source
        self.handsOutUnfinishedLine = handsOutUnfinishedLine
        self.maxLineBytes = max(maxLineBytes, 16)
        self.buffer = .allocate(byteCount: max(min(chunkSize, self.maxLineBytes), 16), alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// Calls `body` with the next line (without its `\n`), valid only during the call.
    ///
    /// - Returns: `nil` at the end, else what `body` returned.
    public func next<T>(_ body: (UnsafeRawBufferPointer) throws(LedgerError) -> T) throws(LedgerError) -> T? {
        while true {
            if skippingLongLine {
                if let nl = findNewline() {
                    consumed += Int64(nl + 1 - start)
                    start = nl + 1
                    scanned = start
                    skippingLongLine = false
                    continue
                }
                consumed += Int64(end - start)
                start = end
                scanned = end
                if atEnd { return nil }
                try fill()
                continue
            }
            if let nl = findNewline() {
                let lineStart = start
                start = nl + 1
                scanned = start
                consumed += Int64(nl + 1 - lineStart)
                return try body(UnsafeRawBufferPointer(rebasing: buffer[lineStart..<nl]))
            }
            if atEnd {
                guard start < end, handsOutUnfinishedLine else { return nil }
                let lineStart = start
                let lineEnd = end
                start = end
                scanned = end
                consumed += Int64(lineEnd - lineStart)
                return try body(UnsafeRawBufferPointer(rebasing: buffer[lineStart..<lineEnd]))
            }
            if end - start >= maxLineBytes {
                // No newline in `maxLineBytes`: hand out that much, skip the rest of the line.
                let lineStart = start
                let lineEnd = start + maxLineBytes
                start = lineEnd
                scanned = lineEnd
                consumed += Int64(maxLineBytes)
                skippingLongLine = true
                return try body(UnsafeRawBufferPointer(rebasing: buffer[lineStart..<lineEnd]))
            }
            try fill()
        }
    }

    /// The next line as an array, or `nil` at the end.
    public func nextLine() throws(LedgerError) -> [UInt8]? {
        try next { line throws(LedgerError) in Array(line) }
    }

    private func findNewline() -> Int? {
        guard scanned < end else { return nil }
        let base = UnsafeRawPointer(buffer.baseAddress!)
        let found = memchr(base + scanned, Int32(UInt8(ascii: "\n")), end - scanned).map {
            base.distance(to: UnsafeRawPointer($0))
        }
        if found == nil { scanned = end }
        return found
    }

    private func fill() throws(LedgerError) {
        if start > 0 {
            let count = end - start
            if count > 0 {
                buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: count)
            }
            scanned -= start
            end = count
            start = 0
        }
        if end == buffer.count {
            // A line longer than the buffer: double it.
            let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
            bigger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: end)
            buffer.deallocate()
            buffer = bigger
        }
        let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
        if n == 0 { atEnd = true } else { end += n }
    }
}
