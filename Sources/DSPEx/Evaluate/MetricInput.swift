/// Where an LM-judged metric takes the value of one of its judge's input fields: a field of the
/// example or a field of the prediction.
///
/// ```swift
/// let judge = try Metric.judged(
///     by: "question, gold_answer, predicted_answer -> correct: bool",
///     inputs: [
///         "question": .example("question"),
///         "gold_answer": .example("answer"),
///         "predicted_answer": .prediction("answer"),
///     ])
/// ```
///
/// Judge inputs left out of the mapping are looked up by their own name, in the prediction first
/// and then in the example.
public struct MetricInput: Sendable, Hashable, CustomStringConvertible {
    enum Source: Sendable, Hashable {
        case example
        case prediction
    }

    let source: Source
    /// The name of the field read.
    public let field: String

    /// The example's field named `field` (an input or a label).
    public static func example(_ field: String) -> MetricInput {
        MetricInput(source: .example, field: field)
    }

    /// The prediction's output named `field`.
    public static func prediction(_ field: String) -> MetricInput {
        MetricInput(source: .prediction, field: field)
    }

    /// `example.<field>` or `prediction.<field>`.
    public var description: String {
        (source == .example ? "example." : "prediction.") + field
    }

    /// The value this input reads, or `nil` when the field is absent or null.
    func value(example: Example, prediction: Prediction) -> Value? {
        let value = source == .example ? example[field] : prediction[field]
        return value?.isNull == false ? value : nil
    }
}
