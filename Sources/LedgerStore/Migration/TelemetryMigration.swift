import LedgerCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Copies a telemetry buffer (`g/telemetry/*.jsonl`, seed 000 §8.2) into an agent's ledger, each
/// line into the day file of its own timestamp.
///
/// Idempotent: every migrated line gets an id that depends only on its bytes (or keeps the valid
/// `id` it already has), and a line is skipped when its id is already in the ledger's day file of its
/// day or in `state/migrated/<agent>.ids` (the ids migrated before, kept there so that a day file
/// archived since still counts). Running it twice adds nothing; identical lines in a buffer are one
/// event.
///
/// A line is mapped as the ledger reads its own lines: `ts` (ISO 8601 with an offset; or `ts_unix`
/// seconds, written in UTC), `event` (or `type`; `info` when neither), `data`, `summary`, `task_id`,
/// `session_id`, `source`, …; members it does not know are kept as they are. The agent is the one
/// given; a different `agent` in the line is kept as `telemetry_agent`. `migrated_from` names the
/// buffer. A line that is not a JSON object, has no usable time, or has an invalid field is reported
/// with its number and skipped; the rest go on.
public struct TelemetryMigration: Sendable {
    public let layout: LedgerLayout
    public let agent: String
    public let fsync: FsyncPolicy

    /// A line that could not be migrated.
    public struct Malformed: Sendable, Hashable {
        /// 1-based.
        public var line: Int
        public var reason: String
    }

    /// What a migration did.
    public struct Report: Sendable {
        public var lines = 0
        public var migrated = 0
        public var alreadyPresent = 0
        public var blank = 0
        public var malformed: [Malformed] = []
        /// The day files written, with how many lines each got.
        public var days: [CivilDate: Int] = [:]
    }

    public init(layout: LedgerLayout, agent: String, fsync: FsyncPolicy = .none) {
        self.layout = layout
        self.agent = agent
        self.fsync = fsync
    }

    /// `state/migrated/<agent>.ids`.
    public var idsFile: String { "\(layout.stateDirectory)/migrated/\(agent).ids" }

    /// Migrates `source`.
    ///
    /// - Parameter progress: called now and then with the bytes read so far and the file's size.
    /// - Throws: `invalidAgentID`, or `notFound`/`io` when the buffer cannot be read or a day file
    ///   cannot be written (what was written before stays, and a new run picks up the rest).
    public func run(
        source: String,
        progress: (_ done: Int64, _ total: Int64) -> Void = { _, _ in }
    ) throws(LedgerError) -> Report {
        try Identifiers.validateAgent(agent)
        guard FileSystem.exists(source), !FileSystem.isDirectory(source) else {
            throw LedgerError(
                .notFound,
                "there is no file \(source): name a telemetry buffer like g/telemetry/cls_audit.jsonl"
            )
        }
        let total = FileSystem.fileSize(source) ?? 0
        let origin = FileSystem.baseName(source)
        var report = Report()
        var byDay: [CivilDate: [LedgerEvent]] = [:]
        var seen = Set<EventID>()
        var done: Int64 = 0
        try LineReader.forEachLine(path: source) { raw in
            report.lines += 1
            done += Int64(raw.count + 1)
            if report.lines % 4096 == 0 { progress(min(done, total), total) }
            let bytes = Array(raw.bindMemory(to: UInt8.self))
            guard bytes.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else {
                report.blank += 1
                return true
            }
            do throws(LedgerError) {
                let e = try event(from: bytes, origin: origin)
                guard let id = e.id, seen.insert(id).inserted else {
                    report.alreadyPresent += 1
                    return true
                }
                byDay[e.localDate, default: []].append(e)
            } catch {
                report.malformed.append(Malformed(line: report.lines, reason: error.message))
            }
            return true
        }
        progress(total, total)

        var migratedBefore = try readIDs()
        let writer = DayFileWriter(layout: layout, agent: agent, fsyncPolicy: fsync)
        defer { writer.close() }
        for day in byDay.keys.sorted() {
            let existing = try ids(in: day).union(migratedBefore)
            var out: [UInt8] = []
            var written: [EventID] = []
            for e in byDay[day]! {
                guard let id = e.id, !existing.contains(id) else {
                    report.alreadyPresent += 1
                    continue
                }
                EventLine.write(e, into: &out)
                written.append(id)
            }
            guard !written.isEmpty else { continue }
            do throws(AppendFailure) { try writer.append(out, date: day) } catch { throw error.error }
            try appendIDs(written)
            migratedBefore.formUnion(written)
            report.migrated += written.count
            report.days[day] = written.count
        }
        return report
    }

    /// The event a buffer line becomes.
    func event(from bytes: [UInt8], origin: String) throws(LedgerError) -> LedgerEvent {
        guard case .object(var o) = try JSONParser.parse(bytes) else {
            throw LedgerError(.invalidJSON, "not a JSON object")
        }
        if o["ts"]?.stringValue == nil {
            guard let seconds = o["ts_unix"]?.doubleValue ?? o["timestamp"]?.doubleValue, seconds.isFinite else {
                throw LedgerError(.invalidJSON, "no time: give \"ts\" (ISO 8601 with an offset) or \"ts_unix\"")
            }
            guard Timestamp.representable(seconds: seconds) else {
                throw LedgerError(
                    .invalidJSON,
                    "time \(seconds) is out of range: \"ts_unix\" is seconds since 1970 (milliseconds are 1000 times too large)"
                )
            }
            var ts: [UInt8] = []
            TimestampFormat.writeISO8601(Timestamp(seconds: seconds), utcOffsetSeconds: 0, into: &ts)
            o["ts"] = .string(String(decoding: ts, as: UTF8.self))
        }
        if let other = o["agent"], other.stringValue != agent { o["telemetry_agent"] = other }
        o["agent"] = .string(agent)
        if o["event"]?.stringValue == nil && o["type"]?.stringValue == nil { o["event"] = .string("info") }
        o["migrated_from"] = .string(origin)
        var e = try EventLine.event(from: o)
        try EventEncoder(strict: false).validate(e)
        if e.id == nil {
            let (a, b) = Self.fingerprint(bytes)
            let ms = UInt64(max(e.timestamp.milliseconds, 0)) & 0xFFFF_FFFF_FFFF
            e.id = EventID(high: ms << 16 | a >> 48, low: b)
        }
        return e
    }

    /// Two FNV-1a hashes of the line: stable across runs and machines (unlike `Hasher`).
    static func fingerprint(_ bytes: [UInt8]) -> (UInt64, UInt64) {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x6c62_272e_07bb_0142
        for c in bytes {
            a = (a ^ UInt64(c)) &* 0x0000_0100_0000_01B3
            b = (b ^ UInt64(c)) &* 0x0000_0100_0000_01B3
            b = b ^ (b >> 29)
        }
        return (a, b)
    }

    private func ids(in day: CivilDate) throws(LedgerError) -> Set<EventID> {
        var ids = Set<EventID>()
        try LedgerReader(layout: layout).forEachEvent(agent: agent, date: day) { e in
            if let id = e.id { ids.insert(id) }
            return true
        }
        return ids
    }

    private func readIDs() throws(LedgerError) -> Set<EventID> {
        guard FileSystem.exists(idsFile) else { return [] }
        var ids = Set<EventID>()
        try LineReader.forEachLine(path: idsFile) { line in
            if let id = EventID(String(decoding: line, as: UTF8.self)) { ids.insert(id) }
            return true
        }
        return ids
    }

    private func appendIDs(_ ids: [EventID]) throws(LedgerError) {
        var out: [UInt8] = []
        for id in ids {
            id.write(into: &out)
            out.append(UInt8(ascii: "\n"))
        }
        let fd = try FileSystem.openForAppend(idsFile, under: layout.root)
        defer { close(fd) }
        if let code = out.withUnsafeBytes({ FileSystem.writeAll(fd, $0) }).errno {
            throw FileSystem.error("append to", path: idsFile, errno: code)
        }
    }
}
