// swift-tools-version: 6.1
// Benchmarks live in their own package so ordinary builds and CI do not compile them.
// Run: cd Benchmarks && swift run -c release dspex-bench [scenario ...]
import PackageDescription

let package = Package(
    name: "DSPExBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "DSPEx", path: "..")],
    targets: [
        .executableTarget(
            name: "dspex-bench",
            dependencies: [
                .product(name: "DSPEx", package: "DSPEx"),
                .product(name: "DSPExSim", package: "DSPEx"),
            ]
        )
    ]
)
