extension FeedbackMetric {
    /// ``Metric/exactMatch(field:label:)`` with a feedback naming the expected and the produced answer.
    ///
    /// The score is exactly the plain metric's. The feedback reads:
    ///
    /// - correct: `"The program answered 42, which is the expected answer."`
    /// - wrong: `"The expected answer is 42; the program answered 41."`
    /// - several acceptable answers: `"The expected answer is Paris or Paris, France; the program answered Lyon."`
    /// - no answer: `"The expected answer is 42; the program gave no answer."`
    ///
    /// Values print as the plain metric compares them (strings as they are, whole numbers without ".0").
    ///
    /// ```swift
    /// let metric = FeedbackMetric.exactMatch()
    /// try await metric(["answer": 42], Prediction(["answer": 41])).feedback
    /// // "The expected answer is 42; the program answered 41."
    /// ```
    ///
    /// - Parameters:
    ///   - field: The prediction field to score.
    ///   - label: The example field with the expected answer; `nil` means the same name as `field`.
    public static func exactMatch(field: String = "answer", label: String? = nil) -> FeedbackMetric {
        explaining(.exactMatch(field: field, label: label), field: field, label: label) {
            score, expectation, answered in
            score >= 1
                ? "The program answered \(answered), which is the expected answer."
                : "The expected answer is \(expectation); the program answered \(answered)."
        }
    }

    /// A built-in metric by name (as ``Metric/named(_:field:label:)``) with a feedback naming the expected and the
    /// produced answer: ``exactMatch(field:label:)``'s for exact match; for `f1`, `contains` and `numeric` the
    /// feedback also gives the score when it is partial.
    ///
    /// - wrong or partial: `"The expected answer is blue whale; the program answered whale shark, which scores 0.5
    ///   (f1)."`
    /// - full score: `"The program answered 42, which matches the expected answer 42 (numeric)."`
    ///
    /// - Throws: ``EvaluateError`` with code ``EvaluateError/Code/unknownMetric`` for a name it does not know.
    public static func named(_ name: String, field: String?, label: String?) throws(EvaluateError) -> FeedbackMetric {
        let plain = try Metric.named(name, field: field, label: label)
        let field = field ?? "answer"
        if plain.name == "exact_match" { return .exactMatch(field: field, label: label) }
        return explaining(plain, field: field, label: label) { score, expectation, answered in
            score >= 1
                ? "The program answered \(answered), which matches the expected answer \(expectation) (\(name))."
                : "The expected answer is \(expectation); the program answered \(answered), which scores "
                    + "\(Value.double(score).pythonRepr) (\(name))."
        }
    }

    /// `plain` with a feedback from `explain(score, expected answers, produced answer)`; a prediction without the
    /// field gets "The expected answer is …; the program gave no answer." Expected answers print as the metric
    /// compares them, several joined with "or", none as "(none)".
    private static func explaining(
        _ plain: Metric, field: String, label: String?,
        _ explain: @escaping @Sendable (_ score: Double, _ expectation: String, _ answered: String) -> String
    ) -> FeedbackMetric {
        FeedbackMetric(plain.name, isLocal: plain.isLocal) { example, prediction, _, _, _ in
            let score = try await plain.score(example, prediction)
            let expected = example[label ?? field].flatMap(Metric.answerTexts) ?? []
            let expectation = expected.isEmpty ? "(none)" : expected.joined(separator: " or ")
            guard let answered = prediction[field].flatMap(Metric.answerText) else {
                return ScoreWithFeedback(
                    score: score, feedback: "The expected answer is \(expectation); the program gave no answer.")
            }
            return ScoreWithFeedback(score: score, feedback: explain(score, expectation, answered))
        }
    }
}
