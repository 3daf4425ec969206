import LedgerCore
import LedgerStore
import LedgerTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The crash suite's parent: starts ``CrashChild``, kills it with SIGKILL at a random moment, checks
/// the status files, sometimes leaves a torn tail as a crash mid-write would, and starts it again.
/// At the end one clean run writes to every agent, then every day file is audited.
///
/// `--root R [--iterations 20] [--agents 4] [--max-kill-ms 400]`. Prints one JSON summary line;
/// exits 1 when any confirmed event is missing or doubled, a line other than a sealed torn tail does
/// not parse, a tail is left unsealed, or a status file was ever not complete JSON.
enum CrashSuite {
    static let tornPrefix = #"{"ts":"torn-tail-"#

    static func run(_ options: StressOptions) async {
        let root = options.string("root")
        let iterations = options.int("iterations", default: 20)
        let agents = options.int("agents", default: 4)
        let maxKill = options.int("max-kill-ms", default: 400)
        let layout = LedgerLayout(root: root)
        var confirmed: [Int64] = []
        var failures: [String] = []
        var killed = 0
        var planted = 0
        var naturalTears = 0
        /// Day files with a planted tail that no restart has sealed yet (a child killed before writing there).
        var unsealedPlanted: Set<String> = []
        /// The first 120 bytes of each torn tail a kill left (as the audit reports malformed lines).
        var tornTails: Set<String> = []
        var statusChecks = 0
        var statusInvalid = 0
        var rng = SystemRandomNumberGenerator()

        for i in 0..<iterations {
            let first = i * 10_000_000
            let child: Shell.Child
            do {
                child = try Shell.spawn(
                    [selfPath, "crash-child", "--root", root, "--agents", "\(agents)", "--first", "\(first)"]
                )
            } catch {
                StressOptions.fail("cannot start the child: \(error)")
            }
            usleep(UInt32(Int.random(in: 5...max(5, maxKill), using: &rng)) * 1000)
            child.signal(SIGKILL)
            guard let out = try? child.wait() else { StressOptions.fail("cannot wait for the child") }
            if out.status == 128 + SIGKILL {
                killed += 1
            } else {
                failures.append("iteration \(i): child exited \(out.status) before the kill: \(out.stderr)")
            }
            confirmed.append(contentsOf: confirmedSequences(out.stdout))

            // Status files are replaced atomically: whatever moment the kill hit, each is complete JSON.
            for agent in layout.agentsWithStatus() {
                statusChecks += 1
                let path = layout.statusFile(agent: agent)
                do {
                    _ = try JSONParser.parse(try FileSystem.readFile(path))
                } catch {
                    statusInvalid += 1
                    failures.append("iteration \(i): \(path) is not complete JSON: \(error)")
                }
            }

            // A kill between two writes leaves whole lines; a tear can only come from a write cut short.
            for agent in layout.agents() {
                for day in layout.days(agent: agent) {
                    let path = layout.dayFile(agent: agent, date: day)
                    if LedgerAudit.endsWithNewline(path) {
                        unsealedPlanted.remove(path)
                    } else if !unsealedPlanted.contains(path) {
                        // A write cut short by the kill (Linux stops a large write at a fatal signal):
                        // counted once, and its bytes are what the sealed line must be.
                        naturalTears += 1
                        unsealedPlanted.insert(path)
                        tornTails.insert(tail(of: path))
                    }
                }
            }
            // Every third iteration, leave what a power cut mid-write leaves: a partial line without `\n`.
            if i % 3 == 1, let path = plantTornTail(layout, agents: agents, iteration: i, using: &rng) {
                unsealedPlanted.insert(path)
                planted += 1
            }
        }

        // One clean run to every agent: it must seal any tail and append after it.
        let final: Shell.Output
        do {
            final = try Shell.run([
                selfPath, "crash-child", "--root", root, "--agents", "\(agents)",
                "--first", "\(iterations * 10_000_000)", "--count", "\(agents * 100)",
            ])
        } catch {
            StressOptions.fail("cannot run the final child: \(error)")
        }
        if final.status != 0 { failures.append("final run exited \(final.status): \(final.stderr)") }
        confirmed.append(contentsOf: confirmedSequences(final.stdout))

        var seen: [Int64: UInt32] = [:]
        let audit: LedgerAudit
        do {
            audit = try LedgerAudit.scan(root: root) { e in
                if let seq = e.data["seq"]?.intValue { seen[seq, default: 0] += 1 }
            }
        } catch {
            StressOptions.fail("cannot read the ledger: \(error)")
        }
        let lost = confirmed.filter { seen[$0] == nil }.count
        let doubled = seen.values.filter { $0 > 1 }.count
        if lost > 0 { failures.append("\(lost) confirmed events are not on disk") }
        if doubled > 0 { failures.append("\(doubled) events are on disk more than once") }
        let foreign = audit.malformed.filter { !$0.hasPrefix(tornPrefix) && !tornTails.contains($0) }
        if !foreign.isEmpty {
            failures.append("lines that are not a sealed torn tail do not parse: \(foreign.prefix(3))")
        }
        if audit.malformed.count != planted + naturalTears {
            failures.append("\(audit.malformed.count) malformed lines, expected \(planted + naturalTears) sealed tails")
        }
        if audit.unsealedTails > 0 { failures.append("\(audit.unsealedTails) files end without a newline") }
        if audit.orderViolations > 0 { failures.append("\(audit.orderViolations) events out of order") }

        // A kill between creating a status temp file and renaming it leaves the temp file; the next writer removes it.
        var tempFiles = 0
        for agent in FileSystem.list("\(root)/agents") {
            tempFiles += FileSystem.list(layout.agentStateDirectory(agent)).filter { $0.hasSuffix(".tmp") }.count
        }

        if tempFiles > 0 { failures.append("\(tempFiles) status temporary files of killed processes were left") }

        var o = JSONObject()
        o.appendUnchecked("suite", "crash")
        o.appendUnchecked("ok", .bool(failures.isEmpty))
        o.appendUnchecked("iterations", .int(Int64(iterations)))
        o.appendUnchecked("killed", .int(Int64(killed)))
        o.appendUnchecked("confirmed", .int(Int64(confirmed.count)))
        o.appendUnchecked("on_disk", .int(Int64(seen.count)))
        o.appendUnchecked("lost", .int(Int64(lost)))
        o.appendUnchecked("doubled", .int(Int64(doubled)))
        o.appendUnchecked("planted_torn_tails", .int(Int64(planted)))
        o.appendUnchecked("natural_torn_tails", .int(Int64(naturalTears)))
        o.appendUnchecked("status_checks", .int(Int64(statusChecks)))
        o.appendUnchecked("status_invalid", .int(Int64(statusInvalid)))
        o.appendUnchecked("status_temp_files_left", .int(Int64(tempFiles)))
        audit.summary(into: &o)
        o.appendUnchecked("failures", .array(failures.prefix(20).map { .string($0) }))
        var line: [UInt8] = []
        JSONWriter.writeObject(o, into: &line)
        StressOptions.say(String(decoding: line, as: UTF8.self))
        exit(failures.isEmpty ? 0 : 1)
    }

    /// The numbers on complete lines of the child's stdout; a line cut by the kill is not a confirmation.
    static func confirmedSequences(_ stdout: String) -> [Int64] {
        var lines = stdout.split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeLast()  // after the last `\n`: empty, or a line the kill cut short
        return lines.compactMap { Int64($0) }
    }

    /// The bytes after the last `\n` of a file, as the audit shows a malformed line (its first 120 bytes).
    static func tail(of path: String) -> String {
        guard let bytes = try? FileSystem.readFile(path) else { return "" }
        let start = bytes.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        return String(decoding: bytes[start...].prefix(120), as: UTF8.self)
    }

    /// Appends the first part of a line, without its `\n`, to a day file that ends cleanly.
    static func plantTornTail(
        _ layout: LedgerLayout,
        agents: Int,
        iteration: Int,
        using rng: inout SystemRandomNumberGenerator
    ) -> String? {
        let agent = "crash-\(Int.random(in: 0..<agents, using: &rng))"
        guard let day = layout.days(agent: agent).last else { return nil }
        let path = layout.dayFile(agent: agent, date: day)
        guard LedgerAudit.endsWithNewline(path) else { return nil }
        let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let torn = Array("\(tornPrefix)\(iteration)\",\"agent\":\"\(agent)\",\"event\":\"in".utf8)
        let n = torn.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        return n == torn.count ? path : nil
    }

    /// This executable's path, to start children of the same build.
    static let selfPath: String = {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, 4095)
        guard n > 0 else { StressOptions.fail("cannot find /proc/self/exe") }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()
}
