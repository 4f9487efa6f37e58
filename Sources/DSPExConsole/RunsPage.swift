import DSPEx
import Foundation

/// The console's front page: every eval and compile run with its status, score, examples, errors, calls, tokens
/// and times, kept up to date by the live event stream.
public struct RunsPage: Sendable {
    /// The runs, newest first.
    public var runs: [RunReport]

    /// Creates the page for `runs`.
    public init(runs: [RunReport]) {
        self.runs = runs
    }

    /// The page for every run in `store`, with running runs' totals so far.
    public static func load(from store: any Store) async throws -> RunsPage {
        await RunsPage(runs: try RunReport.allLive(in: store))
    }

    /// The page as a whole HTML document.
    public func html() -> HTML {
        let rows = runs.map(Self.row)
        let evals = runs.filter { !$0.isCompile && $0.record.kind == RunRecord.Kind.eval }
        let body: HTML = """
            <h1>Runs</h1>
            \(runs.isEmpty ? "<p class=\"muted\">No runs in this store yet: start one with <code>dspex eval</code>.</p>" as HTML : "")
            <table id="runs"><thead><tr><th>Run</th><th>Kind</th><th>Status</th><th class="num">Score</th>
            <th class="num">Examples</th><th class="num">Errors</th><th class="num">Calls</th><th class="num">Tokens</th>
            <th>Started</th><th>Finished</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            \(evals.count >= 2 ? Self.compareForm(evals) : "")
            """
        return ConsoleLayout.document(title: "Runs", body: body, script: LiveScript.runs)
    }

    static func row(_ report: RunReport) -> HTML {
        let totals = report.totals
        let calls = (totals?.lmCalls ?? 0) + (totals?.cachedCalls ?? 0)
        let tokens = (totals?.promptTokens ?? 0) + (totals?.completionTokens ?? 0)
        return """
            <tr data-run="\(report.name)"><td><a href="\(ConsoleLink.run(report.name))">\(report.name)</a></td>
            <td>\(report.record.kind)</td><td>\(ConsoleLayout.status(report.record.status))</td>
            <td class="num" data-field="score">\(ConsoleLayout.percent(report.score))</td>
            <td class="num" data-field="examples">\(totals?.examples ?? 0)</td>
            <td class="num" data-field="errors">\(totals?.errors ?? 0)</td>
            <td class="num" data-field="calls">\(calls)</td><td class="num" data-field="tokens">\(tokens)</td>
            <td>\(ConsoleDate.text(report.record.createdAt))</td>
            <td data-field="finished">\(report.finishedAt.map(ConsoleDate.text) ?? "–")</td></tr>
            """
    }

    /// Two selects of evaluations and a button to compare them.
    static func compareForm(_ evals: [RunReport]) -> HTML {
        func options(_ selected: Int) -> HTML {
            HTML.joined(
                evals.enumerated().map { index, report in
                    "<option value=\"\(report.name)\"\(index == selected ? " selected" : "")>\(report.name)</option>"
                })
        }
        return """
            <h2>Compare two evaluations</h2>
            <form class="filters" method="get" action="/compare"><select name="a">\(options(1))</select>
            <span>vs</span><select name="b">\(options(0))</select><button type="submit">Compare</button></form>
            """
    }
}

/// Dates as the console shows them: UTC, to the second.
enum ConsoleDate {
    static func text(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime]
        return formatter.string(from: date) + " UTC"
    }
}
