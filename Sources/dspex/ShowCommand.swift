import ArgumentParser
import DSPEx
import Foundation

/// `dspex show`: one run's summary and its worst examples.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a run's summary and its worst examples.")

    @Argument(help: "The run's name.")
    var name: String

    @Option(help: "How many of the worst examples to show.")
    var worst = 5

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await CommandFailure.reporting {
            let store = try storeOptions.open()
            let (record, id) = try storeOptions.requireRun(name, in: store)
            let worstResults = try store.worstResults(runID: id, limit: worst)
            if json {
                guard case .object(var object) = record.summaryValue else { return }
                object["worst"] = .array(worstResults.map(\.value))
                print(Value.object(object).jsonString(.pretty(indent: 2)))
                return
            }
            for (key, value) in record.summaryValue.objectValue ?? [:] {
                print(key.padding(toLength: 18, withPad: " ", startingAt: 0) + value.plainText)
            }
            if !worstResults.isEmpty { print("\nworst examples:") }
            for result in worstResults {
                let score = result.score.map { String(format: "%.2f", $0) } ?? "-"
                print("  \(result.exampleId)  score \(score)  \(result.error ?? result.outputs)")
            }
        }
    }
}

extension ResultRecord {
    /// The result as JSON for `show` and `export`.
    var value: Value {
        [
            "id": .string(exampleId), "outputs": (try? Value(json: outputs)) ?? .string(outputs),
            "score": score.map(Value.double) ?? .null, "error": error.map(Value.string) ?? .null,
            "lm_calls": .int(lmCalls), "cached_calls": .int(cachedCalls), "prompt_tokens": .int(promptTokens),
            "completion_tokens": .int(completionTokens), "latency_ms": .double(latencyMs),
        ]
    }
}
