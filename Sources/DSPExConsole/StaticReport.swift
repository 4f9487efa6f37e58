import DSPEx

/// A run's page as one self-contained HTML file (`dspex report`): inline CSS and SVG, no script, no link that needs
/// a server — to attach to a pull request or send by mail. An evaluation's table lists its worst examples first,
/// and the worst of them are inlined with their stages' messages and raw replies.
public struct StaticReport: Sendable {
    /// The most examples listed in the table.
    public static let listedExamples = 1000
    /// The most examples inlined with their stages.
    public static let detailedExamples = 50

    /// Renders run `name` of `store`.
    ///
    /// - Throws: ``EvaluateError`` with ``EvaluateError/Code/unknownRun`` when there is no such run.
    public static func html(run name: String, from store: any Store) async throws -> HTML {
        let report = try await RunReport.named(name, in: store).live(in: store)
        var sections: [HTML] = [
            "<h1>\(report.name) <span class=\"muted\">\(report.record.kind)</span></h1>", SummaryCards.html(report),
        ]
        if report.isCompile {
            let compile = try await CompileSection.load(report, from: store)
            sections.append(compile.html(run: report.name, linkProgram: false))
            if let program = try await report.bestProgramJSON(in: store) {
                sections.append("<h2>Best program (DSPy JSON)</h2><pre id=\"program\">\(program)</pre>")
            }
        } else {
            await sections.append(try examples(report, store: store))
        }
        return ConsoleLayout.document(title: "Report · \(report.name)", body: HTML.joined(sections))
    }

    static func examples(_ report: RunReport, store: any Store) async throws -> HTML {
        let kinds = try await store.errorKindCounts(runID: report.id)
        let worst = try await store.resultPage(
            runID: report.id, query: ResultPageQuery(order: .scoreAscending, limit: listedExamples))
        let rows = HTML.joined(
            worst.results.map { result in
                """
                <tr class="\(result.error != nil ? "failed" : "")"><td class="num">\(result.exampleIndex)</td>
                <td><a href="#example-\(ConsoleLink.segment(result.exampleId))">\(result.exampleId)</a></td>
                <td class="num">\(result.score.map { String(format: "%.2f", $0) } ?? "–")</td>
                <td>\(result.errorKind ?? "")</td><td><code>\(ConsoleLayout.excerpt(result.error ?? result.outputs))</code></td></tr>
                """
            })
        var detailed: [HTML] = []
        for result in worst.results.prefix(detailedExamples) {
            let stages = try await store.stages(runID: report.id, exampleID: result.exampleId).map(StageReport.init)
            detailed.append(
                """
                <details id="example-\(ConsoleLink.segment(result.exampleId))"><summary>\(result.exampleId) \
                · score \(result.score.map { String(format: "%.2f", $0) } ?? "–")</summary>
                \(ExamplePage.content(result: result, stages: stages))</details>
                """ as HTML)
        }
        let kindRows = HTML.joined(
            kinds.map { "<tr><td>\($0.kind)</td><td class=\"num\">\($0.count)</td></tr>" as HTML })
        return """
            \(kinds.isEmpty ? "" : "<h2>Errors by kind</h2><table><tbody>\(kindRows)</tbody></table>" as HTML)
            <h2>Examples, worst first</h2>
            <p class="muted">\(worst.results.count) of \(worst.total) examples listed; the first \(min(detailedExamples, worst.results.count)) are shown in full below.</p>
            <table id="examples"><thead><tr><th class="num">#</th><th>Example</th><th class="num">Score</th><th>Error kind</th>
            <th>Error or outputs</th></tr></thead><tbody>\(rows)</tbody></table>
            <h2>Worst examples in full</h2>\(HTML.joined(detailed))
            """
    }
}
