import ArgumentParser
import DSPEx
import Foundation
import OrderedCollections

/// `dspex show`: one run's summary and its worst examples; a compile run's trials, and a GEPA run's budget, Pareto
/// front and candidate tree.
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
            let store = try await storeOptions.open()
            let report = try await RunReport.named(name, in: store)
            var summary = report.summary
            if report.isCompile {
                let trials = try await report.trials(in: store)
                let gepa = try await report.gepa(in: store)
                if let gepa {
                    summary["candidates"] = .int(gepa.candidates.count)
                } else {
                    summary["candidates"] = .int(try await report.candidateCount(in: store))
                }
                if json {
                    summary["trials"] = .array(trials)
                    if let gepa { summary["gepa"] = gepa.value }
                    print(Value.object(summary).jsonString(.pretty(indent: 2)))
                    return
                }
                Self.printFields(summary.filter { !["examples", "errors"].contains($0.key) })
                if let gepa { Self.printGEPA(gepa) }
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
            let worst = try await report.worstResults(limit: self.worst, in: store)
            let sharing = try await report.sharing(in: store)
            if json {
                summary["worst"] = .array(worst.map(\.value))
                if let sharing { summary["sharing"] = sharing }
                print(Value.object(summary).jsonString(.pretty(indent: 2)))
                return
            }
            Self.printFields(summary)
            if let sharing { Self.printSharing(sharing) }
            if !worst.isEmpty { print("\nworst examples:") }
            for result in worst {
                let score = result.score.map { String(format: "%.2f", $0) } ?? "-"
                print("  \(result.exampleId)  score \(score)  \(result.error ?? result.outputs)")
            }
        }
    }

    /// A shared run's shards and workers, one worker a line.
    private static func printSharing(_ sharing: Value) {
        let number = { (key: String) in sharing[key]?.intValue ?? 0 }
        Self.printFields([
            "shards": .string(
                "\(number("done")) of \(number("shards")) done, \(number("held")) held, "
                    + "\(number("taken_over")) taken over from a lost worker")
        ])
        let workers = sharing["workers"]?.arrayValue ?? []
        if !workers.isEmpty { print("\nworkers:") }
        for worker in workers {
            let shards = (worker["shards"]?.arrayValue ?? []).map(\.plainText).joined(separator: ", ")
            let finished = (worker["finished"]?.arrayValue ?? []).map(\.plainText).joined(separator: ", ")
            let live = worker["live"]?.boolValue == true ? "live" : "gone"
            print(
                "  \(worker["id"]?.plainText ?? "?")  \(live), heartbeat \(worker["heartbeat_seconds_ago"]?.plainText ?? "?") s ago"
                    + (shards.isEmpty ? "" : "  holds \(shards)") + (finished.isEmpty ? "" : "  finished \(finished)"))
        }
    }

    /// A GEPA run's budget, Pareto front and candidate tree (each candidate under the one it was made from).
    private static func printGEPA(_ gepa: GEPAReport) {
        Self.printFields([
            "metric calls": .string(
                "\(gepa.metricCalls) of \(gepa.budget), \(gepa.fullEvaluations) full evaluations, "
                    + "\(gepa.iterations) iterations"),
            "best candidate": .int(gepa.best),
            "pareto front": .string(gepa.front.map(String.init).joined(separator: ", ")),
        ])
        print("\ncandidate tree:")
        let front = Set(gepa.front)
        for (depth, candidate) in gepa.tree {
            let origin =
                candidate.parents.isEmpty
                ? "seed" : "from " + candidate.parents.map(String.init).joined(separator: "+")
            let mean = candidate.meanScore.map { String(format: "%.3f", $0) } ?? "-"
            let marks = [candidate.index == gepa.best ? "best" : nil, front.contains(candidate.index) ? "front" : nil]
                .compactMap { $0 }.joined(separator: ",")
            print(
                "  " + String(repeating: "  ", count: depth) + "\(candidate.index)  \(origin)  mean \(mean)  "
                    + "at call \(candidate.discoveredAt)" + (marks.isEmpty ? "" : "  [\(marks)]") + "  "
                    + candidate.summary(parent: candidate.parents.first.map { gepa.candidates[$0] }))
        }
        guard !gepa.history.isEmpty else { return }
        print("\niterations:")
        for iteration in gepa.history {
            let origin = iteration.parents.map(String.init).joined(separator: "+")
            var line = "  \(iteration.number)  \(iteration.kind)"
            if let predictor = iteration.predictor { line += " of \(predictor)" }
            if !origin.isEmpty { line += " from \(origin)" }
            if let before = iteration.scoreBefore, let after = iteration.scoreAfter {
                line += String(format: "  minibatch %g -> %g", before, after)
            }
            line += "  \(iteration.outcomeDescription)"
            line += "  front \(iteration.front.map(String.init).joined(separator: ","))"
            line += "  at call \(iteration.metricCalls)"
            print(line)
        }
    }

    private static func printFields(_ fields: OrderedDictionary<String, Value>) {
        for (key, value) in fields {
            print(key.padding(toLength: 18, withPad: " ", startingAt: 0) + value.plainText)
        }
    }
}
