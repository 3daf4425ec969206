// swift-tools-version: 6.2

import Foundation
import PackageDescription

// A path dependency is known by its folder's name, which depends on where the repository was cloned.
let ledgerPackage = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()
    .deletingLastPathComponent()
    .lastPathComponent
    .lowercased()

// The benchmarks live in their own package so that the library does not depend on the benchmark
// tooling. Run from this folder: `swift package benchmark` (see BENCHMARKS.md in the repository root).
let package = Package(
    name: "agent-ledger-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "EmitBenchmarks",
            dependencies: [
                .product(name: "AgentLedger", package: ledgerPackage),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/EmitBenchmarks",
            swiftSettings: [
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("MemberImportVisibility"),
            ],
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark")
            ]
        )
    ]
)
