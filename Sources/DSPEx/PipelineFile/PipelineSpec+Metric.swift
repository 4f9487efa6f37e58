extension PipelineSpec {
    /// The metric a run of this pipeline scores with — the file's `metric` section unless `name` or `field`
    /// override it — the same for `eval` and `compile`, LM-judged metrics included.
    ///
    /// - Parameters:
    ///   - lm: The judge's model for an LM-judged metric (the run's model); `nil` uses the one set with
    ///     ``withLM(_:adapter:_:)`` when the metric runs.
    ///   - name: A metric name that overrides the file's (`exact_match`, `f1`, …).
    ///   - field: The output field compared, overriding the file's.
    /// - Throws: ``EvaluateError`` for an unknown metric name or an invalid judge.
    public func makeMetric(lm: (any LanguageModel)?, name: String? = nil, field: String? = nil) throws -> Metric {
        if let judge = judgedMetric(name: name) {
            return try Metric.judged(
                by: judge.signature ?? "", instructions: judge.instructions, lm: lm, inputs: judgeInputs(judge))
        }
        let resolved = metricNameAndField(name: name, field: field)
        return try Metric.named(resolved.name, field: resolved.field, label: field == nil ? metric?.label : nil)
    }

    /// The metric of ``makeMetric(lm:name:field:)`` with a textual feedback for reflective optimizers (GEPA): the
    /// built-in metrics name the expected and the produced answer (``FeedbackMetric/named(_:field:label:)``); an
    /// LM-judged metric gives its judge's `feedback` output when its signature has one
    /// (``FeedbackMetric/judged(by:instructions:lm:inputs:)``), else DSPy's default, `"This trajectory got a score
    /// of {score}."`.
    public func makeFeedbackMetric(lm: (any LanguageModel)?, name: String? = nil, field: String? = nil) throws
        -> FeedbackMetric
    {
        if let judge = judgedMetric(name: name) {
            return try FeedbackMetric.judged(
                by: judge.signature ?? "", instructions: judge.instructions, lm: lm, inputs: judgeInputs(judge))
        }
        let resolved = metricNameAndField(name: name, field: field)
        return try FeedbackMetric.named(resolved.name, field: resolved.field, label: field == nil ? metric?.label : nil)
    }

    /// What identifies the metric of ``makeMetric(lm:name:field:)`` in a run's config, so that a resume with
    /// another metric is refused.
    public func metricDescription(name: String? = nil, field: String? = nil) -> Value {
        if let judge = judgedMetric(name: name) {
            return ["name": .string(judge.name), "signature": .string(judge.signature ?? "")]
        }
        let resolved = metricNameAndField(name: name, field: field)
        let label = field == nil ? metric?.label : nil
        return [
            "name": .string(resolved.name), "field": .string(resolved.field), "label": label.map(Value.string) ?? .null,
        ]
    }

    /// The file's judged metric, unless `name` chooses another metric.
    private func judgedMetric(name: String?) -> MetricSpec? {
        guard let metric, metric.isJudged, name == nil || name == metric.name else { return nil }
        return metric
    }

    /// The judge's input mapping, `example.<field>` and `prediction.<field>` as ``MetricInput``s.
    private func judgeInputs(_ judge: MetricSpec) -> [String: MetricInput] {
        var inputs: [String: MetricInput] = [:]
        for (input, source) in judge.inputs {
            let parts = source.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            inputs[input] = parts[0] == "example" ? .example(parts[1]) : .prediction(parts[1])
        }
        return inputs
    }

    private func metricNameAndField(name: String?, field: String?) -> (name: String, field: String) {
        (name ?? metric?.name ?? "exact_match", field ?? metric?.field ?? outputs.first?.name ?? "answer")
    }
}
