import DSPEx

/// A compile run's part of its page: the score-per-trial plot, the trials, the candidates (instructions and
/// demos as the optimizer recorded them) and a link to the best program as DSPy-layout JSON.
public struct CompileSection: Sendable {
    /// The trials as recorded (`number`, `kind`, `score`, `examples`, `params`).
    public var trials: [Value]
    /// The plot of ``trials`` (or of a GEPA run's candidates in the order they were found).
    public var plot: TrialPlot
    /// The candidates: journal key and recorded value.
    public var candidates: [(key: String, value: Value)]
    /// Whether a best program is stored.
    public var hasProgram: Bool
    /// A GEPA run's candidate tree and iterations, when the run is one.
    var gepa: GEPASection?

    /// Reads the section of compile run `report`.
    public static func load(_ report: RunReport, from store: any Store) async throws -> CompileSection {
        let trials = try await report.trials(in: store)
        var points = trials.compactMap { trial -> TrialPlot.Point? in
            guard let number = trial["number"]?.intValue, let score = trial["score"]?.doubleValue else { return nil }
            return TrialPlot.Point(
                trial: number, score: score, full: trial["kind"]?.stringValue != "minibatch",
                examples: trial["examples"]?.intValue)
        }
        let gepa = try await report.gepa(in: store).map(GEPASection.init(report:))
        if points.isEmpty, let gepa {
            points = gepa.points
        }
        let candidates = try await store.compileSteps(runID: report.id, prefix: "candidate/").map { step in
            (
                key: String(step.key.dropFirst("candidate/".count)),
                value: (try? Value(json: step.value)) ?? .string(step.value)
            )
        }
        return await CompileSection(
            trials: trials, plot: TrialPlot(points: points), candidates: candidates,
            hasProgram: try report.bestProgramJSON(in: store) != nil, gepa: gepa)
    }

    /// The section; `linkProgram` links the server's download of the best program (a static report inlines it).
    func html(run: String, linkProgram: Bool = true) -> HTML {
        let rows = HTML.joined(
            trials.map { trial in
                let params = (trial["params"]?.objectValue ?? [:]).map { "\($0.key)=\($0.value.plainText)" }
                return """
                    <tr><td class="num">\(trial["number"]?.plainText ?? "?")</td><td>\(trial["kind"]?.plainText ?? "")</td>
                    <td class="num">\(trial["score"]?.doubleValue.map { String(format: "%.3f", $0) } ?? "–")</td>
                    <td class="num">\(trial["examples"]?.plainText ?? "")</td><td><code>\(params.joined(separator: " "))</code></td></tr>
                    """
            })
        let candidateList = HTML.joined(
            candidates.map { candidate in
                "<details><summary>\(candidate.key)</summary><pre>\(ConsoleLayout.excerpt(candidate.value.jsonString(.pretty(indent: 2)), limit: 20_000))</pre></details>"
            })
        let download: HTML =
            !linkProgram
            ? ""
            : hasProgram
                ? "<p><a id=\"program\" href=\"\(ConsoleLink.program(run: run))\" download>Download the best program (DSPy JSON)</a></p>"
                : "<p class=\"muted\">No best program is stored yet.</p>"
        return """
            <h2>Score per trial</h2>
            \(plot.points.isEmpty ? "<p class=\"muted\">No trials recorded yet.</p>" as HTML : "<div class=\"plot\">\(plot.svg())</div>")
            \(download)
            \(trials.isEmpty ? "" : "<h2>Trials</h2><table id=\"trials\"><thead><tr><th class=\"num\">#</th><th>Kind</th><th class=\"num\">Score</th><th class=\"num\">Examples</th><th>Parameters</th></tr></thead><tbody>\(rows)</tbody></table>" as HTML)
            \(gepa?.html() ?? "")
            \(candidates.isEmpty && gepa != nil ? "" : "<h2>Candidates</h2>" as HTML)
            \(candidates.isEmpty ? (gepa == nil ? "<p class=\"muted\">No candidates recorded.</p>" : "") as HTML : candidateList)
            """
    }
}
