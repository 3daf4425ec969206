import AgentLedger
import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the matching events as JSON lines or CSV, to stdout or a file.",
        discussion: """
            Events come in time order across days and agents, archived days included. CSV has the columns
            ts, id, agent, event, session_id, task_id, source, summary, data (data as JSON text). With
            --output the file appears whole or not at all (written beside it, then renamed).

            Examples:
              agent-ledger export --type guidance.append
              agent-ledger export --agent cls --since 2025-11-01 --format csv --output cls.csv
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case jsonl
        case csv
    }

    @OptionGroup var read: ReadOptions

    @Option(name: .long, help: "jsonl (default) or csv.")
    var format: Format = .jsonl

    @Option(name: .long, help: "Write to this file instead of stdout.")
    var output: String?

    @OptionGroup var options: LedgerOptions

    func run() async throws {
        try await runReportingErrors {
            let config = try await options.load()
            let filter = try read.filter(config)
            var target: (fd: Int32, temporary: String, path: String)?
            if let output {
                let dir = FileSystem.parentPath(output)
                guard FileSystem.isDirectory(dir) else {
                    throw CLIError.usage("--output \(output): folder \(dir) does not exist; create it first")
                }
                guard !FileSystem.isDirectory(output) else {
                    throw CLIError.usage("--output \(output) is a folder; name a file")
                }
                let temporary = "\(dir)/.\(FileSystem.baseName(output)).\(getpid()).tmp"
                let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
                guard fd >= 0 else { throw FileSystem.error("create", path: temporary, errno: errno) }
                target = (fd, temporary, output)
            }
            var finished = false
            defer {
                if let target {
                    close(target.fd)
                    if !finished { unlink(target.temporary) }
                }
            }
            let out = OutputBuffer(fd: target?.fd ?? 1)
            if format == .csv {
                out.append("ts,id,agent,event,session_id,task_id,source,summary,data\n")
            }
            let scanner = LedgerScanner(layout: config.layout, filter: filter)
            var count = 0
            try scanner.scan { e in
                switch format {
                case .jsonl:
                    out.append(e.line)
                    out.append("\n")
                case .csv:
                    out.append(Self.csvRow(e.event))
                }
                count += 1
                return out.failed == nil
            }
            out.flush()
            if let code = out.failed {
                throw FileSystem.error("write", path: output ?? "stdout", errno: code)
            }
            if let target {
                try FileSystem.sync(target.fd, path: target.temporary)
                if rename(target.temporary, target.path) != 0 {
                    throw FileSystem.error("rename into place", path: target.path, errno: errno)
                }
                finished = true
                Terminal.printStderr("Exported \(count) event\(count == 1 ? "" : "s") to \(target.path)")
            }
            reportSkipped(malformed: scanner.malformedLines, unreadable: scanner.unreadableFiles)
        }
    }

    static func csvRow(_ e: LedgerEvent) -> String {
        let fields = [
            e.ts, e.id?.description ?? "", e.agent, e.type, e.sessionID ?? "", e.taskID ?? "", e.source ?? "",
            e.summary ?? "", e.data.jsonString,
        ]
        return fields.map(csvField).joined(separator: ",") + "\n"
    }

    /// RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled.
    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
