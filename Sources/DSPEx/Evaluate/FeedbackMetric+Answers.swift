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
        let plain = Metric.exactMatch(field: field, label: label)
        return FeedbackMetric(plain.name, isLocal: true) { example, prediction, _, _, _ in
            let score = try await plain.score(example, prediction)
            let expected = example[label ?? field].flatMap(Metric.answerTexts) ?? []
            let answered = prediction[field].flatMap(Metric.answerText)
            let expectation = expected.isEmpty ? "(none)" : expected.joined(separator: " or ")
            let feedback: String
            if score >= 1, let answered {
                feedback = "The program answered \(answered), which is the expected answer."
            } else if let answered {
                feedback = "The expected answer is \(expectation); the program answered \(answered)."
            } else {
                feedback = "The expected answer is \(expectation); the program gave no answer."
            }
            return ScoreWithFeedback(score: score, feedback: feedback)
        }
    }
}
