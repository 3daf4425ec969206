import Configuration
import LedgerCore
import LedgerStore
import SystemPackage

extension LedgerConfiguration {
    /// Loads the settings: `overrides` (command-line flags, by file key) over `environment` over the
    /// config file over the defaults.
    ///
    /// The config file is `AGENT_LEDGER_CONFIG` if set (it must exist), else `Config/agent-ledger.json`
    /// in the current folder if present.
    ///
    /// - Parameters:
    ///   - overrides: values by file key (`event.async`), as the user typed them.
    ///   - environment: the process environment.
    /// - Throws: `invalidConfiguration` naming the setting when a value cannot be used — never a silent default.
    public static func load(
        overrides: [String: String] = [:],
        environment: [String: String],
        configFile: String? = nil
    ) async throws(LedgerError) -> LedgerConfiguration {
        var providers: [any ConfigProvider] = []
        var cliValues: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, value) in overrides {
            guard Setting.all.contains(where: { $0.fileKey == key }) else {
                throw LedgerError(.invalidConfiguration, "unknown setting \"\(key)\"")
            }
            cliValues[AbsoluteConfigKey(key.split(separator: ".").map(String.init))] = ConfigValue(
                .string(value),
                isSecret: false
            )
        }
        providers.append(InMemoryProvider(name: "command line", values: cliValues))

        let envNames = Dictionary(uniqueKeysWithValues: Setting.all.map { ($0.fileKey, $0.environmentName) })
        let relevantEnvironment = environment.filter { name, _ in Setting.all.contains { $0.environmentName == name } }
        providers.append(
            EnvironmentVariablesProvider(environmentVariables: relevantEnvironment).mapKeys { key in
                let dotted = key.components.joined(separator: ".")
                guard let env = envNames[dotted] else { return key }
                return AbsoluteConfigKey([env])
            }
        )

        let filePath = configFile ?? environment["AGENT_LEDGER_CONFIG"]
        let path = filePath ?? "Config/agent-ledger.json"
        if filePath != nil || FileSystem.exists(path) {
            do {
                providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(path), allowMissing: false))
            } catch {
                throw LedgerError(
                    .invalidConfiguration,
                    "cannot read config file \(path): \(error); fix the file or point AGENT_LEDGER_CONFIG at another",
                )
            }
        }
        let reader = ConfigReader(providers: providers)
        return try from(reader: reader)
    }

    /// Reads every setting from a reader whose keys are the settings' file keys.
    public static func from(reader: ConfigReader) throws(LedgerError) -> LedgerConfiguration {
        var c = LedgerConfiguration()
        func raw(_ s: Setting) -> String? {
            let key = ConfigKey(s.fileKey.split(separator: ".").map(String.init))
            if let v = reader.string(forKey: key) { return v }
            if let v = reader.int(forKey: key) { return String(v) }
            if let v = reader.double(forKey: key) { return String(v) }
            if let v = reader.bool(forKey: key) { return String(v) }
            return nil
        }
        func bad(_ s: Setting, _ value: String, _ want: String) -> LedgerError {
            LedgerError(
                .invalidConfiguration,
                "\(s.environmentName) / \(s.fileKey) is \"\(value)\": \(want)"
            )
        }
        func bool(_ s: Setting) throws(LedgerError) -> Bool? {
            guard let v = raw(s) else { return nil }
            switch v.lowercased() {
            case "true", "1", "yes", "on": return true
            case "false", "0", "no", "off": return false
            default: throw bad(s, v, "use true or false")
            }
        }
        func int(_ s: Setting) throws(LedgerError) -> Int? {
            guard let v = raw(s) else { return nil }
            guard let i = parseSize(v) else { throw bad(s, v, "use a whole number (suffixes k, m, g allowed)") }
            return i
        }
        func seconds(_ s: Setting) throws(LedgerError) -> Double? {
            guard let v = raw(s) else { return nil }
            guard let d = parseSeconds(v) else { throw bad(s, v, "use seconds, like 0.5, or 200ms, 5s, 2m") }
            return d
        }
        func days(_ s: Setting) throws(LedgerError) -> Int? {
            guard let v = raw(s) else { return nil }
            guard let d = Int(v.trimmingWhitespace) else { throw bad(s, v, "use a whole number of days") }
            return d
        }
        if let v = raw(.root) { c.root = v }
        if let v = try bool(.async) { c.async = v }
        if let v = try int(.bufferSize) { c.bufferSize = v }
        if let v = try int(.bufferBytes) { c.bufferBytes = v }
        if let v = try int(.batchSize) { c.batchSize = v }
        if let v = try seconds(.flushInterval) { c.flushInterval = v }
        if let v = raw(.overflow) {
            guard let p = OverflowPolicy.allCases.first(where: { $0.rawValue.lowercased() == v.lowercased() }) else {
                throw bad(.overflow, v, "use dropNewest, dropOldest or block")
            }
            c.overflow = p
        }
        if let v = try seconds(.blockTimeout) { c.blockTimeout = v }
        if let v = raw(.fsync) {
            guard let p = FsyncPolicy(rawValue: v.lowercased()) else {
                throw bad(.fsync, v, "use none, batch or always")
            }
            c.fsync = p
        }
        if let v = try int(.maxEventBytes) { c.maxEventBytes = v }
        if let v = try bool(.strict) { c.strict = v }
        if let v = raw(.timeZone) { c.timeZone = v }
        if let v = try bool(.unixTime) { c.unixTime = v }
        if let v = try bool(.context) { c.context = v }
        if let v = try seconds(.offlineAfter) { c.offlineAfter = v }
        if let v = try seconds(.shutdownTimeout) { c.shutdownTimeout = v }
        if let v = try seconds(.lockTimeout) { c.lockTimeout = v }
        if let v = raw(.writers), v.lowercased() != "auto" {
            guard let n = Int(v.trimmingWhitespace) else { throw bad(.writers, v, "use a whole number, or auto") }
            c.writers = n
        }
        if let v = raw(.ledgerPath), !v.isEmpty { c.ledgerPath = v }
        if let v = try bool(.archive) { c.archive = v }
        if let v = try days(.archiveAfterDays) { c.archiveAfterDays = v }
        if let v = raw(.archiveRetentionDays), !v.isEmpty, !["off", "none", "never"].contains(v.lowercased()) {
            guard let d = Int(v.trimmingWhitespace) else {
                throw bad(.archiveRetentionDays, v, "use a whole number of days, or off")
            }
            c.archiveRetentionDays = d
        }
        if let v = raw(.errorPatterns) {
            c.errorPatterns = v.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingWhitespace }
        }
        if let v = try bool(.globalEvents) { c.globalEvents = v }
        try c.validate()
        return c
    }

    /// `4096`, `64k`, `64m`, `1g` (powers of 1024); `nil` for anything else.
    public static func parseSize(_ text: String) -> Int? {
        let t = text.trimmingWhitespace.lowercased()
        var multiplier = 1
        var digits = Substring(t)
        if let last = t.last, "kmg".contains(last) {
            multiplier = last == "k" ? 1 << 10 : last == "m" ? 1 << 20 : 1 << 30
            digits = t.dropLast()
        } else if t.hasSuffix("kib") || t.hasSuffix("mib") || t.hasSuffix("gib") {
            let unit = t.dropLast(2).last!
            multiplier = unit == "k" ? 1 << 10 : unit == "m" ? 1 << 20 : 1 << 30
            digits = t.dropLast(3)
        }
        guard let n = Int(String(digits.filter { $0 != "_" })), n >= 0 else { return nil }
        let (product, overflow) = n.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }

    /// `0.5` (seconds), `200ms`, `5s`, `2m`, `1h`; `nil` for anything else or a negative value.
    public static func parseSeconds(_ text: String) -> Double? {
        let t = text.trimmingWhitespace.lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where t.hasSuffix(suffix) {
            guard let v = Double(t.dropLast(suffix.count)), v.isFinite, v >= 0 else { return nil }
            return v * scale
        }
        guard let v = Double(t), v.isFinite, v >= 0 else { return nil }
        return v
    }
}
