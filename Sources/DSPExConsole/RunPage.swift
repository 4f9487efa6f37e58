import DSPEx
import Foundation

/// A run's page: its summary and actions, then for an evaluation a paged, filterable, sortable table of its
/// examples, and for a compile run its score-per-trial plot, trials, candidates and best program.
public struct RunPage: Sendable {
    /// The run, with running totals so far.
    public var report: RunReport
    /// The examples table's query (evaluations).
    public var query: ResultPageQuery
    /// The page of examples (evaluations).
    public var page: ResultPage
    /// Failures by kind (evaluations).
    public var errorKinds: [(kind: String, count: Int)]
    /// The compile run's trials, plot and candidates (compile runs).
    public var compile: CompileSection?

    /// Reads the page for run `name` from `store`.
    ///
    /// - Throws: ``EvaluateError`` with ``EvaluateError/Code/unknownRun`` when there is no such run.
    public static func load(run name: String, query: ResultPageQuery, from store: any Store) async throws -> RunPage {
        let report = try await RunReport.named(name, in: store).live(in: store)
        if report.isCompile {
            return await RunPage(
                report: report, query: query, page: ResultPage(results: [], total: 0), errorKinds: [],
                compile: try CompileSection.load(report, from: store))
        }
        return await RunPage(
            report: report, query: query, page: try store.resultPage(runID: report.id, query: query),
            errorKinds: try store.errorKindCounts(runID: report.id), compile: nil)
    }

    /// The page as a whole HTML document.
    public func html() -> HTML {
        let body: HTML = """
            <p><a href="/">← all runs</a></p>
            <h1>\(report.name) <span class="muted">\(report.record.kind)</span></h1>
            \(SummaryCards.html(report))
            \(actions)
            \(compile.map { $0.html(run: report.name) } ?? examples)
            """
        return ConsoleLayout.document(title: report.name, body: body, script: LiveScript.runs)
    }

    /// Cancel for a running run, resume for a stopped or failed one (POST forms).
    var actions: HTML {
        let status = report.record.status
        if status == RunRecord.Status.running {
            return """
                <form class="inline" method="post" action="\(ConsoleLink.action("cancel", run: report.name))">
                <button class="danger" id="cancel" type="submit">Cancel run</button></form>
                """
        }
        if status == RunRecord.Status.stopped || status == RunRecord.Status.failed {
            return """
                <form class="inline" method="post" action="\(ConsoleLink.action("resume", run: report.name))">
                <button id="resume" type="submit">Resume run</button></form>
                """
        }
        return ""
    }

    /// The filter form, the error kinds, the table of examples and the pager.
    var examples: HTML {
        let name = report.name
        func option(_ value: String, _ label: String, selected: Bool) -> HTML {
            "<option value=\"\(value)\"\(selected ? " selected" : "")>\(label)</option>"
        }
        let outcomes = HTML.joined(
            [("all", "all examples"), ("wrong", "failed or wrong"), ("errors", "errors only"), ("passed", "passed")]
                .map { option($0.0, $0.1, selected: query.outcome.rawValue == $0.0) })
        let orders = HTML.joined(
            [("index", "dataset order"), ("score", "lowest score first"), ("-score", "highest score first")]
                .map { option($0.0, $0.1, selected: query.order.rawValue == $0.0) })
        let kinds = HTML.joined(
            [option("", "any error kind", selected: query.errorKind == nil)]
                + errorKinds.map { option($0.kind, "\($0.kind) (\($0.count))", selected: query.errorKind == $0.kind) })
        let form: HTML = """
            <form class="filters" method="get" action="\(ConsoleLink.run(name))">
            <select name="outcome">\(outcomes)</select><select name="kind">\(kinds)</select>
            <select name="order">\(orders)</select>
            <input type="search" name="q" placeholder="search ids, outputs, errors" value="\(query.search ?? "")">
            <button type="submit">Apply</button></form>
            """
        let rows = HTML.joined(page.results.map { Self.row($0, run: name) })
        return """
            <h2>Examples</h2>\(form)
            <table id="examples"><thead><tr><th class="num">#</th><th>Example</th><th class="num">Score</th>
            <th>Error</th><th>Outputs</th><th class="num">Calls</th><th class="num">Tokens</th>
            <th class="num">Latency</th></tr></thead><tbody>\(rows)</tbody></table>
            \(pager)
            """
    }

    static func row(_ result: ResultRecord, run: String) -> HTML {
        let rowClass = result.error != nil ? "failed" : (result.score ?? 0) < 1 ? "wrong" : ""
        return """
            <tr class="\(rowClass)"><td class="num">\(result.exampleIndex)</td>
            <td><a href="\(ConsoleLink.example(run: run, id: result.exampleId))">\(result.exampleId)</a></td>
            <td class="num">\(result.score.map { String(format: "%.2f", $0) } ?? "–")</td>
            <td>\(result.errorKind.map { "<span class=\"badge failed\">\($0)</span>" as HTML } ?? "")
            \(ConsoleLayout.excerpt(result.error ?? "", limit: 160))</td>
            <td><code>\(ConsoleLayout.excerpt(result.outputs))</code></td>
            <td class="num">\(result.lmCalls + result.cachedCalls)</td>
            <td class="num">\(result.promptTokens + result.completionTokens)</td>
            <td class="num">\(String(format: "%.0f ms", result.latencyMs))</td></tr>
            """
    }

    /// "Showing a–b of n" with links to the previous and next pages.
    var pager: HTML {
        let first = page.total == 0 ? 0 : query.offset + 1
        let last = min(page.total, query.offset + page.results.count)
        var links: [HTML] = []
        if query.offset > 0 {
            links.append(
                "<a id=\"previous\" href=\"\(link(offset: max(0, query.offset - query.limit)))\">← previous</a>")
        }
        if query.offset + query.limit < page.total {
            links.append("<a id=\"next\" href=\"\(link(offset: query.offset + query.limit))\">next →</a>")
        }
        return "<div class=\"pager\"><span class=\"muted\">\(first)–\(last) of \(page.total)</span>\(links)</div>"
    }

    /// This page's URL at another offset.
    func link(offset: Int) -> String {
        ConsoleLink.run(report.name, query: ConsoleQuery.parameters(of: query, offset: offset))
    }
}
