/// A score and a text saying why — what a ``FeedbackMetric`` returns, DSPy's `dspy.Prediction(score=, feedback=)`.
///
/// GEPA shows the feedback to its reflection model next to the predictor's inputs and outputs; a `nil` feedback is
/// replaced by ``FeedbackMetric/defaultFeedback(score:)``.
///
/// ```swift
/// let graded = ScoreWithFeedback(score: 0, feedback: "The expected answer is 42; the program answered 41.")
/// ```
public struct ScoreWithFeedback: Sendable, Hashable {
    /// The score, as a ``Metric`` would return it (0 to 1 for the built-ins).
    public var score: Double
    /// Why the prediction earned the score, or `nil` for the default text.
    public var feedback: String?

    /// Creates a graded outcome.
    public init(score: Double, feedback: String? = nil) {
        self.score = score
        self.feedback = feedback
    }
}

/// A metric that explains its score — the metric GEPA optimizes with, DSPy's `GEPAFeedbackMetric`.
///
/// It is called as DSPy calls a GEPA metric, `(gold, pred, trace, pred_name, pred_trace)`: with the example, the
/// program's prediction, the program's trace (the predictor calls of this example, when the caller has them), the
/// name of the predictor GEPA is asking feedback for, and that predictor's trace entries. When scoring a whole
/// program the last two are `nil`; a metric without per-predictor feedback may ignore them and explain the
/// program's outcome.
///
/// Lift a plain ``Metric`` with ``init(_:)`` (its feedback is DSPy's default, "This trajectory got a score of
/// 1.0."), or use ``exactMatch(field:label:)``, whose feedback names the expected and the produced answer.
///
/// ```swift
/// let metric = FeedbackMetric("answer_with_hint") { example, prediction, _, _, _ in
///     let expected = example["answer"]?.plainText ?? ""
///     let answered = prediction["answer"]?.plainText ?? ""
///     return expected == answered
///         ? ScoreWithFeedback(score: 1, feedback: "Correct.")
///         : ScoreWithFeedback(score: 0, feedback: "Expected \(expected); add the two numbers digit by digit.")
/// }
/// let optimizer = GEPA(metric: metric, reflectionLM: strongModel, auto: .light)
/// ```
public struct FeedbackMetric: Sendable {
    /// The scoring function: example, prediction, program trace, predictor name, predictor trace.
    public typealias Function =
        @Sendable (
            _ gold: Example, _ prediction: Prediction, _ trace: [TraceEntry]?, _ predictorName: String?,
            _ predictorTrace: [TraceEntry]?
        ) async throws -> ScoreWithFeedback

    /// The name shown in summaries, such as `exact_match`.
    public var name: String
    /// Whether the metric needs no model and no I/O (see ``Metric/isLocal``): callers may then skip recording its
    /// answers, since asking again gives the same one.
    public var isLocal: Bool
    /// Scores and explains one prediction.
    public var function: Function

    /// Creates a feedback metric from a name and a function.
    ///
    /// - Parameters:
    ///   - name: The name shown in summaries.
    ///   - isLocal: The function needs no model and no I/O.
    ///   - function: Scores and explains a prediction; a thrown error marks the example failed.
    public init(_ name: String, isLocal: Bool = false, _ function: @escaping Function) {
        self.name = name
        self.isLocal = isLocal
        self.function = function
    }

    /// Lifts a plain metric: its score, with DSPy's default feedback (``defaultFeedback(score:)``).
    ///
    /// ```swift
    /// let lifted = FeedbackMetric(.f1())
    /// try await lifted(example, prediction).feedback   // "This trajectory got a score of 0.5."
    /// ```
    public init(_ metric: Metric) {
        self.init(metric.name, isLocal: metric.isLocal) { example, prediction, _, _, _ in
            ScoreWithFeedback(score: try await metric.score(example, prediction))
        }
    }

    /// Scores and explains `prediction`; a `nil` feedback from the function is replaced by
    /// ``defaultFeedback(score:)``, so the result always carries a text.
    ///
    /// - Parameters:
    ///   - example: The gold example.
    ///   - prediction: The program's prediction.
    ///   - trace: The program's predictor calls for this example, if known.
    ///   - predictorName: The predictor feedback is asked for, or `nil` for the whole program.
    ///   - predictorTrace: That predictor's calls, if known.
    public func callAsFunction(
        _ example: Example, _ prediction: Prediction, trace: [TraceEntry]? = nil, predictorName: String? = nil,
        predictorTrace: [TraceEntry]? = nil
    ) async throws -> ScoreWithFeedback {
        var outcome = try await function(example, prediction, trace, predictorName, predictorTrace)
        if outcome.feedback == nil { outcome.feedback = Self.defaultFeedback(score: outcome.score) }
        return outcome
    }

    /// The score alone, as a plain ``Metric`` (called without a trace or a predictor name): what evaluations
    /// average.
    public var metric: Metric {
        let function = self.function
        return Metric(name: name, isLocal: isLocal) { example, prediction in
            try await function(example, prediction, nil, nil, nil).score
        }
    }

    /// DSPy's feedback when a metric gives none: `"This trajectory got a score of {score}."`, the score printed
    /// as Python prints a float (`1.0`, `0.5`, `0.3333333333333333`).
    public static func defaultFeedback(score: Double) -> String {
        "This trajectory got a score of \(Value.double(score).pythonRepr)."
    }
}
