// swift-tools-version: 6.2

import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "agent-ledger",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "AgentLedger", targets: ["AgentLedger"]),
        .executable(name: "agent-ledger", targets: ["agent-ledger"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // zlib from the system (Debian: zlib1g-dev).
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),

        // A file's size, links and identity without its times (statx), for the checks between appends.
        .target(name: "CFileStatus"),

        // Event model, JSON value, line encoder and parser, validation, ids, time.
        .target(
            name: "LedgerCore",
            swiftSettings: swiftSettings
        ),

        // Append-only day files, atomic writes, status and session summary files, gzip.
        .target(
            name: "LedgerStore",
            dependencies: ["LedgerCore", "CZlib", "CFileStatus"],
            swiftSettings: swiftSettings
        ),

        // Emitter, bounded queue, flusher, supervisor, event bus, configuration, lifecycle.
        .target(
            name: "LedgerRuntime",
            dependencies: [
                "LedgerCore",
                "LedgerStore",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // The git-native ledger: worktree on the orphan branch, runs, run tags, notes, sync.
        .target(
            name: "LedgerGit",
            dependencies: [
                "LedgerCore",
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            swiftSettings: swiftSettings
        ),

        // Chat in git: messages on run tags (git notes) and in threads, ENC:v1 encryption.
        .target(
            name: "LedgerChat",
            dependencies: [
                "LedgerCore",
                "LedgerGit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),

        // Session tracing: recordings from the event bus or the ledger's day files, saved in git.
        .target(
            name: "LedgerTrace",
            dependencies: ["LedgerCore", "LedgerStore", "LedgerRuntime", "LedgerGit", "LedgerChat"],
            swiftSettings: swiftSettings
        ),

        // What an orchestrator imports.
        .target(
            name: "AgentLedger",
            dependencies: [
                "LedgerCore", "LedgerStore", "LedgerRuntime", "LedgerGit", "LedgerChat", "LedgerTrace",
            ],
            swiftSettings: swiftSettings
        ),

        // The command-line tool: parses, calls the modules, prints.
        .executableTarget(
            name: "agent-ledger",
            dependencies: [
                "AgentLedger",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // Shared helpers for the test targets: temporary folders, child processes.
        .target(
            name: "LedgerTestSupport",
            dependencies: ["LedgerCore", "LedgerStore"],
            path: "Tests/LedgerTestSupport",
            swiftSettings: swiftSettings
        ),

        // The child processes and drivers of the reliability suites: built beside the tests, never shipped.
        .executableTarget(
            name: "ledger-stress",
            dependencies: ["LedgerCore", "LedgerStore", "LedgerRuntime", "LedgerTestSupport"],
            path: "Tests/LedgerStress",
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "LedgerCoreTests",
            dependencies: ["LedgerCore", "LedgerTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerStoreTests",
            dependencies: ["LedgerStore", "LedgerTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerRuntimeTests",
            dependencies: [
                "LedgerRuntime",
                "LedgerTestSupport",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerGitTests",
            dependencies: ["LedgerGit", "LedgerTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerChatTests",
            dependencies: ["LedgerChat", "LedgerTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LedgerTraceTests",
            dependencies: ["LedgerTrace", "LedgerTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AgentLedgerCLITests",
            dependencies: ["agent-ledger", "LedgerTestSupport", "AgentLedger"],
            swiftSettings: swiftSettings
        ),
        // Crash, concurrency and hostile-input suites across the modules, with real child processes.
        .testTarget(
            name: "ReliabilityTests",
            dependencies: ["ledger-stress", "agent-ledger", "LedgerTestSupport", "AgentLedger"],
            swiftSettings: swiftSettings
        ),
    ]
)
