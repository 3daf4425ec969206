/// Writes compact JSON (RFC 8259) straight into a byte buffer.
///
/// This is the one place the ledger escapes strings. It allocates nothing beyond the buffer's
/// own growth: a caller that reserves capacity up front writes a whole event without allocating.
public enum JSONWriter {
    /// Appends the JSON text of `value` to a byte array.
    public static func write(_ value: JSONValue, into out: inout [UInt8]) {
        StagedBytes.withStaging(&out) { write(value, into: &$0) }
    }

    /// Appends the JSON text of an object to a byte array.
    public static func writeObject(_ object: JSONObject, into out: inout [UInt8]) {
        StagedBytes.withStaging(&out) { writeObject(object, into: &$0) }
    }

    /// Appends a quoted, escaped JSON string to a byte array.
    public static func writeString(_ string: String, into out: inout [UInt8]) {
        StagedBytes.withStaging(&out) { writeString(string, into: &$0) }
    }

    /// Appends a decimal integer to a byte array.
    public static func writeInt(_ value: Int64, into out: inout [UInt8]) {
        StagedBytes.withStaging(&out) { writeInt(value, into: &$0) }
    }

    /// Appends the JSON text of `value`.
    ///
    /// Non-finite doubles cannot be written as JSON; they are written as `null`. Callers that must refuse
    /// them check with ``JSONValue/firstNonFiniteNumberPath`` first (event validation does).
    public static func write(_ value: JSONValue, into out: inout StagedBytes) {
        switch value {
        case .null: appendLiteral("null", into: &out)
        case .bool(let b): appendLiteral(b ? "true" : "false", into: &out)
        case .int(let i): writeInt(i, into: &out)
        case .double(let d): writeDouble(d, into: &out)
        case .string(let s): writeString(s, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            var first = true
            for e in elements {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                write(e, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            writeObject(object, into: &out)
        }
    }

    /// Appends the JSON text of an object.
    public static func writeObject(_ object: JSONObject, into out: inout StagedBytes) {
        out.append(UInt8(ascii: "{"))
        // Members are read in place: iterating the tuples would copy (retain and release) each one.
        object.members.withUnsafeBufferPointer { members in
            for i in members.indices {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(members[i].key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(members[i].value, into: &out)
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Appends `"key":` for an object member; `key` is escaped.
    @inlinable
    public static func writeKey(_ key: String, into out: inout StagedBytes) {
        writeString(key, into: &out)
        out.append(UInt8(ascii: ":"))
    }

    /// Appends a quoted, escaped JSON string.
    @inline(__always)
    public static func writeString(_ string: String, into out: inout StagedBytes) {
        // Borrowing the UTF-8 in place avoids the copy (a retain and a release) that `withUTF8` needs.
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { writeStringBytes($0, into: &out) }
        if done == nil {
            var s = string
            s.withUTF8 { writeStringBytes($0, into: &out) }
        }
    }

    /// Whether any of the eight bytes is below 0x20, a quote or a backslash (SWAR: such a byte sets
    /// a high bit in the result; a byte of 0x80 or more never does).
    @inline(__always)
    static func needsEscape(_ w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = w ^ (ones &* 0x22)
        let backslash = w ^ (ones &* 0x5C)
        let flags = ((w &- ones &* 0x20) & ~w) | ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
        return flags & highs != 0
    }

    /// Appends a quoted, escaped JSON string from bytes that are known to be valid UTF-8.
    @inline(__always)
    public static func writeStringBytes(_ utf8: UnsafeBufferPointer<UInt8>, into out: inout StagedBytes) {
        out.append(UInt8(ascii: "\""))
        var runStart = 0
        var i = 0
        let n = utf8.count
        if let base = utf8.baseAddress {
            // Eight bytes at a time while none of them needs escaping.
            let raw = UnsafeRawPointer(base)
            while i + 8 <= n {
                if needsEscape(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) { break }
                i += 8
            }
            if i + 8 > n {
                // Fewer than eight bytes left, all of the rest clean so far: check the tail as one
                // word too (the last eight bytes, or the whole short string padded with letters),
                // so that a clean string is copied in one piece without a byte-by-byte loop.
                let tail: UInt64
                if i == n {
                    tail = 0x4141_4141_4141_4141
                } else if n >= 8 {
                    tail = raw.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
                } else if n >= 4 {
                    let head = UInt64(raw.loadUnaligned(as: UInt32.self))
                    let last = UInt64(raw.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self))
                    tail = head | last << 32
                } else {
                    tail =
                        0x4141_4141_4100_0000 | UInt64(raw.load(as: UInt8.self))
                        | UInt64(raw.load(fromByteOffset: n &>> 1, as: UInt8.self)) << 8
                        | UInt64(raw.load(fromByteOffset: n &- 1, as: UInt8.self)) << 16
                }
                if !needsEscape(tail) {
                    out.append(contentsOf: utf8)
                    out.append(UInt8(ascii: "\""))
                    return
                }
            }
        }
        while i < n {
            let b = utf8[i]
            if b >= 0x20 && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\") {
                i += 1
                continue
            }
            if runStart < i {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i]))
            }
            out.append(UInt8(ascii: "\\"))
            switch b {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
            case 0x0A: out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "t"))
            case 0x08: out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(UInt8(ascii: "f"))
            default:
                out.append(UInt8(ascii: "u"))
                out.append(UInt8(ascii: "0"))
                out.append(UInt8(ascii: "0"))
                out.append(hexDigit(b >> 4))
                out.append(hexDigit(b & 0xF))
            }
            i += 1
            runStart = i
        }
        if runStart < n {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<n]))
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends a decimal integer without allocating.
    @inline(__always)
    public static func writeInt(_ value: Int64, into out: inout StagedBytes) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        out.appendDecimal(value.magnitude)
    }

    /// Appends a double in its shortest form that reads back to the same value.
    public static func writeDouble(_ value: Double, into out: inout StagedBytes) {
        guard value.isFinite else {
            appendLiteral("null", into: &out)
            return
        }
        if value.rounded() == value, abs(value) < 1e15 {
            // Whole numbers keep a ".0" so they read back as doubles.
            writeInt(Int64(value), into: &out)
            out.append(UInt8(ascii: "."))
            out.append(UInt8(ascii: "0"))
            return
        }
        out.append(contentsOf: value.description.utf8)
    }

    /// Appends the bytes of a literal (a plain copy, unlike appending a `String.UTF8View`).
    @inline(__always)
    public static func appendLiteral(_ s: StaticString, into out: inout StagedBytes) {
        out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    @inline(__always)
    static func hexDigit(_ v: UInt8) -> UInt8 {
        v < 10 ? UInt8(ascii: "0") &+ v : UInt8(ascii: "a") &+ (v &- 10)
    }
}

extension JSONValue {
    /// The path of the first NaN or infinite number inside this value (`data.latency`), if any.
    public var firstNonFiniteNumberPath: String? {
        func find(_ v: JSONValue, _ path: String) -> String? {
            switch v {
            case .double(let d): return d.isFinite ? nil : path
            case .array(let a):
                for (i, e) in a.enumerated() {
                    if let p = find(e, "\(path)[\(i)]") { return p }
                }
                return nil
            case .object(let o):
                for (k, e) in o {
                    if let p = find(e, path.isEmpty ? k : "\(path).\(k)") { return p }
                }
                return nil
            default: return nil
            }
        }
        return find(self, "")
    }

    /// The nesting depth: 0 for a scalar, 1 for a flat array or object.
    public var depth: Int {
        switch self {
        case .array(let a): 1 + (a.map(\.depth).max() ?? 0)
        case .object(let o): 1 + (o.members.map(\.value.depth).max() ?? 0)
        default: 0
        }
    }
}
