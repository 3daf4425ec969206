import LedgerCore
import LedgerRuntime

#if canImport(Glibc)
import Glibc
#endif

/// The process the crash suite kills: emits numbered events in async mode to several agents and
/// prints each sequence number that `flush()` confirmed, one per line, flushed before the next batch.
///
/// `--root R --agents N --first S [--count C]`: numbers start at S; agent `crash-<seq % N>`. With
/// `--count` it stops after C events and shuts down cleanly; without, it runs until killed.
enum CrashChild {
    static func run(_ options: StressOptions) async {
        let agents = options.int("agents", default: 4)
        let first = options.int("first", default: 0)
        let count = options.int("count", default: Int.max)
        var config = LedgerConfiguration()
        config.root = options.string("root")
        config.async = true
        config.timeZone = "UTC"
        config.shutdownTimeout = 120
        let ledger: Ledger
        do {
            ledger = try Ledger(configuration: config)
        } catch {
            StressOptions.fail("cannot open the ledger: \(error)")
        }
        let runner = Task { try await ledger.run() }
        let pid = Int64(getpid())
        var seq = first
        var rng = SystemRandomNumberGenerator()
        while seq - first < count {
            let n = min(Int.random(in: 1...200, using: &rng), count - (seq - first))
            let batch = seq..<(seq + n)
            for s in batch {
                let agent = "crash-\(s % agents)"
                let data: JSONValue = ["seq": .int(Int64(s)), "pid": .int(pid)]
                if s % 97 == 0 {
                    // Status events too, so status files are replaced while the process may be killed.
                    ledger.agent(agent).taskStart("task-\(s)", data: data)
                } else if s % 50 == 0 {
                    ledger.agent(agent).heartbeat(data: data)
                } else {
                    ledger.emit("info", agent: agent, data: data)
                }
            }
            seq += n
            guard await ledger.flush() else {
                StressOptions.fail("flush did not confirm events \(batch.lowerBound)..<\(batch.upperBound)")
            }
            let dropped = await ledger.statistics().dropped
            guard dropped == 0 else { StressOptions.fail("\(dropped) events dropped") }
            StressOptions.say(batch.map(String.init).joined(separator: "\n"))
        }
        let report = await ledger.shutdown()
        _ = try? await runner.value
        guard report.complete, report.lost == 0 else { StressOptions.fail("shutdown lost \(report.lost) events") }
    }
}
