import DSPEx

/// A run's figures as a row of cards: status, score, examples, errors, calls, tokens, times. The cards are marked
/// `data-run` / `data-field`, so the live script keeps a running run's figures current.
enum SummaryCards {
    static func html(_ report: RunReport) -> HTML {
        let totals = report.totals
        func card(_ label: String, _ value: HTML) -> HTML { "<div><dt>\(label)</dt><dd>\(value)</dd></div>" }
        func field(_ name: String, _ text: String) -> HTML { "<span data-field=\"\(name)\">\(text)</span>" }
        let cards: [HTML] = [
            card("Status", ConsoleLayout.status(report.record.status)),
            card(report.isCompile ? "Best score" : "Score", field("score", ConsoleLayout.percent(report.score))),
            card("Examples", field("examples", String(totals?.examples ?? 0))),
            card("Errors", field("errors", String(totals?.errors ?? 0))),
            card("Calls", field("calls", String((totals?.lmCalls ?? 0) + (totals?.cachedCalls ?? 0)))),
            card("Tokens", field("tokens", String((totals?.promptTokens ?? 0) + (totals?.completionTokens ?? 0)))),
            card("Started", "<span class=\"date\">\(ConsoleDate.text(report.record.createdAt))</span>"),
            card("Finished", "<span class=\"date\">\(report.finishedAt.map(ConsoleDate.text) ?? "–")</span>"),
        ]
        return """
            <dl class="summary" id="summary" data-run="\(report.name)">\(cards)</dl>
            <p class="muted">Pipeline <code>\(report.record.pipeline)</code></p>
            """
    }
}
