// ledger-stress: the child processes and drivers of the reliability suites (see RELIABILITY.md).
//
// Not part of the shipped tool: it is built beside the tests, which run it as a real child process,
// and the soak scripts in `scripts/` run it with large counts. Every driver prints one JSON summary
// line on stdout and exits 0 only when every check passed.

#if canImport(Glibc)
import Glibc
#endif

let arguments = Array(CommandLine.arguments.dropFirst())
guard let mode = arguments.first else {
    StressOptions.fail(
        "usage: ledger-stress crash-child|crash|append|concurrency|multiprocess|overload [--option value …]"
    )
}
let options = StressOptions(Array(arguments.dropFirst()))
switch mode {
case "crash-child": await CrashChild.run(options)
case "crash": await CrashSuite.run(options)
case "append": await Appender.run(options)
case "concurrency": await ConcurrencySuite.runInProcess(options)
case "multiprocess": await ConcurrencySuite.runProcesses(options)
case "overload": await OverloadSuite.run(options)
default:
    StressOptions.fail("unknown mode \(mode): use crash-child, crash, append, concurrency, multiprocess or overload")
}
