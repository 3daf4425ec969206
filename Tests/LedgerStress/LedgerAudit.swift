import LedgerCore
import LedgerStore

#if canImport(Glibc)
import Glibc
#endif

/// Reads every day file under a ledger root line by line and checks the promises that hold for any
/// ledger: every line is one complete event or a sealed torn tail, every file ends with `\n`, and
/// the events of one producer keep their order within each file.
struct LedgerAudit {
    var files = 0
    var lines = 0
    var emptyLines = 0
    /// Lines that do not parse (the first 120 bytes of each).
    var malformed: [String] = []
    /// Files whose last byte is not `\n`: a torn tail nobody has sealed yet.
    var unsealedTails = 0
    /// The ledger's own events by type (`ledger.degraded`, `ledger.dropped`, …).
    var notices: [String: Int] = [:]
    /// Events of one producer (`data.producer`, else `data.pid`) found out of order within a file.
    var orderViolations = 0
    /// The sum of `data.dropped` over the `ledger.dropped` events.
    var droppedRecorded: Int64 = 0

    /// Scans every agent's day files; `body` sees each parsed event that is not a `ledger.` notice.
    static func scan(root: String, _ body: (LedgerEvent) -> Void) throws -> LedgerAudit {
        var audit = LedgerAudit()
        let layout = LedgerLayout(root: root)
        for agent in layout.agents() {
            for day in layout.days(agent: agent) {
                let path = layout.dayFile(agent: agent, date: day)
                audit.files += 1
                var last: [Int64: Int64] = [:]
                try LineReader.forEachLine(path: path) { raw in
                    audit.lines += 1
                    if raw.isEmpty {
                        audit.emptyLines += 1
                        return true
                    }
                    let bytes = raw.bindMemory(to: UInt8.self)
                    let event: LedgerEvent
                    do throws(LedgerError) {
                        event = try EventLine.parse(bytes)
                    } catch {
                        audit.malformed.append(String(decoding: bytes.prefix(120), as: UTF8.self))
                        return true
                    }
                    if event.type.hasPrefix("ledger.") {
                        audit.notices[event.type, default: 0] += 1
                        if event.type == "ledger.dropped" {
                            audit.droppedRecorded += event.data["dropped"]?.intValue ?? 0
                        }
                        return true
                    }
                    if let seq = event.data["seq"]?.intValue,
                        let producer = (event.data["producer"] ?? event.data["pid"])?.intValue
                    {
                        if let previous = last[producer], previous >= seq { audit.orderViolations += 1 }
                        last[producer] = seq
                    }
                    body(event)
                    return true
                }
                if !endsWithNewline(path) { audit.unsealedTails += 1 }
            }
        }
        return audit
    }

    /// Whether a file is empty or its last byte is `\n`.
    static func endsWithNewline(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return true }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size > 0 else { return true }
        var byte: UInt8 = 0
        return pread(fd, &byte, 1, st.st_size - 1) == 1 && byte == UInt8(ascii: "\n")
    }

    /// The audit as JSON members for a summary line.
    func summary(into o: inout JSONObject) {
        o.appendUnchecked("files", .int(Int64(files)))
        o.appendUnchecked("lines", .int(Int64(lines)))
        o.appendUnchecked("empty_lines", .int(Int64(emptyLines)))
        o.appendUnchecked("malformed_lines", .int(Int64(malformed.count)))
        o.appendUnchecked("unsealed_tails", .int(Int64(unsealedTails)))
        o.appendUnchecked("order_violations", .int(Int64(orderViolations)))
        var n = JSONObject()
        for (k, v) in notices.sorted(by: { $0.key < $1.key }) { n.appendUnchecked(k, .int(Int64(v))) }
        o.appendUnchecked("notices", .object(n))
    }
}
