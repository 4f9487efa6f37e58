import Foundation
import OrderedCollections

/// A language model judging a prediction: a ``Predict`` of a judge signature whose inputs come from the example and
/// the prediction, and whose verdict output becomes a score — what ``Metric/judged(by:instructions:lm:inputs:)``
/// and ``FeedbackMetric/judged(by:instructions:lm:inputs:)`` run.
///
/// The verdict is the output named `score` when it is an `int` or `float` (clamped to 0…1), otherwise the first
/// `bool` output (1 for true, 0 for false). A `feedback` output, when the signature has one, is the judge's
/// explanation.
struct LMJudge: Sendable {
    /// The judge's predictor.
    let predict: Predict<DynamicSignature>
    /// Each judge input with where it comes from (`nil`: the prediction's field of that name, else the example's).
    let sources: [(field: Field, source: MetricInput?)]
    /// The output carrying the verdict.
    let verdictField: String
    /// Whether the verdict is a `bool` (else a number).
    let verdictIsBool: Bool

    /// The name metrics built on the judge carry: `judged(<signature>)`.
    var name: String { "judged(\(predict.signature.shortDescription))" }

    init(
        signature: String, instructions: String?, lm: (any LanguageModel)?, inputs: [String: MetricInput]
    ) throws {
        let judge = try Predict(signature, instructions: instructions, lm: lm)
        let parsed = judge.signature
        if let unknown = inputs.keys.sorted().first(where: { !parsed.inputNames.contains($0) }) {
            throw EvaluateError(
                code: .invalidJudge,
                message: "judge input '\(unknown)' is not an input of '\(parsed.shortDescription)'; its inputs are "
                    + parsed.inputNames.joined(separator: ", "))
        }
        if let score = parsed.outputs.first(where: { $0.name == "score" }),
            [.int, .double].contains(score.type.unwrapped)
        {
            verdictField = score.name
            verdictIsBool = false
        } else if let bool = parsed.outputs.first(where: { $0.type.unwrapped == .bool }) {
            verdictField = bool.name
            verdictIsBool = true
        } else {
            throw EvaluateError(
                code: .invalidJudge,
                message: "judge signature '\(parsed)' has no bool output and no int or float output named 'score'")
        }
        self.predict = judge
        self.sources = parsed.inputs.map { field in (field: field, source: inputs[field.name]) }
    }

    /// What a judge call gives: the judge's prediction, or the name of a required input whose field the example
    /// and the prediction both lack (then no call is made).
    enum Judgement: Sendable {
        case judged(Prediction)
        case missingInput(String)
    }

    /// Asks the judge about `prediction`. The call stays out of the program's trace, which optimizers turn into
    /// demos.
    func judgement(_ example: Example, _ prediction: Prediction) async throws -> Judgement {
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
                return .missingInput(field.name)
            }
        }
        let predict = self.predict
        return .judged(try await Trace.$current.withValue(nil) { try await predict.forward(values) })
    }

    /// The verdict of a judgement as a score.
    ///
    /// - Throws: ``EvaluateError`` with code ``EvaluateError/Code/unreadableVerdict`` when the verdict output holds
    ///   no verdict.
    func score(_ judgement: Prediction) throws(EvaluateError) -> Double {
        let value = judgement[verdictField] ?? .null
        if verdictIsBool, let bool = value.boolValue { return bool ? 1 : 0 }
        if !verdictIsBool, let number = value.doubleValue, !number.isNaN { return min(1, max(0, number)) }
        throw EvaluateError(
            code: .unreadableVerdict, message: "the judge's '\(verdictField)' was \(value.plainText), not a verdict")
    }

    /// The judge's `feedback` output as text, `nil` when the signature has none or it is empty.
    func feedback(_ judgement: Prediction) -> String? {
        guard let text = judgement["feedback"]?.plainText.trimmingCharacters(in: .whitespacesAndNewlines),
            !text.isEmpty
        else { return nil }
        return text
    }
}
