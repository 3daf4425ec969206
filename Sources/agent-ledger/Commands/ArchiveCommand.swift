import AgentLedger
import ArgumentParser
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct ArchiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Gzip closed day files (older than archive.after_days), verify each archive, remove the plain file.",
        discussion: """
            Archives the day files in g/ledger/<agent>/, agents/<agent>/, agents/<agent>/commands/ and
            state/events/ (and the rotated days beside AGI_LEDGER_PATH) whose date is before today minus
            archive.after_days (AGENT_LEDGER_ARCHIVE_AFTER_DAYS, default 1), each into YYYY-MM-DD.jsonl.gz
            beside it. First it finishes or rolls back what an interrupted run left. Nothing is deleted
            unless archive.retention_days (AGENT_LEDGER_ARCHIVE_RETENTION_DAYS) is set. The ledger runtime
            does the same by itself at start and after each day change; this runs it on demand.

            Examples:
              agent-ledger archive --dry-run
              agent-ledger archive --root /srv/agents
              agent-ledger archive --after-days 7
            """
    )

    @Flag(name: .long, help: "Show what would be done; change nothing.")
    var dryRun = false

    @Option(name: .long, help: "Archive days before today minus this many (overrides archive.after_days).")
    var afterDays: Int?

    @OptionGroup var options: LedgerOptions

    func run() async throws {
        try await runReportingErrors {
            var overrides: [String: String] = [:]
            if let afterDays { overrides[Setting.archiveAfterDays.fileKey] = String(afterDays) }
            let config = try await options.load(overrides)
            var archiveOptions = config.archiveOptions
            archiveOptions.dryRun = dryRun
            var archiver = DayArchiver(
                layout: config.layout,
                ledgerPath: config.ledgerPath,
                options: archiveOptions
            )
            archiver.onStep = Self.crashSeam()
            if Terminal.stderrIsTerminal {
                let last = Mutex<Int64>(-1)
                archiver.onProgress = { p in
                    // A file that grew after it was listed can take the count past its total.
                    let percent = p.bytesTotal > 0 ? min(100, max(0, Int(p.bytesDone * 100 / p.bytesTotal))) : 100
                    // Redraw only when the percentage moves.
                    guard
                        last.withLock({ old in
                            if old == Int64(percent) { return false }
                            old = Int64(percent)
                            return true
                        })
                    else { return }
                    let filled = percent / 5
                    let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: 20 - filled)
                    Terminal.progress(
                        "[\(bar)] \(percent)%  file \(min(p.filesDone + 1, p.filesTotal))/\(p.filesTotal)  \(FileSystem.baseName(p.current))"
                    )
                }
            }
            let zone = try LedgerTimeZone.parse(config.timeZone)
            let today = zone.localDate(of: .now)
            let clock = ContinuousClock()
            let start = clock.now
            let report = archiver.run(today: today)
            let elapsed = clock.now - start
            Terminal.endProgress()
            print(
                Self.summary(
                    report,
                    seconds: elapsed.inSeconds,
                    root: config.root
                )
            )
            for failure in report.failures {
                Terminal.printError(failure.description)
            }
            if !report.failures.isEmpty {
                throw ExitCode.failure
            }
        }
    }

    static func summary(_ r: ArchiveReport, seconds: Double, root: String) -> String {
        var lines: [String] = []
        for x in r.recovered {
            let what: String =
                switch x.action {
                case .removedTemporary:
                    r.dryRun ? "would remove the unfinished archive" : "removed the unfinished archive"
                case .removedArchivedPlain: "removed the plain file already in its archive:"
                case .setAsideCorrupt: "set aside an archive that does not decompress as"
                }
            lines.append("recovery: \(what) \(x.path)")
        }
        if r.dryRun {
            for a in r.archived {
                lines.append(
                    "would archive \(a.source) (\(bytes(a.bytesIn)))\(a.appended ? " as a new member of its archive" : "")"
                )
            }
            for d in r.deleted { lines.append("would delete \(d) (retention)") }
            lines.append(
                "Dry run: \(r.archived.count) day file\(r.archived.count == 1 ? "" : "s") (\(bytes(r.bytesIn))) would be archived; nothing changed."
            )
            return lines.joined(separator: "\n")
        }
        for d in r.deleted { lines.append("deleted \(d) (retention)") }
        if r.archived.isEmpty {
            lines.append("Nothing to archive under \(root).")
        } else {
            let ratio = r.bytesOut > 0 ? Double(r.bytesIn) / Double(r.bytesOut) : 0
            let rate = seconds > 0 ? Double(r.bytesIn) / 1e6 / seconds : 0
            lines.append(
                "Archived \(r.archived.count) day file\(r.archived.count == 1 ? "" : "s"): \(bytes(r.bytesIn)) → \(bytes(r.bytesOut)) (\(String(format: "%.1f", ratio))×) in \(String(format: "%.2f", seconds)) s, \(String(format: "%.1f", rate)) MB/s."
            )
        }
        if r.stopped { lines.append("Stopped before the end; run again to go on.") }
        return lines.joined(separator: "\n")
    }

    static func bytes(_ n: Int64) -> String {
        if n >= 1_000_000 { return String(format: "%.1f MB", Double(n) / 1e6) }
        if n >= 1000 { return String(format: "%.1f kB", Double(n) / 1e3) }
        return "\(n) B"
    }

    /// For crash tests only: `AGENT_LEDGER_ARCHIVE_CRASH_AFTER=<step>` kills the process with SIGKILL
    /// right after that step of the first file, as a power cut would.
    static func crashSeam() -> (@Sendable (ArchiveStep, String) -> Void)? {
        guard let name = ProcessInfo.processInfo.environment["AGENT_LEDGER_ARCHIVE_CRASH_AFTER"],
            let step = ArchiveStep(rawValue: name)
        else { return nil }
        return { done, _ in
            if done == step { raise(SIGKILL) }
        }
    }
}
