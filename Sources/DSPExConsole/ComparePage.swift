import DSPEx

/// Two evaluations of the same dataset side by side: each example's score and outputs in both, and which examples
/// flipped (passed in one, not in the other), a page at a time.
public struct ComparePage: Sendable {
    /// The first run (the baseline).
    public var first: RunReport
    /// The second run.
    public var second: RunReport
    /// Only flipped examples.
    public var flippedOnly: Bool
    /// The page's offset.
    public var offset: Int
    /// The page's pairs, in dataset order.
    public var pairs: [(ResultRecord, ResultRecord)]
    /// How many pairs match.
    public var total: Int
    /// How many examples flipped in all.
    public var flipped: Int

    /// The most pairs on a page.
    static let limit = 100

    /// Reads the comparison of runs `a` and `b`.
    ///
    /// - Throws: ``ConsoleError`` (400) when the runs are not evaluations of the same dataset.
    public static func load(
        _ a: String, _ b: String, flippedOnly: Bool, offset: Int, from store: any Store
    ) async throws -> ComparePage {
        let first = try await RunReport.named(a, in: store).live(in: store)
        let second = try await RunReport.named(b, in: store).live(in: store)
        guard !first.isCompile, !second.isCompile else {
            throw ConsoleError(status: 400, message: "only evaluations can be compared, not compile runs")
        }
        guard first.record.datasetHash == second.record.datasetHash else {
            throw ConsoleError(
                status: 400,
                message: "runs '\(a)' and '\(b)' were evaluated on different datasets; only runs on the same "
                    + "dataset can be compared")
        }
        let page = try await store.comparedResults(
            runID: first.id, with: second.id, flippedOnly: flippedOnly, offset: offset, limit: limit)
        let flipped =
            await flippedOnly
            ? page.total
            : try store.comparedResults(runID: first.id, with: second.id, flippedOnly: true, offset: 0, limit: 0).total
        return ComparePage(
            first: first, second: second, flippedOnly: flippedOnly, offset: offset, pairs: page.pairs,
            total: page.total, flipped: flipped)
    }

    static func passed(_ result: ResultRecord) -> Bool { result.error == nil && (result.score ?? 0) >= 1 }

    /// The page as a whole HTML document.
    public func html() -> HTML {
        let rows = HTML.joined(
            pairs.map { a, b in
                let flip: HTML =
                    Self.passed(a) == Self.passed(b)
                    ? "" : Self.passed(b) ? "<span class=\"flip up\">fixed</span>" : "<span class=\"flip\">broke</span>"
                return """
                    <tr class="\(Self.passed(a) != Self.passed(b) ? "flipped" : "")"><td class="num">\(a.exampleIndex)</td>
                    <td>\(a.exampleId)</td><td>\(flip)</td>
                    <td class="num">\(a.score.map { String(format: "%.2f", $0) } ?? "–")</td>
                    <td><a href="\(ConsoleLink.example(run: first.name, id: a.exampleId))"><code>\(ConsoleLayout.excerpt(a.error ?? a.outputs))</code></a></td>
                    <td class="num">\(b.score.map { String(format: "%.2f", $0) } ?? "–")</td>
                    <td><a href="\(ConsoleLink.example(run: second.name, id: b.exampleId))"><code>\(ConsoleLayout.excerpt(b.error ?? b.outputs))</code></a></td></tr>
                    """
            })
        let toggle =
            flippedOnly
            ? ConsoleLink.compare(first.name, second.name)
            : ConsoleLink.compare(first.name, second.name, query: [("flipped", "1")])
        var links: [HTML] = []
        let query: [(String, String)] = flippedOnly ? [("flipped", "1")] : []
        if offset > 0 {
            let previous = ConsoleLink.compare(
                first.name, second.name, query: query + [("offset", String(max(0, offset - Self.limit)))])
            links.append("<a href=\"\(previous)\">← previous</a>")
        }
        if offset + Self.limit < total {
            let next = ConsoleLink.compare(
                first.name, second.name, query: query + [("offset", String(offset + Self.limit))])
            links.append("<a href=\"\(next)\">next →</a>")
        }
        let body: HTML = """
            <p><a href="/">← all runs</a></p>
            <h1>\(first.name) vs \(second.name)</h1>
            <dl class="summary"><div><dt>\(first.name)</dt><dd>\(ConsoleLayout.percent(first.score))</dd></div>
            <div><dt>\(second.name)</dt><dd>\(ConsoleLayout.percent(second.score))</dd></div>
            <div><dt>Flipped examples</dt><dd id="flipped">\(flipped)</dd></div></dl>
            <p><a href="\(toggle)">\(flippedOnly ? "show every example" : "show flipped examples only")</a></p>
            <table id="comparison"><thead><tr><th class="num">#</th><th>Example</th><th></th>
            <th class="num">\(first.name)</th><th>outputs</th><th class="num">\(second.name)</th><th>outputs</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            <div class="pager"><span class="muted">\(total == 0 ? 0 : offset + 1)–\(offset + pairs.count) of \(total)</span>\(links)</div>
            """
        return ConsoleLayout.document(title: "\(first.name) vs \(second.name)", body: body)
    }
}
