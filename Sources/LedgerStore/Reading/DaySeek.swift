import LedgerCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds where a time starts in a plain day file without reading it from the start.
///
/// Lines in a day file are in time order (give or take the few milliseconds by which two processes'
/// batches can cross), so a binary search over byte offsets finds the first line at or after a
/// time: at a middle offset, skip to the next line start, read that line's `ts`, and halve. About
/// 20 probes of one small read each for a 1 GB file, then 32 more spread over the part skipped to
/// check the order: a file seen out of order is read from its start.
public enum DaySeek {
    /// How far before `time` the search aims, so lines slightly out of order are not skipped.
    public static let slack: Int64 = 10_000_000_000

    /// The offset of a line start at or before the first line whose `ts` is at or after `time` (less
    /// ``slack``): reading from there and skipping earlier lines gives every line from `time` on.
    public static func offset(of time: Timestamp, fd: Int32, path: String) throws(LedgerError) -> Int64 {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileSystem.error("stat", path: path, errno: errno) }
        let size = Int64(st.st_size)
        let target = Timestamp(nanoseconds: time.nanoseconds &- slack)
        // Invariant: the line starting at `low` is before the target (or `low` is 0);
        // no line starting at or after `high` needs to be read.
        var low: Int64 = 0
        var high = size
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 16)
        defer { buffer.deallocate() }
        // Every line looked at, to check afterwards that the file really is in time order.
        var seen: [(offset: Int64, ts: Timestamp)] = []
        while high - low > 4096 {
            let mid = low + (high - low) / 2
            guard let (start, ts) = try lineAfter(mid, limit: high, fd: fd, path: path, buffer: buffer) else {
                high = mid
                continue
            }
            if let ts { seen.append((start, ts)) }
            // A line without a readable `ts` (a sealed torn tail) sends the search to the half before it.
            if let ts, ts < target {
                low = start
            } else {
                high = mid
            }
        }
        guard low > 0 else { return 0 }
        // Lines written out of order (a backfill with `emit --ts`, `migrate`, a batch held back by a
        // full disk while another process wrote on) break the search's premise. Look at lines spread
        // evenly over the part to be skipped: one at or after the target, or any line earlier than one
        // before it by more than the slack, and the file is read from its start instead.
        let samples: Int64 = 32
        for k in 0..<samples {
            let at = low * k / samples
            if let (start, ts) = try lineAfter(at, limit: low, fd: fd, path: path, buffer: buffer), let ts {
                seen.append((start, ts))
            }
        }
        seen.sort { $0.offset < $1.offset }
        var latest: Int64?
        for s in seen {
            if s.offset < low && s.ts.nanoseconds >= target.nanoseconds { return 0 }
            if let latest, s.ts.nanoseconds < latest - slack { return 0 }
            latest = max(latest ?? s.ts.nanoseconds, s.ts.nanoseconds)
        }
        return low
    }

    /// The first line that starts after `offset` (and before `limit`): its start and its `ts`.
    private static func lineAfter(
        _ offset: Int64,
        limit: Int64,
        fd: Int32,
        path: String,
        buffer: UnsafeMutableRawBufferPointer
    ) throws(LedgerError) -> (Int64, Timestamp?)? {
        var position = offset
        var start: Int64?
        var line: [UInt8] = []
        while position < limit || start != nil {
            var n = 0
            while true {
                n = pread(fd, buffer.baseAddress!, buffer.count, off_t(position))
                if n >= 0 { break }
                if errno != EINTR { throw FileSystem.error("read", path: path, errno: errno) }
            }
            if n == 0 { break }
            var i = 0
            if start == nil {
                while i < n, buffer[i] != UInt8(ascii: "\n") { i += 1 }
                if i == n {
                    position += Int64(n)
                    continue
                }
                i += 1
                start = position + Int64(i)
                if start! >= limit { return nil }
            }
            var j = i
            while j < n, buffer[j] != UInt8(ascii: "\n") { j += 1 }
            line.append(contentsOf: buffer[i..<j])
            if j < n || line.count > 256 { break }
            position += Int64(n)
        }
        guard let start else { return nil }
        let ts = line.withUnsafeBytes { EventLine.quickTimestamp($0) }
        return (start, ts)
    }
}
