import DSPEx

/// One example of an evaluation: its result, then each stage's inputs and outputs, every LM call's chat messages
/// and raw reply, the adapter fallback and the error with its raw reply — all shown as text.
public struct ExamplePage: Sendable {
    /// The run.
    public var report: RunReport
    /// The example's result.
    public var result: ResultRecord
    /// What each stage did (empty when the run kept nothing for this example).
    public var stages: [StageReport]

    /// Reads example `exampleID` of run `name`.
    ///
    /// - Throws: ``ConsoleError`` (404) when the run has no such example, ``EvaluateError`` for an unknown run.
    public static func load(run name: String, example exampleID: String, from store: any Store) async throws
        -> ExamplePage
    {
        let report = try await RunReport.named(name, in: store)
        guard let result = try await store.result(runID: report.id, exampleID: exampleID) else {
            throw ConsoleError(status: 404, message: "run '\(name)' has no example '\(exampleID)'")
        }
        return await ExamplePage(
            report: report, result: result, stages: try report.stages(ofExample: exampleID, in: store))
    }

    /// The page as a whole HTML document.
    public func html() -> HTML {
        ConsoleLayout.document(
            title: "\(result.exampleId) · \(report.name)",
            body: """
                <p><a href="\(ConsoleLink.run(report.name))">← \(report.name)</a></p>
                \(Self.content(result: result, stages: stages))
                """)
    }

    /// The example's result and stages, without the page frame (a static report inlines it).
    static func content(result: ResultRecord, stages: [StageReport]) -> HTML {
        let outputs = (try? Value(json: result.outputs))?.jsonString(.pretty(indent: 2)) ?? result.outputs
        let stageSections = HTML.joined(stages.map(stage))
        return """
            <h1>Example \(result.exampleId) <span class="muted">#\(result.exampleIndex)</span></h1>
            <dl class="summary"><div><dt>Score</dt><dd>\(result.score.map { String(format: "%.2f", $0) } ?? "–")</dd></div>
            <div><dt>Calls</dt><dd>\(result.lmCalls + result.cachedCalls)</dd></div>
            <div><dt>Tokens</dt><dd>\(result.promptTokens + result.completionTokens)</dd></div>
            <div><dt>Latency</dt><dd>\(String(format: "%.0f ms", result.latencyMs))</dd></div></dl>
            \(result.error.map { "<h2>Error <span class=\"badge failed\">\(result.errorKind ?? "error")</span></h2><pre class=\"error\" id=\"error\">\($0)</pre>" as HTML } ?? "")
            <h2>Program outputs</h2><pre id="outputs">\(outputs)</pre>
            \(stages.isEmpty ? "<p class=\"notice\">No stage records were kept for this example (the run was started with --keep-prompts none or failed).</p>" as HTML : stageSections)
            """
    }

    static func stage(_ stage: StageReport) -> HTML {
        let calls = HTML.joined(
            stage.calls.enumerated().map { call($0.element, number: $0.offset + 1, of: stage.calls.count) })
        return """
            <section class="stage" id="stage-\(stage.stage)"><h2>Stage \(stage.stage)</h2>
            <h3>Inputs</h3><pre>\(stage.inputs.jsonString(.pretty(indent: 2)))</pre>
            <h3>Outputs</h3><pre>\(stage.outputs.jsonString(.pretty(indent: 2)))</pre>
            \(stage.fallback.map { "<h3>Adapter fallback</h3><pre class=\"error\">\($0)</pre>" as HTML } ?? "")
            \(stage.error.map { "<h3>Stage error</h3><pre class=\"error\">\($0)</pre>" as HTML } ?? "")
            \(stage.rawReply.map { "<h3>Raw reply the error is about</h3><pre class=\"reply raw-reply\">\($0)</pre>" as HTML } ?? "")
            \(calls)</section>
            """
    }

    static func call(_ call: StageReport.Call, number: Int, of count: Int) -> HTML {
        let messages = HTML.joined(
            call.messages.map { message in
                "<div class=\"message\"><div class=\"role\">\(message.role)</div><pre>\(message.content)</pre></div>"
            })
        let replies = HTML.joined(
            call.replies.enumerated().map { index, reply in
                "\(call.replies.count > 1 ? "<div class=\"role\">choice \(index + 1)</div>" as HTML : "")<pre class=\"reply\">\(reply)</pre>"
            })
        let options = call.options.objectValue?.isEmpty == false ? call.options.jsonString() : ""
        return """
            <section class="call"><h3>Call \(number) of \(count) <span class="muted">\(call.model)\
            \(call.cached ? " · cached" : "") · \(String(format: "%.0f ms", call.latencyMs))</span></h3>
            \(options.isEmpty ? "" : "<p class=\"muted\">options <code>\(options)</code></p>" as HTML)
            \(messages)
            <h3>Response</h3>
            \(call.error.map { "<pre class=\"error\">the call failed: \($0)</pre>" as HTML } ?? "")
            \(replies)
            \(HTML.joined(call.toolCalls.map { "<pre>tool call \($0.jsonString())</pre>" as HTML }))
            </section>
            """
    }
}
