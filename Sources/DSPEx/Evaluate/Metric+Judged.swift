import OrderedCollections

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
        let judge = try Predict(signature, instructions: instructions, lm: lm)
        let parsed = judge.signature
        if let unknown = inputs.keys.sorted().first(where: { !parsed.inputNames.contains($0) }) {
            throw EvaluateError(
                code: .invalidJudge,
                message: "judge input '\(unknown)' is not an input of '\(parsed.shortDescription)'; its inputs are "
                    + parsed.inputNames.joined(separator: ", "))
        }
        let verdict = try Verdict(parsed)
        let sources = parsed.inputs.map { field in (field: field, source: inputs[field.name]) }
        return Metric(name: "judged(\(parsed.shortDescription))") { example, prediction in
            var values = OrderedDictionary<String, Value>()
            for (field, source) in sources {
                let value: Value?
                if let source {
                    value = source.value(example: example, prediction: prediction)
                } else {
                    value =
                        MetricInput.prediction(field.name).value(example: example, prediction: prediction)
                        ?? MetricInput.example(field.name).value(example: example, prediction: prediction)
                }
                if let value {
                    values[field.name] = value
                } else if !field.type.isOptional {
                    return 0
                }
            }
            // The judge's call stays out of the program's trace, which optimizers turn into demos.
            let judgement = try await Trace.$current.withValue(nil) { try await judge.forward(values) }
            return try verdict.score(judgement)
        }
    }
}

/// The judge output that carries the verdict, and how it becomes a score.
private struct Verdict: Sendable {
    let field: String
    let isBool: Bool

    init(_ signature: Signature) throws(EvaluateError) {
        if let score = signature.outputs.first(where: { $0.name == "score" }),
            [.int, .double].contains(score.type.unwrapped)
        {
            field = score.name
            isBool = false
        } else if let bool = signature.outputs.first(where: { $0.type.unwrapped == .bool }) {
            field = bool.name
            isBool = true
        } else {
            throw EvaluateError(
                code: .invalidJudge,
                message: "judge signature '\(signature)' has no bool output and no int or float output named 'score'")
        }
    }

    func score(_ prediction: Prediction) throws(EvaluateError) -> Double {
        let value = prediction[field] ?? .null
        if isBool, let bool = value.boolValue { return bool ? 1 : 0 }
        if !isBool, let number = value.doubleValue, !number.isNaN { return min(1, max(0, number)) }
        throw EvaluateError(
            code: .unreadableVerdict, message: "the judge's '\(field)' was \(value.plainText), not a verdict")
    }
}
