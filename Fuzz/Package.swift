// swift-tools-version: 6.2

// libFuzzer targets for the parts of LedgerCore that read untrusted bytes: the JSON line parser and
// the id validators. `Sources/LedgerCore` is a symlink to the main package's module, so the fuzzers
// build exactly the shipped code, and only it (no other dependency). See README: Fuzzing.
//
//   swift build -c release -Xswiftc -sanitize=fuzzer,address
//   nice -n 19 .build/release/FuzzLineParser -max_total_time=600 corpus/line

import PackageDescription

let package = Package(
    name: "agent-ledger-fuzz",
    platforms: [.macOS(.v15)],
    targets: [
        .target(name: "LedgerCore"),
        // The libFuzzer entry both fuzzers hand their check to.
        .target(name: "FuzzDriver"),
        // lld: gold stops with an internal error on the sanitizer runtime's debug information.
        .executableTarget(
            name: "FuzzLineParser",
            dependencies: ["LedgerCore", "FuzzDriver"],
            linkerSettings: [.unsafeFlags(["-use-ld=lld"])]
        ),
        .executableTarget(
            name: "FuzzIdentifiers",
            dependencies: ["LedgerCore", "FuzzDriver"],
            linkerSettings: [.unsafeFlags(["-use-ld=lld"])]
        ),
    ]
)
