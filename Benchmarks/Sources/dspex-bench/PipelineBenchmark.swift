import DSPEx
import DSPExSim
import Foundation
import OrderedCollections

/// A linear pipeline of Predict stages against the simulator over real HTTP.
///
/// The ideal time is the bottleneck bound plus pipeline fill: ceil(examples / concurrency) × latency for
/// the busiest stage, plus (stages − 1) × latency for the first example to reach the last stage.
struct PipelineBenchmark {
    var stages: Int
    var examples: Int
    var concurrency: Int
    var latencyMilliseconds: Int

    /// The ideal time in seconds, `nil` at 0 ms.
    var idealSeconds: Double? {
        guard latencyMilliseconds > 0 else { return nil }
        let batches = (examples + concurrency - 1) / concurrency
        return Double((batches + stages - 1) * latencyMilliseconds) / 1000
    }

    func run() async throws -> Measurement {
        var simulator = SimulatorConfiguration()
        simulator.latency = .fixed(milliseconds: latencyMilliseconds)
        simulator.logger.logLevel = .warning
        return try await withSimulator(simulator) { server in
            let lm = OpenAICompatibleLM(
                .init(
                    model: "dspex-sim", baseURL: server.baseURL, apiKeyEnvironmentVariable: nil,
                    maxConcurrency: stages * concurrency, cache: nil, historyLimit: 0))
            var graphStages: [Stage] = []
            var previous = "question"
            for index in 0..<stages {
                let output = "field\(index)"
                let source: SourceReference =
                    index == 0 ? .input(field: "question") : .stage(id: "s\(index - 1)", field: previous)
                graphStages.append(
                    Stage(
                        "s\(index)", try Predict("\(previous) -> \(output)", lm: lm), inputs: [previous: source],
                        concurrency: concurrency))
                previous = output
            }
            let graph = try Graph(stages: graphStages, outputs: ["out": .stage(id: "s\(stages - 1)", field: previous)])
            let data = (0..<examples).map {
                Example(["question": .string("What is \($0) + 1?")], inputKeys: ["question"], id: "\($0)")
            }
            let started = ContinuousClock.now
            let summary = try await Scheduler(graph: graph).run(ExampleList(data)) { _ in }
            let elapsed = ContinuousClock.now - started
            try await lm.shutdown()
            guard summary.errors == 0 else { throw BenchmarkError(message: "\(summary.errors) examples failed") }
            return Measurement(
                value: elapsed.seconds, notes: ["LM calls/s": Double(summary.lmCalls) / elapsed.seconds])
        }
    }
}
