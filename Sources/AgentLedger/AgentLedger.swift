// What an orchestrator imports: the event model, the store, the runtime, the git ledger, chat and tracing.
//
// ```swift
// import AgentLedger
//
// var config = try await LedgerConfiguration.load(environment: ProcessInfo.processInfo.environment)
// let ledger = try Ledger(configuration: config)
// ```
@_exported import LedgerChat
@_exported import LedgerCore
@_exported import LedgerGit
@_exported import LedgerRuntime
@_exported import LedgerStore
@_exported import LedgerTrace
