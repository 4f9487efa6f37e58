extension FeedbackMetric {
    /// An LM-judged metric that explains its verdict: ``Metric/judged(by:instructions:lm:inputs:)`` whose judge
    /// signature may have a `feedback` output, which becomes the feedback GEPA's reflection reads.
    ///
    /// ```swift
    /// let judge = try FeedbackMetric.judged(
    ///     by: "question, gold_answer, predicted_answer -> correct: bool, feedback: str",
    ///     instructions: "Is the predicted answer correct? Say what is wrong with it, if anything.",
    ///     lm: judgeLM,
    ///     inputs: ["gold_answer": .example("answer"), "predicted_answer": .prediction("answer")])
    /// ```
    ///
    /// The score is the plain judged metric's. Without a `feedback` output (or with an empty one) the feedback is
    /// DSPy's default (``defaultFeedback(score:)``); an example missing a judge input scores 0 with a feedback
    /// naming the input, and calls no judge.
    ///
    /// - Throws: what ``Metric/judged(by:instructions:lm:inputs:)`` throws.
    public static func judged(
        by signature: String, instructions: String? = nil, lm: (any LanguageModel)? = nil,
        inputs: [String: MetricInput] = [:]
    ) throws -> FeedbackMetric {
        let judge = try LMJudge(signature: signature, instructions: instructions, lm: lm, inputs: inputs)
        return FeedbackMetric(judge.name) { example, prediction, _, _, _ in
            switch try await judge.judgement(example, prediction) {
            case .missingInput(let name):
                return ScoreWithFeedback(
                    score: 0,
                    feedback: "Neither the program's outputs nor the example have '\(name)', which the judge "
                        + "needs, so the prediction was not judged.")
            case .judged(let judgement):
                return ScoreWithFeedback(score: try judge.score(judgement), feedback: judge.feedback(judgement))
            }
        }
    }
}
