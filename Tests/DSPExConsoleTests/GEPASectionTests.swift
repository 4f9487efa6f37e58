import Testing

@testable import DSPEx
@testable import DSPExConsole

/// A GEPA compile run's part of its page: the candidate tree, the iterations and the plot's points.
@Suite(.timeLimit(.minutes(3)))
struct GEPASectionTests {
    static func report() -> GEPAReport {
        var state = GEPAState(predictorNames: ["solve"], seed: ["Add."], scores: [0, 1], budget: 40)
        _ = state.add(["Add. <b>Carry</b> the ones."], parents: [0], scores: [1, 1], discoveredAt: 8)
        var report = GEPAReport(state)
        let accepted: Value = [
            "kind": "reflective", "parents": [0], "predictor": "solve", "scores_before": [0.0, 1.0, 0.0],
            "scores_after": [1.0, 1.0, 1.0], "outcome": "accepted", "candidate": 1, "metric_calls": 14,
            "front": [0, 1],
        ]
        let rejected: Value = [
            "kind": "reflective", "parents": [1], "predictor": "solve", "scores_before": [1.0, 1.0, 0.0],
            "scores_after": [0.0, 1.0, 0.0], "outcome": "rejected", "metric_calls": 20, "front": [0, 1],
        ]
        report.history = [
            GEPAReport.Iteration(number: 1, accepted), GEPAReport.Iteration(number: 2, rejected),
        ].compactMap { $0 }
        return report
    }

    @Test("the section lists candidates under their parents with what they added, escaped, and every iteration")
    func html() {
        let text = GEPASection(report: Self.report()).html().text
        #expect(text.contains("<table id=\"gepa-candidates\">"))
        #expect(text.contains("<table id=\"gepa-iterations\">"))
        // The child shows only what it added to its parent's instruction, and model text is escaped.
        #expect(text.contains("+ &lt;b&gt;Carry&lt;/b&gt; the ones."))
        #expect(!text.contains("<b>Carry</b>"))
        #expect(text.contains("accepted as 1"))
        #expect(text.contains("rejected"))
        #expect(text.contains("1 → 3"))
        #expect(text.contains("best candidate 1"))
    }

    @Test("the plot has the seed's and each accepted child's validation mean, and every child's minibatch score")
    func points() {
        let points = GEPASection(report: Self.report()).points
        #expect(points.filter(\.full).map(\.trial) == [0, 1])
        #expect(points.filter(\.full).map(\.score) == [0.5, 1])
        #expect(points.filter { !$0.full }.map(\.trial) == [1, 2])
        #expect(points.filter { !$0.full }.map(\.score) == [1, 1.0 / 3.0])
        #expect(points.first { $0.full && $0.trial == 1 }?.examples == 2)
    }
}
