import LedgerCore

/// Small builders for events in tests.
public enum TestEvents {
    /// A fixed instant: 2025-11-16T02:12:34.123+07:00.
    public static let instant = TimestampFormat.parseISO8601("2025-11-16T02:12:34.123+07:00")!.timestamp

    /// An event at `instant` plus `seconds`, encoded with a +07:00 zone.
    public static func event(
        _ type: String,
        agent: String = "cls",
        session: String? = nil,
        task: String? = nil,
        summary: String? = nil,
        data: JSONValue = [:],
        after seconds: Double = 0
    ) -> LedgerEvent {
        var e = LedgerEvent(
            timestamp: instant.adding(seconds: seconds),
            agent: agent,
            type: type,
            sessionID: session,
            taskID: task,
            summary: summary,
            data: data
        )
        EventEncoder(timeZone: try! LedgerTimeZone.parse("+07:00")).complete(&e)
        return e
    }

    /// The lines of a file (without their `\n`), as text.
    public static func lines(_ path: String) throws -> [String] {
        try readFile(path).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    /// `count` ledger lines of one agent, a quarter second apart from ``instant`` on, varied enough
    /// that compression has work to do.
    public static func dayLines(_ count: Int, agent: String = "cls", after start: Double = 0) -> [UInt8] {
        var out: [UInt8] = []
        for i in 0..<count {
            let e = event(
                i % 3 == 0 ? "task_result" : "heartbeat",
                agent: agent,
                task: "wo-\(i % 97)",
                summary: "step \(i) of the run",
                data: ["seq": .int(Int64(i)), "status": i % 5 == 0 ? "failure" : "success"],
                after: start + Double(i) * 0.25
            )
            EventLine.write(e, into: &out)
        }
        return out
    }
}
