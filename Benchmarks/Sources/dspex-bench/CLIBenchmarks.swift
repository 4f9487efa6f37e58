import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Scenarios that run the release `dspex` binary as a child process against `dspex sim` in another process,
/// and read the child's own `getrusage` (CPU time, peak RSS).
enum CLIBenchmarks {
    /// Predict evaluation throughput at concurrency `concurrency` and `latency` ms: LM calls per second of the
    /// whole `dspex eval` process (start-up included), against the ideal C / L.
    /// With `agent`, the ReAct pipeline (`pipelines/arithmetic_react.yaml`) on 9-digit additions: several LM calls
    /// per example, one after another, so the figure is still calls per second against C / L.
    static func throughput(
        _ workspace: Workspace, examples: Int, concurrency: Int, latencyMilliseconds: Int, agent: Bool = false
    ) throws -> Measurement {
        let dataset = try agent ? workspace.agentDataset(examples) : workspace.dataset(examples)
        return try SimulatorProcess.with(dspex: workspace.dspex, latencyMilliseconds: latencyMilliseconds) {
            simulator in
            let simulatorCPU = simulator.process.cpuSecondsSoFar()
            let (usage, summary) = try workspace.runDSPEx(
                workspace.evalArguments(
                    dataset: dataset, store: workspace.path("store.sqlite"), run: "throughput", simulator: simulator,
                    concurrency: concurrency, pipeline: agent ? workspace.agentPipeline : nil))
            let simulatorSeconds = simulator.process.cpuSecondsSoFar() - simulatorCPU
            let calls = try checkedCalls(summary, examples: examples)
            let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
            return Measurement(
                value: Double(calls) / usage.wallSeconds,
                notes: [
                    "wall s": usage.wallSeconds, "client CPU %": 100 * usage.cpuSeconds / usage.wallSeconds,
                    "simulator CPU %": 100 * simulatorSeconds / usage.wallSeconds,
                    "machine CPU busy %": 100 * (usage.cpuSeconds + simulatorSeconds) / (usage.wallSeconds * cores),
                    "peak RSS MB": usage.maxRSSMegabytes, "calls/example": Double(calls) / Double(examples),
                ])
        }
    }

    /// Client CPU per LM call: user + system time of the `dspex eval` process alone (start-up, formatting,
    /// HTTP, parsing, metric, store and cache writes included) divided by the calls, at 0 ms.
    /// With `agent`, the ReAct pipeline instead of Predict (the calculator tool's own work included).
    static func cpuPerCall(_ workspace: Workspace, examples: Int, agent: Bool = false) throws -> Measurement {
        let dataset = try agent ? workspace.agentDataset(examples) : workspace.dataset(examples)
        return try SimulatorProcess.with(dspex: workspace.dspex, latencyMilliseconds: 0) { simulator in
            let simulatorCPU = simulator.process.cpuSecondsSoFar()
            let (usage, summary) = try workspace.runDSPEx(
                workspace.evalArguments(
                    dataset: dataset, store: workspace.path("store.sqlite"), run: "cpu", simulator: simulator,
                    pipeline: agent ? workspace.agentPipeline : nil))
            let simulatorSeconds = simulator.process.cpuSecondsSoFar() - simulatorCPU
            let calls = Double(try checkedCalls(summary, examples: examples))
            return Measurement(
                value: usage.cpuSeconds / calls * 1e6,
                notes: [
                    "user µs": usage.userSeconds / calls * 1e6, "system µs": usage.systemSeconds / calls * 1e6,
                    "simulator µs": simulatorSeconds / calls * 1e6, "wall s": usage.wallSeconds,
                    "calls/s": calls / usage.wallSeconds, "calls/example": calls / Double(examples),
                ])
        }
    }

    /// `dspex --version`, wall milliseconds.
    static func version(_ workspace: Workspace) throws -> Measurement {
        let usage = try ChildProcess.run(workspace.dspex, ["--version"])
        return Measurement(value: usage.wallSeconds * 1000, notes: ["peak RSS MB": usage.maxRSSMegabytes])
    }

    /// `dspex eval` of 10 examples end to end, wall milliseconds: against an already running external
    /// simulator, or with the built-in one (`--lm sim`, started and stopped inside the process).
    static func smallEval(_ workspace: Workspace, simulator: SimulatorProcess?) throws -> Measurement {
        let dataset = try workspace.dataset(10)
        let store = workspace.path("store.sqlite")
        var arguments = workspace.evalArguments(dataset: dataset, store: store, run: "small", simulator: simulator)
        if simulator == nil { arguments += ["--lm", "sim"] }
        let (usage, summary) = try workspace.runDSPEx(arguments)
        _ = try checkedCalls(summary, examples: 10)
        removeStore(store)
        return Measurement(
            value: usage.wallSeconds * 1000,
            notes: ["CPU ms": usage.cpuSeconds * 1000, "peak RSS MB": usage.maxRSSMegabytes])
    }

    /// Peak RSS of `dspex eval` streaming `examples` rows, in MB.
    static func memory(
        _ workspace: Workspace, examples: Int, concurrency: Int? = nil, latencyMilliseconds: Int = 0,
        keepStore: ((String) -> Void)? = nil
    ) throws -> Measurement {
        let dataset = try workspace.dataset(examples)
        return try SimulatorProcess.with(dspex: workspace.dspex, latencyMilliseconds: latencyMilliseconds) {
            simulator in
            let store = workspace.path("store.sqlite")
            let (usage, summary) = try workspace.runDSPEx(
                workspace.evalArguments(
                    dataset: dataset, store: store, run: "memory", simulator: simulator, concurrency: concurrency))
            let calls = try checkedCalls(summary, examples: examples)
            if let keepStore { keepStore(store) } else { removeStore(store) }
            return Measurement(
                value: usage.maxRSSMegabytes,
                notes: ["wall s": usage.wallSeconds, "calls/s": Double(calls) / usage.wallSeconds])
        }
    }

    /// A store holding a finished evaluation of `examples` rows (made once), for the resume scenario.
    final class FinishedRun: @unchecked Sendable {
        let examples: Int
        private var store: String?

        init(examples: Int) { self.examples = examples }

        func store(in workspace: Workspace) throws -> String {
            if let store { return store }
            var kept = ""
            _ = try CLIBenchmarks.memory(workspace, examples: examples) { kept = $0 }
            store = kept
            return kept
        }
    }

    /// Wall time of `dspex eval --resume` on a run whose every example has a result: reading the finished
    /// ids and the stored totals, and skipping the whole dataset.
    static func resume(_ workspace: Workspace, finished: FinishedRun) throws -> Measurement {
        let store = try finished.store(in: workspace)
        let dataset = try workspace.dataset(finished.examples)
        return try SimulatorProcess.with(dspex: workspace.dspex, latencyMilliseconds: 0) { simulator in
            var arguments = workspace.evalArguments(dataset: dataset, store: store, run: "", simulator: simulator)
            if let index = arguments.firstIndex(of: "--run") { arguments.replaceSubrange(index...index + 1, with: []) }
            arguments += ["--resume", "memory"]
            let (usage, summary) = try workspace.runDSPEx(arguments)
            // The summary's totals cover the whole run; what this invocation did is the resumed count.
            guard summary["resumed_examples"] as? Int == finished.examples else {
                throw BenchmarkError(message: "the resume did not skip every example: \(summary)")
            }
            return Measurement(value: usage.wallSeconds, notes: ["peak RSS MB": usage.maxRSSMegabytes])
        }
    }

    /// A store whose LM cache holds the replies for a dataset (made once), for the cached-rerun scenario.
    final class CachedRun: @unchecked Sendable {
        let examples: Int
        private var store: String?
        private var runs = 0

        init(examples: Int) { self.examples = examples }

        func nextRunName() -> String {
            runs += 1
            return "rerun-\(runs)"
        }

        func store(in workspace: Workspace, simulator: SimulatorProcess) throws -> String {
            if let store { return store }
            let path = workspace.path("cache.sqlite")
            let (_, summary) = try workspace.runDSPEx(
                workspace.evalArguments(
                    dataset: try workspace.dataset(examples), store: path, run: "first", simulator: simulator))
            _ = try CLIBenchmarks.checkedCalls(summary, examples: examples)
            store = path
            return path
        }
    }

    /// Wall time of a second `dspex eval` of the same dataset under a new run name, every LM call answered by
    /// the persistent SQLite cache.
    static func cachedRerun(_ workspace: Workspace, cached: CachedRun) throws -> Measurement {
        try SimulatorProcess.with(dspex: workspace.dspex, latencyMilliseconds: 0) { simulator in
            let store = try cached.store(in: workspace, simulator: simulator)
            let (usage, summary) = try workspace.runDSPEx(
                workspace.evalArguments(
                    dataset: try workspace.dataset(cached.examples), store: store, run: cached.nextRunName(),
                    simulator: simulator))
            guard summary["cached_calls"] as? Int == cached.examples, summary["lm_calls"] as? Int == 0 else {
                throw BenchmarkError(message: "the rerun was not answered from the cache: \(summary)")
            }
            return Measurement(
                value: usage.wallSeconds,
                notes: ["CPU s": usage.cpuSeconds, "peak RSS MB": usage.maxRSSMegabytes])
        }
    }

    /// The 3-stage linear pipeline of the engine scenario run by the CLI: `dspex run` of a generated pipeline file
    /// (`question -> field0 -> field1 -> field2`, `concurrency` per stage, no cache) against `dspex sim` at
    /// `latency` ms in another process. Wall seconds of the whole process, start-up included.
    static func pipeline3(
        _ workspace: Workspace, examples: Int, concurrency: Int, latencyMilliseconds: Int
    ) throws -> Measurement {
        let dataset = try workspace.dataset(examples)
        let file = workspace.directory + "/pipeline3.yaml"
        var yaml = "name: pipeline3\nlm:\n  model: dspex-sim\nadapter: chat\nstages:\n"
        var previous = "question"
        for index in 0..<3 {
            let source = index == 0 ? "input.question" : "s\(index - 1).\(previous)"
            yaml += """
                  - id: s\(index)
                    module: predict
                    signature: "\(previous) -> field\(index)"
                    inputs: {\(previous): \(source)}
                    concurrency: \(concurrency)

                """
            previous = "field\(index)"
        }
        yaml += "outputs:\n  out: s2.field2\n"
        try yaml.write(toFile: file, atomically: true, encoding: .utf8)
        return try SimulatorProcess.with(dspex: workspace.dspex, latencyMilliseconds: latencyMilliseconds) {
            simulator in
            let output = workspace.path("results.jsonl")
            let usage = try ChildProcess.run(
                workspace.dspex,
                [
                    "run", file, "--data", dataset, "--out", output, "--no-cache", "--lm", "dspex-sim", "--base-url",
                    simulator.baseURL, "--max-concurrency", String(3 * concurrency),
                ])
            let lines = (try? String(contentsOfFile: output, encoding: .utf8))?.split(separator: "\n") ?? []
            try? FileManager.default.removeItem(atPath: output)
            guard lines.count == examples, !lines.contains(where: { $0.contains("\"error\":{") }) else {
                throw BenchmarkError(message: "dspex run wrote \(lines.count) results, some failed, for \(examples)")
            }
            return Measurement(
                value: usage.wallSeconds,
                notes: ["LM calls/s": Double(3 * examples) / usage.wallSeconds, "client CPU s": usage.cpuSeconds])
        }
    }

    /// The LM calls a summary reports, after checking that every example ran without error.
    static func checkedCalls(_ summary: [String: Any], examples: Int) throws -> Int {
        guard summary["examples"] as? Int == examples, summary["errors"] as? Int == 0,
            let calls = summary["lm_calls"] as? Int
        else {
            throw BenchmarkError(message: "unexpected evaluation summary: \(summary)")
        }
        return calls
    }

    static func removeStore(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}
