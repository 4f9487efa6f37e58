import Foundation

/// Where the benchmarks find the `dspex` binary and the pipelines, and keep their datasets and stores.
final class Workspace: @unchecked Sendable {
    /// The repository root (the parent of `Benchmarks/`).
    let root: String
    /// The release `dspex` binary the CLI scenarios run.
    let dspex: String
    /// A temporary folder removed at exit.
    let directory: String
    private var datasets: [Int: String] = [:]
    private var counter = 0

    init(dspex: String?) throws {
        // This file is Benchmarks/Sources/dspex-bench/Workspace.swift.
        root =
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
        self.dspex = dspex ?? root + "/.build/release/dspex"
        guard FileManager.default.isExecutableFile(atPath: self.dspex) else {
            throw BenchmarkError(
                message: "no dspex binary at \(self.dspex): run `swift build -c release --product dspex` at the "
                    + "repository root first (Benchmarks/run.sh does), or pass --dspex PATH")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("dspex-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func removeAll() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The one-stage arithmetic Predict pipeline every eval scenario runs.
    var arithmeticPipeline: String { root + "/pipelines/arithmetic.yaml" }

    /// The ReAct pipeline with a calculator tool the agent scenarios run (9-digit additions).
    var agentPipeline: String { root + "/pipelines/arithmetic_react.yaml" }

    /// A fresh path in the workspace (for a store or an output file).
    func path(_ name: String) -> String {
        counter += 1
        return "\(directory)/\(counter)-\(name)"
    }

    /// A JSONL file of `count` arithmetic rows (`{"id", "question", "answer"}`), written once per size.
    func dataset(_ count: Int) throws -> String {
        if let path = datasets[count] { return path }
        let path = "\(directory)/rows-\(count).jsonl"
        FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw BenchmarkError(message: "could not write \(path)")
        }
        defer { try? handle.close() }
        var generator = SplitMix64(seed: 7)
        var chunk = ""
        for index in 0..<count {
            let a = Int(generator.next() % 10_000)
            let b = Int(generator.next() % 10_000)
            chunk += "{\"id\": \"r\(index)\", \"question\": \"What is \(a) + \(b)?\", \"answer\": \(a + b)}\n"
            if chunk.utf8.count > 1 << 20 {
                handle.write(Data(chunk.utf8))
                chunk = ""
            }
        }
        handle.write(Data(chunk.utf8))
        datasets[count] = path
        return path
    }

    /// A JSONL file of `count` additions of two 9-digit numbers (`{"id", "question", "answer"}`), the agent
    /// pipeline's task, written once per size.
    func agentDataset(_ count: Int) throws -> String {
        let path = "\(directory)/bignum-\(count).jsonl"
        if FileManager.default.fileExists(atPath: path) { return path }
        var generator = SplitMix64(seed: 11)
        var text = ""
        for index in 0..<count {
            let a = 100_000_000 + Int(generator.next() % 900_000_000)
            let b = 100_000_000 + Int(generator.next() % 900_000_000)
            text += "{\"id\": \"b\(index)\", \"question\": \"What is \(a) + \(b)?\", \"answer\": \(a + b)}\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Arguments of `dspex eval` on the arithmetic pipeline (or `pipeline`) against an external simulator.
    func evalArguments(
        dataset: String, store: String, run: String, simulator: SimulatorProcess?, concurrency: Int? = nil,
        pipeline: String? = nil, extra: [String] = []
    ) -> [String] {
        var arguments = ["eval", pipeline ?? arithmeticPipeline, "--data", dataset, "--store", store, "--run", run, "--json"]
        if let simulator { arguments += ["--lm", "dspex-sim", "--base-url", simulator.baseURL] }
        if let concurrency {
            arguments += ["--concurrency", String(concurrency), "--max-concurrency", String(concurrency)]
        }
        return arguments + extra
    }

    /// Runs `dspex` with `arguments`, its summary written to a file, and returns its usage and summary.
    func runDSPEx(_ arguments: [String]) throws -> (ChildProcess.Usage, [String: Any]) {
        let output = path("out.json")
        let errors = path("err.txt")
        let usage = try ChildProcess.run(dspex, arguments, stdout: output, stderr: errors)
        let data = FileManager.default.contents(atPath: output) ?? Data()
        let summary = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        try? FileManager.default.removeItem(atPath: output)
        try? FileManager.default.removeItem(atPath: errors)
        return (usage, summary)
    }
}

/// A small deterministic generator for the datasets.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
