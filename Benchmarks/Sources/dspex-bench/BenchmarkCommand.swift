import DSPEx
import DSPExSim
import Foundation

/// Runs the benchmark scenarios: each starts its own simulator (a `dspex sim` process for the CLI scenarios,
/// an in-process one for the engine scenarios) and tears it down, warms up, runs several times, and prints the
/// median, the spread and the ratio to the ideal, then a Markdown table of everything measured.
///
/// ```console
/// $ Benchmarks/run.sh                          # every scenario
/// $ Benchmarks/run.sh throughput cpu-per-call  # a group and a scenario
/// $ Benchmarks/run.sh --runs 3 startup         # fewer runs
/// ```
@main
struct BenchmarkCommand {
    static func main() async throws {
        var arguments = Array(CommandLine.arguments.dropFirst())
        var runs: Int?
        var dspex: String?
        if let index = arguments.firstIndex(of: "--runs"), index + 1 < arguments.count {
            runs = Int(arguments[index + 1])
            arguments.removeSubrange(index...index + 1)
        }
        if let index = arguments.firstIndex(of: "--dspex"), index + 1 < arguments.count {
            dspex = arguments[index + 1]
            arguments.removeSubrange(index...index + 1)
        }
        let workspace = try Workspace(dspex: dspex)
        defer { workspace.removeAll() }
        let all = Scenario.all(workspace)
        if arguments.contains("--list") {
            for scenario in all { say("\(scenario.name) [\(scenario.group)]: \(scenario.description)") }
            return
        }
        let requested = Set(arguments)
        let unknown = requested.subtracting(all.map(\.name)).subtracting(all.map(\.group))
        guard unknown.isEmpty else {
            throw BenchmarkError(message: "unknown scenario or group: \(unknown.sorted()); see --list")
        }
        say("machine: \(machineDescription()); load \(loadAverage())")
        var rows: [String] = []
        var failed = false
        for scenario in all
        where requested.isEmpty || requested.contains(scenario.name) || requested.contains(scenario.group) {
            do {
                rows.append(try await scenario.measure(runs: runs))
            } catch {
                say("  FAILED: \(error)")
                rows.append("| \(scenario.name) | failed: \(error) | | | | | | |")
                failed = true
            }
        }
        say("\n| scenario | median | spread (min–max) | runs | ideal | ratio | target | notes |")
        say("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for row in rows { say(row) }
        say("load after: \(loadAverage())")
        if failed { exit(1) }
    }

    static func machineDescription() -> String {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let memory = Double(ProcessInfo.processInfo.physicalMemory) / Double(1 << 30)
        return
            "\(cores) cores, \(String(format: "%.0f", memory)) GiB, \(ProcessInfo.processInfo.operatingSystemVersionString)"
    }

    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))
            .map { $0.split(separator: " ").prefix(3).joined(separator: " ") } ?? "?"
    }
}

/// One benchmark scenario.
struct Scenario: Sendable {
    /// Whether the best figure is the highest (a rate) or the lowest (a time, a size).
    enum Direction: Sendable { case higherIsBetter, lowerIsBetter }

    var name: String
    var group: String
    var description: String
    var unit: String
    var direction: Direction
    /// The physical limit, in `unit`, if there is one.
    var ideal: Double?
    /// The issue's target, for the table.
    var target: String
    var runs: Int
    var warmUp = true
    var body: @Sendable () async throws -> Measurement

    /// Warms up, runs `runs` times, prints a line and returns a Markdown table row.
    func measure(runs override: Int?) async throws -> String {
        let runs = max(1, override ?? self.runs)
        say("\(name): \(description)")
        if warmUp { _ = try await body() }
        var samples: [Measurement] = []
        for _ in 0..<runs {
            let sample = try await body()
            say("  \(format(sample.value)) \(unit)  \(Self.notes(sample.notes))")
            samples.append(sample)
        }
        samples.sort { $0.value < $1.value }
        let median = samples[samples.count / 2]
        let spread = "\(format(samples[0].value))–\(format(samples[samples.count - 1].value))"
        var ratio = "—"
        var idealText = "—"
        if let ideal {
            idealText = "\(format(ideal)) \(unit)"
            ratio = String(
                format: "%.3f", direction == .higherIsBetter ? median.value / ideal : ideal / median.value)
        }
        say(
            "  median \(format(median.value)) \(unit) (spread \(spread) over \(runs) runs), ideal \(idealText), ratio \(ratio)"
        )
        return
            "| \(name) | \(format(median.value)) \(unit) | \(spread) | \(runs) | \(idealText) | \(ratio) | \(target) "
            + "| \(Self.notes(median.notes)) |"
    }

    private func format(_ value: Double) -> String {
        if value >= 1000 { return String(format: "%.0f", value) }
        if value >= 100 { return String(format: "%.1f", value) }
        if value >= 10 { return String(format: "%.2f", value) }
        return String(format: "%.3f", value)
    }

    private static func notes(_ notes: [String: Double]) -> String {
        notes.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.1f", $0.value))" }
            .joined(separator: ", ")
    }
}

extension Scenario {
    static func all(_ workspace: Workspace) -> [Scenario] {
        var scenarios: [Scenario] = []
        // 1. Throughput vs the ideal C / L.
        for (concurrency, examples) in [(8, 1_000), (64, 4_000), (128, 8_000), (512, 20_000), (2048, 40_000)] {
            let ideal = Double(concurrency) / 0.050
            scenarios.append(
                Scenario(
                    name: "throughput-c\(concurrency)", group: "throughput",
                    description: "dspex eval (Predict), \(examples) examples, C = \(concurrency), simulator at 50 ms",
                    unit: "calls/s", direction: .higherIsBetter, ideal: ideal,
                    target: concurrency <= 128 ? "≥ 0.90 of C / L" : "≥ 5,000 calls/s", runs: 5
                ) {
                    try CLIBenchmarks.throughput(
                        workspace, examples: examples, concurrency: concurrency, latencyMilliseconds: 50)
                })
        }
        let pipeline50 = PipelineBenchmark(stages: 3, examples: 1000, concurrency: 64, latencyMilliseconds: 50)
        scenarios.append(
            Scenario(
                name: "pipeline3-50ms", group: "throughput",
                description: "engine: 3-stage linear pipeline, 1,000 examples, concurrency 64, 50 ms (in process)",
                unit: "s", direction: .lowerIsBetter, ideal: pipeline50.idealSeconds,
                target: "ratio ≥ 0.91 (≤ 1.10 × ideal)",
                runs: 5
            ) { try await pipeline50.run() })
        scenarios.append(
            Scenario(
                name: "pipeline3-cli-50ms", group: "throughput",
                description:
                    "dspex run of the same 3-stage pipeline file, 1,000 examples, concurrency 64, dspex sim at "
                    + "50 ms in another process",
                unit: "s", direction: .lowerIsBetter, ideal: pipeline50.idealSeconds,
                target: "ratio ≥ 0.91 (≤ 1.10 × ideal)", runs: 5
            ) { try CLIBenchmarks.pipeline3(workspace, examples: 1000, concurrency: 64, latencyMilliseconds: 50) })
        scenarios.append(
            Scenario(
                name: "pipeline3-0ms", group: "throughput",
                description: "engine: 3-stage linear pipeline, 5,000 examples, concurrency 64, 0 ms (in process)",
                unit: "s", direction: .lowerIsBetter, ideal: nil, target: "—", runs: 5
            ) {
                try await PipelineBenchmark(stages: 3, examples: 5000, concurrency: 64, latencyMilliseconds: 0).run()
            })
        // 2. Client CPU per call.
        scenarios.append(
            Scenario(
                name: "cpu-per-call", group: "cpu",
                description: "dspex eval, 20,000 calls, simulator at 0 ms in another process; CPU of dspex only",
                unit: "µs/call", direction: .lowerIsBetter, ideal: nil, target: "≤ 100 µs/call", runs: 5
            ) { try CLIBenchmarks.cpuPerCall(workspace, examples: 20_000) })
        scenarios.append(
            Scenario(
                name: "cpu-per-call-ahc", group: "cpu",
                description: "the same with AsyncHTTPClient as the HTTP client (DSPEX_HTTP_CLIENT=async-http-client)",
                unit: "µs/call", direction: .lowerIsBetter, ideal: nil, target: "≤ 100 µs/call", runs: 5
            ) {
                setenv("DSPEX_HTTP_CLIENT", "async-http-client", 1)
                defer { unsetenv("DSPEX_HTTP_CLIENT") }
                return try CLIBenchmarks.cpuPerCall(workspace, examples: 20_000)
            })
        // 2b. Agents: a ReAct eval (several dependent LM calls and calculator calls per example) against the same
        // limits, and its CPU per call beside Predict's in the same run.
        scenarios.append(
            Scenario(
                name: "react-throughput-c128", group: "react",
                description: "dspex eval (ReAct + calculator), 8,000 examples, C = 128, simulator at 50 ms",
                unit: "calls/s", direction: .higherIsBetter, ideal: 128 / 0.050, target: "≥ 0.85 of C / L", runs: 5
            ) {
                try CLIBenchmarks.throughput(
                    workspace, examples: 8_000, concurrency: 128, latencyMilliseconds: 50, agent: true)
            })
        scenarios.append(
            Scenario(
                name: "react-cpu-per-call", group: "react",
                description: "dspex eval (ReAct + calculator), 6,000 examples, simulator at 0 ms; CPU of dspex only",
                unit: "µs/call", direction: .lowerIsBetter, ideal: nil, target: "≤ 1.5 × Predict's (next row)",
                runs: 5
            ) { try CLIBenchmarks.cpuPerCall(workspace, examples: 6_000, agent: true) })
        scenarios.append(
            Scenario(
                name: "react-predict-cpu-per-call", group: "react",
                description: "the Predict pipeline side by side: dspex eval, 20,000 calls, simulator at 0 ms",
                unit: "µs/call", direction: .lowerIsBetter, ideal: nil, target: "—", runs: 5
            ) { try CLIBenchmarks.cpuPerCall(workspace, examples: 20_000) })
        // 3. Start-up.
        scenarios.append(
            Scenario(
                name: "startup-version", group: "startup", description: "dspex --version", unit: "ms",
                direction: .lowerIsBetter, ideal: nil, target: "< 30 ms", runs: 21
            ) { try CLIBenchmarks.version(workspace) })
        scenarios.append(
            Scenario(
                name: "startup-eval10", group: "startup",
                description: "dspex eval of 10 examples end to end, against a running dspex sim (0 ms)",
                unit: "ms", direction: .lowerIsBetter, ideal: nil, target: "< 300 ms", runs: 11
            ) {
                try SimulatorProcess.with(dspex: workspace.dspex, latencyMilliseconds: 0) { simulator in
                    try CLIBenchmarks.smallEval(workspace, simulator: simulator)
                }
            })
        scenarios.append(
            Scenario(
                name: "startup-eval10-builtin", group: "startup",
                description: "dspex eval of 10 examples end to end with --lm sim (simulator started in process)",
                unit: "ms", direction: .lowerIsBetter, ideal: nil, target: "< 300 ms", runs: 11
            ) { try CLIBenchmarks.smallEval(workspace, simulator: nil) })
        // 4. Memory.
        for examples in [10_000, 100_000, 1_000_000] {
            scenarios.append(
                Scenario(
                    name: "memory-\(examples / 1000)k", group: "memory",
                    description: "peak RSS of dspex eval streaming \(examples) examples, 0 ms", unit: "MB",
                    direction: .lowerIsBetter, ideal: nil, target: "flat within 20% from 10k to 1M",
                    runs: examples >= 1_000_000 ? 1 : 3, warmUp: false
                ) { try CLIBenchmarks.memory(workspace, examples: examples) })
        }
        scenarios.append(
            Scenario(
                name: "memory-c512", group: "memory",
                description: "peak RSS of dspex eval, 20,000 examples, C = 512, 50 ms", unit: "MB",
                direction: .lowerIsBetter, ideal: nil, target: "< 100 MB", runs: 3, warmUp: false
            ) { try CLIBenchmarks.memory(workspace, examples: 20_000, concurrency: 512, latencyMilliseconds: 50) })
        // 5. Store.
        scenarios.append(
            Scenario(
                name: "store-write", group: "store",
                description: "ResultBatcher, 100,000 results from 8 concurrent producers, on disk", unit: "results/s",
                direction: .higherIsBetter, ideal: nil, target: "≥ 20,000 results/s", runs: 5
            ) { try await StoreBenchmark(results: 100_000, producers: 8).run() })
        let finished = CLIBenchmarks.FinishedRun(examples: 100_000)
        scenarios.append(
            Scenario(
                name: "resume-100k", group: "store",
                description: "dspex eval --resume of a run with 100,000 finished results (nothing left to do)",
                unit: "s", direction: .lowerIsBetter, ideal: nil, target: "< 1 s", runs: 5
            ) { try CLIBenchmarks.resume(workspace, finished: finished) })
        // 6. Cache.
        let cached = CLIBenchmarks.CachedRun(examples: 10_000)
        scenarios.append(
            Scenario(
                name: "cache-rerun-10k", group: "cache",
                description: "second dspex eval of 10,000 examples under a new run name, all from the SQLite cache",
                unit: "s", direction: .lowerIsBetter, ideal: nil, target: "< 1 s", runs: 5
            ) { try CLIBenchmarks.cachedRerun(workspace, cached: cached) })
        return scenarios
    }
}

/// The result of one run: the scenario's figure in its unit, and side figures.
struct Measurement: Sendable {
    var value: Double
    var notes: [String: Double] = [:]
}

struct BenchmarkError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Writes a line to standard output at once (not buffered), so a log shows each run as it is measured.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
