import DSPEx
import DSPExSim
import Foundation

/// Runs the engine benchmarks: each scenario starts its own simulator, warms up, runs several times and
/// prints the median, the spread and the ratio to the ideal.
@main
struct BenchmarkCommand {
    static func main() async throws {
        let requested = Set(CommandLine.arguments.dropFirst())
        for scenario in Scenario.all where requested.isEmpty || requested.contains(scenario.name) {
            try await scenario.measure()
        }
    }
}

/// One benchmark scenario.
struct Scenario: Sendable {
    var name: String
    var description: String
    var runs: Int
    var body: @Sendable () async throws -> Measurement

    static let all: [Scenario] = [
        Scenario(
            name: "pipeline3-50ms", description: "3-stage linear pipeline, 1,000 examples, concurrency 64, 50 ms",
            runs: 5
        ) {
            try await PipelineBenchmark(stages: 3, examples: 1000, concurrency: 64, latencyMilliseconds: 50).run()
        },
        Scenario(
            name: "pipeline3-0ms", description: "3-stage linear pipeline, 5,000 examples, concurrency 64, 0 ms",
            runs: 5
        ) {
            try await PipelineBenchmark(stages: 3, examples: 5000, concurrency: 64, latencyMilliseconds: 0).run()
        },
    ]

    func measure() async throws {
        _ = try await body()  // warm-up
        var samples: [Measurement] = []
        for _ in 0..<runs { samples.append(try await body()) }
        samples.sort { $0.seconds < $1.seconds }
        let median = samples[samples.count / 2]
        let spread = (samples.last?.seconds ?? 0) - (samples.first?.seconds ?? 0)
        var line =
            "\(name): \(description)\n  median \(format(median.seconds)) s (spread \(format(spread)) s over \(runs) runs)"
        line += ", \(Int(Double(median.calls) / median.seconds)) LM calls/s"
        if let ideal = median.idealSeconds {
            line += ", ideal \(format(ideal)) s, ratio \(format(median.seconds / ideal))"
        }
        print(line)
    }

    private func format(_ value: Double) -> String { String(format: "%.3f", value) }
}

/// The result of one run.
struct Measurement: Sendable {
    var seconds: Double
    var calls: Int
    var idealSeconds: Double?
}
