import ArgumentParser
import LedgerChat
import LedgerCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `agent-ledger chat send`.
struct ChatSendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send a message to a run, a thread, both, or the thread \"general\".",
        discussion: """
            TEXT '-' reads the text from standard input (keeps secrets out of shell history). --encrypt fails \
            (exit 64) when CONTENT_VAULT_ENC_KEY is set neither in the environment nor in .env; the text is \
            never stored in the clear instead.

            Examples:
              agent-ledger chat send "Health checks passed" --run run_2026-02-17T204500_apply_a1b2
              agent-ledger chat send "Looks good" --thread thread_2026-02-17T204512.345_k3x9 --publish
              printf 'token rotated' | agent-ledger chat send - --encrypt --json
            """
    )

    @Argument(help: "The message text, or '-' to read it from standard input.")
    var text: String

    @Option(name: .long, help: "The thread to post in (an id from `chat threads`, or general).")
    var thread: String?

    @Option(name: .long, help: "The run to attach the message to (a git note on its tag).")
    var run: String?

    @Flag(name: .long, help: "Mark the message as eligible for public rendering.")
    var publish = false

    @Flag(name: .long, help: "Store the text as ENC:v1 (AES-256-GCM) with CONTENT_VAULT_ENC_KEY.")
    var encrypt = false

    @Option(name: .long, help: "Who wrote it: manual, trace or system.")
    var source = "manual"

    @Option(name: .long, help: "The sender's name (default: git config user.name).")
    var user: String?

    @OptionGroup var options: RunsOptions

    func run() async throws {
        try await runChatCommand {
            guard let source = MessageSource(rawValue: source) else {
                throw CLIError.usage("--source \"\(source)\" is invalid: use manual, trace or system")
            }
            let body = text == "-" ? Self.readStandardInput() : text
            let message = try await options.chat().sendMessage(
                body,
                threadID: thread,
                runID: run,
                publish: publish,
                encrypt: encrypt,
                source: source,
                user: user
            )
            if options.json {
                print(JSONValue.object(message.json).jsonString)
                return
            }
            var places: [String] = []
            if let thread = message.threadID { places.append("thread \(thread)") }
            if let run = message.runID { places.append("run \(run)") }
            print("\(message.id) sent to \(places.joined(separator: " and "))\(encrypt ? " (encrypted)" : "")")
        }
    }

    /// Standard input as text, without one trailing line break.
    static func readStandardInput() -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
