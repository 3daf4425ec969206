import AgentLedger

/// Reads the times people type after `--since`, `--until` and `inspect`: an age (`90s`, `5m`, `2h`,
/// `3d`, `1w`) counted back from now, an ISO 8601 time with an offset (`2025-11-16T02:12:34+07:00`),
/// or one without (`2025-11-16T02:12`, `2025-11-16 02:12:34`) or a bare date (`2025-11-16`, its
/// midnight), both read in the ledger's zone.
enum TimeArgument {
    static let help = "5m, 2h, 3d, 1w (ago), or a time like 2025-11-16T02:12:34+07:00, 2025-11-16T02:12 or 2025-11-16"

    /// - Throws: ``CLIError/usage(_:)`` naming the option and the forms it takes.
    static func parse(_ text: String, option: String, zone: LedgerTimeZone, now: Timestamp) throws -> Timestamp {
        let t = text.trimmingWhitespace
        if let last = t.last, let number = Double(t.dropLast()), number.isFinite, number >= 0 {
            let unit: Double? =
                switch last {
                case "s": 1
                case "m": 60
                case "h": 3600
                case "d": 86400
                case "w": 604_800
                default: nil
                }
            if let unit {
                guard Timestamp.representable(seconds: now.seconds - number * unit) else {
                    throw CLIError.usage(
                        "\(option) \"\(text)\" reaches before the year 1678: use a shorter age or a date"
                    )
                }
                return now.adding(seconds: -number * unit)
            }
        }
        if let parsed = TimestampFormat.parseISO8601(t) { return parsed.timestamp }
        // No offset: the ledger's zone, at the offset it has around that time.
        var local = t
        if local.count == 10 { local += "T00:00" }
        if let asUTC = TimestampFormat.parseISO8601(local + "Z") {
            let offset = zone.utcOffsetSeconds(at: asUTC.timestamp)
            let guess = asUTC.timestamp.adding(seconds: -Double(offset))
            return asUTC.timestamp.adding(seconds: -Double(zone.utcOffsetSeconds(at: guess)))
        }
        throw CLIError.usage("\(option) \"\(text)\" is not a time: use \(help)")
    }
}
