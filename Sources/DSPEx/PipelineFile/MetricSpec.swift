/// The metric a pipeline file names for `dspex eval` and `dspex compile`.
///
/// Written either as a name (`metric: exact_match`) or as a mapping with the output field to
/// score and the dataset field holding the label:
///
/// ```yaml
/// metric:
///   name: exact_match
///   field: answer        # the pipeline output to score
///   label: gold_answer   # the dataset field to compare with; defaults to `field`
/// ```
///
/// An LM-judged metric names a judge signature and, optionally, where each judge input comes from
/// (`example.<field>` or `prediction.<field>`; unmapped inputs are looked up by name, prediction first):
///
/// ```yaml
/// metric:
///   name: judge
///   signature: "question, gold_answer, predicted_answer -> correct: bool"
///   inputs: {gold_answer: example.answer, predicted_answer: prediction.answer}
/// ```
///
/// The name is any identifier here; the evaluator checks that it knows it.
public struct MetricSpec: Sendable, Hashable {
    /// The metric's name, such as `exact_match`, `f1`, `contains` or `numeric`.
    public var name: String
    /// The pipeline output to score, or `nil` to let the evaluator choose.
    public var field: String?
    /// The dataset field with the expected value, as written; `nil` when not given.
    public var label: String?
    /// The place of the metric in the file.
    public var location: SourceLocation
    /// The place of the `field` value, if one is given.
    public var fieldLocation: SourceLocation?
    /// The judge's signature, for an LM-judged metric.
    public var signature: String?
    /// The judge's instructions.
    public var instructions: String?
    /// Where each judge input comes from: `example.<field>` or `prediction.<field>`.
    public var inputs: [String: String] = [:]

    /// Whether this is an LM-judged metric.
    public var isJudged: Bool { signature != nil }

    /// Creates a metric.
    public init(
        name: String, field: String? = nil, label: String? = nil, location: SourceLocation,
        fieldLocation: SourceLocation? = nil
    ) {
        self.name = name
        self.field = field
        self.label = label
        self.location = location
        self.fieldLocation = fieldLocation
    }

    /// The dataset field to compare with: ``label``, or ``field`` when no label is given.
    public var effectiveLabel: String? { label ?? field }
}
