import OrderedCollections

/// DSPy's `dspy.majority`: the completion whose `field` is the most common after normalisation (DSPy's
/// `normalize_text`, as ``Metric/exactMatch(field:label:)`` uses), the first such completion in order.
///
/// As in DSPy 3.4.1 (`dspy/predict/aggregation.py`): the field defaults to the completions' last field; values that
/// normalise to nothing are left out of the vote unless every value does; ties go to the value counted first.
///
/// ```swift
/// let samples = try await Predict("question -> answer", options: LMOptions(n: 5))(["question": "2 + 2?"])
/// majority(samples)["answer"]   // the most frequent answer
/// ```
///
/// - Parameters:
///   - prediction: A prediction with several completions (e.g. from `n > 1`).
///   - field: The field voted on; `nil` is the last field of the first completion.
///   - normalize: How values are compared; `nil` normalises nothing. By default DSPy's `normalize_text`, an empty
///     result being no vote.
public func majority(
    _ prediction: Prediction, field: String? = nil,
    normalize: (@Sendable (String) -> String?)? = { Metric.normalizeText($0).isEmpty ? nil : Metric.normalizeText($0) }
) -> Prediction {
    let completions = prediction.completions
    guard let first = completions.first, let field = field ?? first.keys.last else { return prediction }
    let key: (OrderedDictionary<String, Value>) -> String? = { completion in
        let text = completion[field]?.plainText ?? ""
        return normalize.map { $0(text) } ?? text
    }
    let values = completions.map(key)
    let voting = values.contains { $0 != nil } ? values.filter { $0 != nil } : values
    var counts: OrderedDictionary<String?, Int> = [:]
    for value in voting { counts[value, default: 0] += 1 }
    // The first value counted among the most frequent, as Python's max over a dict does.
    let most = counts.values.max() ?? 0
    let winner = counts.first { $0.value == most }?.key ?? nil
    let chosen = completions.first { key($0) == winner } ?? first
    return Prediction(chosen, completions: [chosen], usage: prediction.usage)
}
