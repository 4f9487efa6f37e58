import ArgumentParser
import DSPEx
import Foundation
import OrderedCollections

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
            let report = try RunReport.named(name, in: store)
            var summary = report.summary
            if report.isCompile {
                let trials = try report.trials(in: store)
                summary["candidates"] = .int(try report.candidateCount(in: store))
                if json {
                    summary["trials"] = .array(trials)
                    print(Value.object(summary).jsonString(.pretty(indent: 2)))
                    return
                }
                Self.printFields(summary.filter { !["examples", "errors"].contains($0.key) })
                if !trials.isEmpty { print("\ntrials:") }
                for trial in trials {
                    let score = trial["score"]?.doubleValue.map { String(format: "%.3f", $0) } ?? "-"
                    let params = (trial["params"]?.objectValue ?? [:]).map { "\($0.key)=\($0.value.plainText)" }
                    print(
                        "  \(trial["number"]?.plainText ?? "?")  \(trial["kind"]?.plainText ?? "")  score \(score)  "
                            + "on \(trial["examples"]?.plainText ?? "?")  " + params.joined(separator: " "))
                }
                return
            }
            let worst = try report.worstResults(limit: self.worst, in: store)
            if json {
                summary["worst"] = .array(worst.map(\.value))
                print(Value.object(summary).jsonString(.pretty(indent: 2)))
                return
            }
            Self.printFields(summary)
            if !worst.isEmpty { print("\nworst examples:") }
            for result in worst {
                let score = result.score.map { String(format: "%.2f", $0) } ?? "-"
                print("  \(result.exampleId)  score \(score)  \(result.error ?? result.outputs)")
            }
        }
    }

    private static func printFields(_ fields: OrderedDictionary<String, Value>) {
        for (key, value) in fields {
            print(key.padding(toLength: 18, withPad: " ", startingAt: 0) + value.plainText)
        }
    }
}
