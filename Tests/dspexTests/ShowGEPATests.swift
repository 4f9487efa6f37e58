import DSPEx
import DSPExTesting
import Foundation
import Testing

/// `dspex show` of a GEPA compile run: the budget spent, the candidate tree and the Pareto front, as text and JSON.
@Suite(.timeLimit(.minutes(2)))
struct ShowGEPATests {
    /// A `gepa/state` record of four candidates: two mutations of the seed, a mutation of candidate 1 and a merge
    /// of 1 and 2 (listed under 1, its first parent).
    static let state: Value = [
        "predictors": ["solve"],
        "candidates": [
            [
                "instructions": ["solve": "Seed."], "parents": [], "scores": [0.0, 1.0], "mean": 0.5,
                "discovered_at": 0,
            ],
            [
                "instructions": ["solve": "Think\n  step by step."], "parents": [0], "scores": [1.0, 1.0],
                "mean": 1.0, "discovered_at": 12,
            ],
            [
                "instructions": ["solve": .string(String(repeating: "long ", count: 40))], "parents": [0],
                "scores": [0.0, 0.0],
                "mean": 0.0, "discovered_at": 20,
            ],
            [
                "instructions": ["solve": "Child of one."], "parents": [1], "scores": [1.0, 0.0], "mean": 0.5,
                "discovered_at": 31,
            ],
            [
                "instructions": ["solve": "Merged."], "parents": [1, 2], "scores": [1.0, 1.0], "mean": 1.0,
                "discovered_at": 40,
            ],
        ],
        "front": [[1, 3, 4], [0, 1, 4]], "front_scores": [1.0, 1.0], "iteration": 5, "metric_calls": 44,
        "budget": 40, "full_evaluations": 5, "best": 1,
    ]

    @Test("the report lists each candidate after the one it was made from, with the budget and the Pareto front")
    func reportOfState() throws {
        let report = GEPAReport(try #require(GEPAState(Self.state)))
        #expect(report.tree.map(\.candidate.index) == [0, 1, 3, 4, 2])
        #expect(report.tree.map(\.depth) == [0, 1, 2, 2, 1])
        #expect(report.front == [0, 1, 3, 4])
        #expect(report.best == 1)
        #expect(report.iterations == 6)
        #expect((report.metricCalls, report.budget, report.fullEvaluations) == (44, 40, 5))
        #expect(report.candidates[4].parents == [1, 2])
        #expect(report.candidates[1].summary() == "Think step by step.")
        #expect(report.candidates[1].summary(parent: report.candidates[0]) == "Think step by step.")
        var child = report.candidates[1]
        child.instructions["solve"] = "Think step by step. Then double-check."
        #expect(child.summary(parent: report.candidates[1]) == "+ Then double-check.")
        #expect(report.candidates[1].summary(parent: report.candidates[1]) == "(unchanged)")
        let long = report.candidates[2].summary()
        #expect(long.count == 80 && long.hasSuffix("…") && !long.contains("\n"))
        #expect(report.value["candidates"]?[1]?["instructions"]?["solve"] == "Think\n  step by step.")
        #expect(report.value["pareto_front"] == [0, 1, 3, 4])
    }

    @Test(
        "dspex show of a GEPA compile prints the budget, the candidate tree rooted at the seed and the front",
        .tags(.integration))
    func showAfterCompile() async throws {
        let store = EvalResumeTests.temporaryStore()
        try await withSimulatedLM { _, server in
            let compiled = try await CLIProcess.run([
                "compile", RunCommandTests.path("pipelines/arithmetic.yaml"), "--optimizer", "gepa",
                "--max-metric-calls", "400", "--trainset", RunCommandTests.path("data/arithmetic_train.jsonl"),
                "--valset", RunCommandTests.path("data/arithmetic_dev.jsonl"), "--lm", "dspex-sim", "--base-url",
                server.baseURL, "--store", store, "--run", "gepa",
            ])
            #expect(compiled.status == 0, "\(compiled.stderr)")
        }
        let stored = try SQLiteStore(path: store)
        let report = try await #require(try RunReport.named("gepa", in: stored).gepa(in: stored))
        #expect(report.candidates.count > 1, "GEPA accepted no candidate")
        #expect(report.budget == 400 && report.metricCalls >= 400)

        let shown = try await CLIProcess.run(["show", "gepa", "--store", store])
        #expect(shown.status == 0, "\(shown.stderr)")
        let lines = shown.stdout.split(separator: "\n").map(String.init)
        let metricCalls = "\(report.metricCalls) of 400, \(report.fullEvaluations) full evaluations"
        #expect(lines.contains { $0.hasPrefix("metric calls") && $0.contains(metricCalls) }, "\(shown.stdout)")
        let front = report.front.map(String.init).joined(separator: ", ")
        #expect(lines.contains { $0.hasPrefix("pareto front") && $0.hasSuffix(front) }, "\(shown.stdout)")
        let tree = try #require(lines.firstIndex(of: "candidate tree:"), "\(shown.stdout)")
        let rows = Array(lines[(tree + 1)...].prefix { $0.hasPrefix("  ") })
        #expect(rows.count == report.candidates.count, "\(shown.stdout)")
        #expect(rows.first?.hasPrefix("  0  seed  mean ") == true, "\(shown.stdout)")
        #expect(rows.first?.contains("at call 0") == true)
        for (row, (depth, candidate)) in zip(rows, report.tree) {
            let indent = "  " + String(repeating: "  ", count: depth)
            #expect(row.hasPrefix(indent + "\(candidate.index)  "), "\(row)")
            let parent = candidate.parents.first.map { report.candidates[$0] }
            #expect(row.hasSuffix(candidate.summary(parent: parent)), "\(row)")
            #expect(row.contains("at call \(candidate.discoveredAt)"), "\(row)")
            if let parent = candidate.parents.first { #expect(row.contains("from \(parent)"), "\(row)") }
            #expect(candidate.summary().count <= 80)
        }
        #expect(rows.dropFirst().allSatisfy { $0.hasPrefix("    ") }, "only the seed is a root: \(rows)")

        // The iteration history: one line per iteration, accepted ones naming the candidate they added.
        #expect(report.history.map(\.number) == Array(1...report.iterations), "\(report.history.map(\.number))")
        let accepted = report.history.compactMap(\.candidate)
        #expect(accepted == Array(1..<report.candidates.count))
        let history = try #require(lines.firstIndex(of: "iterations:"), "\(shown.stdout)")
        let steps = Array(lines[(history + 1)...].prefix { $0.hasPrefix("  ") })
        #expect(steps.count == report.history.count)
        for (line, iteration) in zip(steps, report.history) {
            #expect(line.hasPrefix("  \(iteration.number)  \(iteration.kind)"), "\(line)")
            if let candidate = iteration.candidate { #expect(line.contains("accepted as \(candidate)"), "\(line)") }
        }
        #expect(report.validationScores.count == report.candidates.count)
        #expect(report.validationScores.allSatisfy { $0.count == 200 })

        let json = try Value(json: try await CLIProcess.run(["show", "gepa", "--json", "--store", store]).stdout)
        #expect(json["gepa"]?["iterations"]?.arrayValue?.count == report.history.count)
        #expect(json["gepa"]?["pareto_front"] == .array(report.front.map(Value.int)))
        #expect(json["gepa"]?["candidates"]?[0]?["parents"] == [])
        #expect(json["gepa"]?["candidates"]?.arrayValue?.count == report.candidates.count)
        #expect(json["gepa"]?["metric_calls"]?.intValue == report.metricCalls)
        #expect(json["gepa"]?["budget"] == 400)
        #expect(json["candidates"]?.intValue == report.candidates.count)
    }
}
