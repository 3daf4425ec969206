import AgentLedger
import ArgumentParser
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct StreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "Print the ledger's events in time order, across days and agents, archived days included.",
        discussion: """
            On a terminal each event is one readable, coloured line; piped, or with --json, each is its
            JSON line exactly as stored, so `| jq` works. --follow keeps printing lines as they are
            appended, across day changes, until interrupted (Ctrl-C, SIGTERM), or with --until until
            that time has passed. Lines that are not valid events are skipped and counted on stderr
            at the end.

            Examples:
              agent-ledger stream --since 5m
              agent-ledger stream --since 2025-11-16 --until 2025-11-17 --agent cls --type error
              agent-ledger stream --since 1h --json | jq .summary
              agent-ledger stream --follow --agent cls
            """
    )

    @OptionGroup var read: ReadOptions

    @Flag(name: .long, help: "Keep printing new events as they are written, until interrupted.")
    var follow = false

    @Flag(name: .long, help: "Print each event's JSON line as stored.")
    var json = false

    @Option(name: .long, help: "With --follow: seconds between looks at the files.")
    var interval: Double = 0.25

    @OptionGroup var options: LedgerOptions

    func validate() throws {
        guard interval > 0, interval <= 60 else { throw ValidationError("--interval must be between 0 and 60 seconds") }
    }

    func run() async throws {
        try await runReportingErrors {
            let config = try await options.load()
            let filter = try read.filter(config)
            let raw = json || !Terminal.isInteractive
            let out = OutputBuffer()
            func emit(_ e: ScannedEvent) {
                if raw {
                    out.append(e.line)
                    out.append("\n")
                } else {
                    out.append(EventView.line(e.event, color: Terminal.useColor) + "\n")
                }
            }
            if follow { StopSignal.install() }
            let scanner = LedgerScanner(layout: config.layout, filter: filter, forFollowing: follow)
            try scanner.scan { e in
                emit(e)
                return out.failed == nil && !StopSignal.received
            }
            out.flush()
            var malformed = scanner.malformedLines
            if follow && out.failed == nil {
                var tailFilter = filter
                tailFilter.since = nil
                let tail = LedgerTail(layout: config.layout, filter: tailFilter, offsets: scanner.endOffsets)
                // With --until, following ends once the clock is past it by more than a writer holds
                // an event back (the flush interval) and a second for the clocks: nothing that
                // could still arrive would be shown.
                let stopAt = filter.until.map {
                    Timestamp(nanoseconds: $0.nanoseconds &+ Int64((config.flushInterval + 1) * 1e9))
                }
                while !StopSignal.received && out.failed == nil {
                    let last = stopAt.map { Timestamp.now > $0 } ?? false
                    for e in try tail.poll() where filter.until.map({ e.event.timestamp <= $0 }) ?? true { emit(e) }
                    out.flush()
                    if StopSignal.received || last { break }
                    try? await Task.sleep(for: .milliseconds(Int64(interval * 1000)))
                }
                malformed += tail.malformedLines
            }
            reportSkipped(malformed: malformed, unreadable: scanner.unreadableFiles)
        }
    }
}

/// SIGINT and SIGTERM end `--follow` cleanly: the loop sees the flag, flushes and reports.
enum StopSignal {
    static let flag = Atomic<Bool>(false)

    static var received: Bool { flag.load(ordering: .relaxed) }

    static func install() {
        let handler: @convention(c) (Int32) -> Void = { _ in StopSignal.flag.store(true, ordering: .relaxed) }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }
}
