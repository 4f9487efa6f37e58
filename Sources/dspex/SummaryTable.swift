import DSPEx
import Foundation

/// The human-readable summary of an evaluation.
enum SummaryTable {
    static func render(_ result: EvaluationResult, metric: String, skipped: Int = 0) -> String {
        var rows: [(String, String)] = [
            ("run", result.runName ?? "-"),
            ("score", String(format: "%.2f%%", result.percentage) + " (\(metric))"),
            (
                "examples",
                "\(result.examples)"
                    + (result.resumedExamples > 0 ? " (\(result.resumedExamples) from before the resume)" : "")
            ),
            ("errors", "\(result.errors)"),
            ("LM calls", "\(result.lmCalls) (+\(result.cachedCalls) cached)"),
            ("tokens", "\(result.promptTokens) prompt, \(result.completionTokens) completion"),
        ]
        if skipped > 0 { rows.append(("bad rows", "\(skipped) skipped")) }
        for (stage, latency) in result.stageLatency {
            rows.append(
                (
                    "stage \(stage)",
                    String(format: "p50 %.1f ms, p95 %.1f ms", latency.p50Milliseconds, latency.p95Milliseconds)
                ))
        }
        if let reason = result.stopReason { rows.append(("stopped", reason.description)) }
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(
            separator: "\n")
    }
}
