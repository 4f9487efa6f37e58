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
            if record.kind == RunRecord.Kind.compile {
                try showCompile(record, id: id, store: store)
                return
            }
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

extension ShowCommand {
    /// A compile run: its summary, its candidates and every trial with its score.
    private func showCompile(_ record: RunRecord, id: Int64, store: Store) throws {
        let trials = try store.compileSteps(runID: id, prefix: "trial/").compactMap { try? Value(json: $0.value) }
        let candidates = try store.compileSteps(runID: id, prefix: "candidate/").count
        if json {
            guard case .object(var object) = record.summaryValue else { return }
            object["candidates"] = .int(candidates)
            object["trials"] = .array(trials)
            print(Value.object(object).jsonString(.pretty(indent: 2)))
            return
        }
        for (key, value) in record.summaryValue.objectValue ?? [:] where !["examples", "errors"].contains(key) {
            print(key.padding(toLength: 18, withPad: " ", startingAt: 0) + value.plainText)
        }
        print("candidates".padding(toLength: 18, withPad: " ", startingAt: 0) + String(candidates))
        if !trials.isEmpty { print("\ntrials:") }
        for trial in trials {
            let score = trial["score"]?.doubleValue.map { String(format: "%.3f", $0) } ?? "-"
            let params = (trial["params"]?.objectValue ?? [:]).map { "\($0.key)=\($0.value.plainText)" }
            print(
                "  \(trial["number"]?.plainText ?? "?")  \(trial["kind"]?.plainText ?? "")  score \(score)  "
                    + "on \(trial["examples"]?.plainText ?? "?")  " + params.joined(separator: " "))
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
