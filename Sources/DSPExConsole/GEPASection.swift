import DSPEx
import Foundation

/// A GEPA compile run's part of its page: the budget spent, the candidate tree (each candidate under the one it was
/// made from, with what its instruction added) and every iteration, and the points the score plot draws for it.
struct GEPASection: Sendable {
    /// What the run found so far.
    let report: GEPAReport

    /// The plot's points by iteration: each child's minibatch score (kept or not), and the validation mean of the
    /// seed (at 0) and of every accepted child (at the iteration that found it). Without the iteration history,
    /// the candidates' means in the order they were found.
    var points: [TrialPlot.Point] {
        guard !report.history.isEmpty else {
            return report.candidates.compactMap { candidate in
                candidate.meanScore.map { TrialPlot.Point(trial: candidate.index, score: $0, full: true) }
            }
        }
        var points: [TrialPlot.Point] = []
        if let seed = report.candidates.first?.meanScore {
            points.append(TrialPlot.Point(trial: 0, score: seed, full: true))
        }
        for iteration in report.history {
            if let after = iteration.scoreAfter, let size = iteration.minibatchSize, size > 0 {
                points.append(
                    TrialPlot.Point(trial: iteration.number, score: after / Double(size), full: false, examples: size))
            }
            if let index = iteration.candidate, report.candidates.indices.contains(index),
                let mean = report.candidates[index].meanScore
            {
                let examples =
                    report.validationScores.indices.contains(index) ? report.validationScores[index].count : nil
                points.append(TrialPlot.Point(trial: iteration.number, score: mean, full: true, examples: examples))
            }
        }
        return points
    }

    /// The section's HTML: a summary line, the candidate table and the iteration table.
    func html() -> HTML {
        let front = Set(report.front)
        let candidateRows = HTML.joined(
            report.tree.map { depth, candidate in
                let parent = candidate.parents.first.flatMap {
                    report.candidates.indices.contains($0) ? report.candidates[$0] : nil
                }
                let marks = [
                    candidate.index == report.best ? "best" : nil, front.contains(candidate.index) ? "front" : nil,
                ]
                .compactMap { $0 }.joined(separator: ", ")
                let origin =
                    candidate.parents.isEmpty ? "seed" : candidate.parents.map(String.init).joined(separator: "+")
                let mean = candidate.meanScore.map { String(format: "%.3f", $0) } ?? "–"
                let indent = String(repeating: "· ", count: depth)
                let instruction = candidate.summary(maxLength: 300, parent: parent)
                let cells: [HTML] = [
                    "<tr><td class=\"num\">\(indent)\(candidate.index)</td><td>\(origin)</td>",
                    "<td class=\"num\">\(mean)</td><td class=\"num\">\(candidate.discoveredAt)</td><td>\(marks)</td>",
                    "<td>\(instruction)</td></tr>",
                ]
                return HTML.joined(cells)
            })
        let iterationRows = HTML.joined(
            report.history.map { iteration in
                var scores = "–"
                if let before = iteration.scoreBefore, let after = iteration.scoreAfter {
                    scores = String(format: "%g → %g", before, after)
                }
                let outcome = iteration.outcomeDescription
                let parents = iteration.parents.map(String.init).joined(separator: "+")
                let frontAfter = iteration.front.map(String.init).joined(separator: ", ")
                let cells: [HTML] = [
                    "<tr><td class=\"num\">\(iteration.number)</td><td>\(iteration.kind)</td>",
                    "<td>\(iteration.predictor ?? "")</td><td>\(parents)</td><td class=\"num\">\(scores)</td>",
                    "<td>\(outcome)</td><td>\(frontAfter)</td><td class=\"num\">\(iteration.metricCalls)</td></tr>",
                ]
                return HTML.joined(cells)
            })
        let summary =
            "\(report.metricCalls) of \(report.budget) metric calls, \(report.fullEvaluations) full evaluations, "
            + "\(report.iterations) iterations; best candidate \(report.best); Pareto front "
            + report.front.map(String.init).joined(separator: ", ") + "."
        let candidateHead = HTML.joined([
            "<thead><tr><th class=\"num\">Candidate</th><th>From</th><th class=\"num\">Mean</th>",
            "<th class=\"num\">Found at call</th><th></th><th>Instruction (what it added)</th></tr></thead>",
        ])
        let iterationHead = HTML.joined([
            "<thead><tr><th class=\"num\">#</th><th>Kind</th><th>Predictor</th><th>From</th>",
            "<th class=\"num\">Minibatch</th><th>Outcome</th><th>Front after</th>",
            "<th class=\"num\">Metric calls</th></tr></thead>",
        ])
        let iterations: HTML =
            report.history.isEmpty
            ? ""
            : "<h3>Iterations</h3><table id=\"gepa-iterations\">\(iterationHead)<tbody>\(iterationRows)</tbody></table>"
        return """
            <h2>GEPA</h2>
            <p>\(summary)</p>
            <table id="gepa-candidates">\(candidateHead)<tbody>\(candidateRows)</tbody></table>
            \(iterations)
            """
    }
}
