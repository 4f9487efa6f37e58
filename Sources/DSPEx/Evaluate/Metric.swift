/// Scores a prediction against an example: the number ``Evaluate`` averages and optimizers maximise.
///
/// Use a built-in metric for the common question-answering checks, which reproduce DSPy's
/// `answer_exact_match` and token F1 exactly (see ``normalizeText(_:)``); wrap any other rule with
/// ``custom(_:_:)``; or let a language model judge with ``judged(by:instructions:lm:inputs:)``.
/// The built-ins score from 0 to 1, and a missing prediction field or label scores 0 rather than
/// failing. A metric that throws makes that example an error in the evaluation.
///
/// ```swift
/// let example = Example(["question": "Capital of France?", "answer": ["Paris", "Paris, France"]])
///     .withInputs("question")
/// let prediction = Prediction(["answer": "The city of Paris"])
/// try await Metric.exactMatch()(example, prediction)    // 0.0
/// try await Metric.f1()(example, prediction)            // 0.5 (best over the two gold answers)
/// try await Metric.contains()(example, prediction)      // 1.0
///
/// let evaluate = Evaluate(devset: devset, metric: .exactMatch(field: "answer", label: "gold"))
/// ```
public struct Metric: Sendable {
    /// The name shown in summaries and saved with a run, such as `exact_match`.
    public var name: String
    /// Scores one prediction against its example; the built-ins return a value from 0 to 1.
    public var score: @Sendable (_ example: Example, _ prediction: Prediction) async throws -> Double
    /// Whether the score is computed from the example and prediction alone — no model, no I/O — so
    /// ``Evaluate`` scores it as each result arrives instead of on its metric workers. True for the
    /// built-ins; false for custom metrics, which may call a model, and for judged ones.
    public var isLocal: Bool

    /// Creates a metric from a name and a scoring function.
    ///
    /// - Parameters:
    ///   - name: The name shown in summaries.
    ///   - isLocal: The score needs no model and no I/O (it is computed inline, without a worker hop).
    ///   - score: Scores a prediction against its example; a thrown error marks the example failed.
    public init(
        name: String, isLocal: Bool = false, score: @escaping @Sendable (Example, Prediction) async throws -> Double
    ) {
        self.name = name
        self.isLocal = isLocal
        self.score = score
    }

    /// Scores `prediction` against `example`.
    public func callAsFunction(_ example: Example, _ prediction: Prediction) async throws -> Double {
        try await score(example, prediction)
    }

    /// A metric with your own scoring rule, DSPy's `def metric(example, pred, trace=None)`.
    ///
    /// ```swift
    /// let shortAnswer = Metric.custom("short_answer") { _, prediction in
    ///     (prediction["answer"]?.plainText.count ?? .max) <= 20 ? 1 : 0
    /// }
    /// ```
    public static func custom(
        _ name: String, _ score: @escaping @Sendable (Example, Prediction) async throws -> Double
    ) -> Metric {
        Metric(name: name, score: score)
    }
}

extension Metric {
    /// The names ``named(_:field:label:)`` accepts, without their aliases (`em` and `exact` for `exact_match`).
    public static let knownNames: [String] = ["exact_match", "f1", "contains", "numeric"]

    /// The built-in metric called `name`, for pipeline files and `dspex eval --metric`.
    ///
    /// Accepts `exact_match` (or `em`, `exact`), `f1`, `contains` and `numeric`.
    ///
    /// ```swift
    /// let metric = try Metric.named("em", field: "answer", label: "gold")   // metric.name == "exact_match"
    /// ```
    ///
    /// - Parameters:
    ///   - name: The metric's name or alias.
    ///   - field: The prediction field to score; `nil` means `answer`.
    ///   - label: The example field holding the expected value; `nil` means the same name as `field`.
    /// - Throws: ``EvaluateError`` with code ``EvaluateError/Code/unknownMetric`` listing the known names.
    public static func named(_ name: String, field: String?, label: String?) throws(EvaluateError) -> Metric {
        let field = field ?? "answer"
        switch name {
        case "exact_match", "em", "exact": return .exactMatch(field: field, label: label)
        case "f1": return .f1(field: field, label: label)
        case "contains": return .contains(field: field, label: label)
        case "numeric": return .numeric(field: field, label: label)
        default:
            throw EvaluateError(
                code: .unknownMetric,
                message: "unknown metric '\(name)'; the known metrics are "
                    + "exact_match (also em, exact), f1, contains and numeric")
        }
    }
}
