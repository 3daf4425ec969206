import ArgumentParser

@main
struct AgentLedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent-ledger",
        abstract: "Record what AI agents do, durably and fast, and read it back.",
        discussion: """
            Examples:
              agent-ledger demo
              agent-ledger emit task_start --agent cls --task wo-1 --summary "Layout SPEC"
              agent-ledger status
              agent-ledger stream --since 5m
              agent-ledger archive --dry-run
            """,
        version: "0.1.0",
        subcommands: [
            DemoCommand.self, EmitCommand.self, ExecCommand.self, StatusCommand.self, SessionCommand.self,
            GuidanceCommand.self, ApprovalCommand.self, MigrateCommand.self, BenchCommand.self, RunsCommand.self,
            ChatCommand.self, TraceCommand.self, StreamCommand.self, InspectCommand.self, ExportCommand.self,
            ArchiveCommand.self,
        ]
    )
}
