/// LM-judged metrics: a ``Predict`` whose signature decides whether a prediction is right.
extension Metric {
    /// A metric decided by a language model running `signature`, DSPy's "LM as judge" metric.
    ///
    /// The judge's inputs are read from the example and the prediction as `inputs` says; an input
    /// left out of the mapping is read from the prediction's field of the same name, or else the
    /// example's. The verdict is the output named `score` when it is an `int` or `float` (clamped
    /// to 0…1), otherwise the first `bool` output (1 for true, 0 for false).
    ///
    /// ```swift
    /// let judge = try Metric.judged(
    ///     by: "question, gold_answer, predicted_answer -> correct: bool",
    ///     instructions: "Is the predicted answer correct, given the gold answer?",
    ///     lm: judgeLM,
    ///     inputs: [
    ///         "question": .example("question"),
    ///         "gold_answer": .example("answer"),
    ///         "predicted_answer": .prediction("answer"),
    ///     ])
    /// ```
    ///
    /// When an input's field is missing the example scores 0 without calling the judge. The judge's
    /// call is not recorded in the current ``Trace``. A reply
    /// the adapter cannot parse throws its ``AdapterError``, which ``Evaluate`` records as that
    /// example's error.
    ///
    /// - Parameters:
    ///   - signature: The judge's signature in DSPy's string form.
    ///   - instructions: The judge's task description; `nil` uses DSPy's default sentence.
    ///   - lm: The judge's language model; `nil` uses the one set with ``withLM(_:adapter:_:)``
    ///     when the metric runs.
    ///   - inputs: Where each judge input comes from, keyed by the judge's input field names.
    /// - Throws: ``SignatureError`` for a malformed signature; ``EvaluateError`` with code
    ///   ``EvaluateError/Code/invalidJudge`` when `inputs` names a field the signature lacks or the
    ///   signature has no usable verdict output.
    public static func judged(
        by signature: String, instructions: String? = nil, lm: (any LanguageModel)? = nil,
        inputs: [String: MetricInput] = [:]
    ) throws -> Metric {
        let judge = try LMJudge(signature: signature, instructions: instructions, lm: lm, inputs: inputs)
        return Metric(name: judge.name) { example, prediction in
            guard case .judged(let judgement) = try await judge.judgement(example, prediction) else { return 0 }
            return try judge.score(judgement)
        }
    }
}
