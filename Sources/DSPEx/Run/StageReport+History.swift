extension StageReport {
    /// Stored calls as text, like DSPy's `inspect_history`: for each call, its example and stage, every message by
    /// role, then the response (each choice's raw text), and the fallback and error when there were any.
    ///
    /// ```swift
    /// print(StageReport.history(try report.lastStages(examples: 1, in: store), lastCalls: 1))
    /// ```
    ///
    /// - Parameters:
    ///   - stages: The stages to show, in order.
    ///   - lastCalls: Show only the last this many calls; `nil` shows all.
    ///   - colored: Colour headings and replies with ANSI escapes (for a terminal), as DSPy does.
    public static func history(_ stages: [StageReport], lastCalls: Int? = nil, colored: Bool = false) -> String {
        func paint(_ text: String, _ code: String) -> String { colored ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        var calls: [(StageReport, Int)] = []
        for stage in stages {
            for index in stage.calls.indices { calls.append((stage, index)) }
        }
        if let lastCalls { calls = Array(calls.suffix(max(0, lastCalls))) }
        var text = ""
        for (stage, index) in calls {
            let call = stage.calls[index]
            let heading =
                "=== example \(stage.exampleID) · stage \(stage.stage) · call \(index + 1) of \(stage.calls.count)"
                + " · \(call.model)\(call.cached ? " (cached)" : "") ==="
            text += "\n" + paint(heading, "34") + "\n"
            for message in call.messages {
                text += "\n" + paint("\(message.role.capitalized) message:", "1") + "\n\n\(message.content)\n"
            }
            text += "\n" + paint("Response:", "1") + "\n\n"
            if let error = call.error { text += paint("(the call failed: \(error))", "31") + "\n" }
            for (number, reply) in call.replies.enumerated() {
                if call.replies.count > 1 { text += "(choice \(number + 1))\n" }
                text += paint(reply, "32") + "\n"
            }
            for toolCall in call.toolCalls { text += "tool call: \(toolCall.jsonString())\n" }
            guard index == stage.calls.count - 1 else { continue }
            if let fallback = stage.fallback { text += "\n" + paint("Adapter fallback: \(fallback)", "33") + "\n" }
            if let error = stage.error { text += "\n" + paint("Stage error: \(error)", "31") + "\n" }
        }
        return text
    }
}
