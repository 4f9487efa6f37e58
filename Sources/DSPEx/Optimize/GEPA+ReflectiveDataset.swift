import OrderedCollections

extension GEPA {
    /// DSPy's `DspyAdapter.make_reflective_dataset` for one predictor: per minibatch example, one of that
    /// predictor's calls (drawn with the adapter's generator when it ran more than once) as a record
    /// `{"Inputs": {...}, "Generated Outputs": {...}, "Feedback": "..."}`, the feedback from the metric called
    /// with the predictor's name and that call as its trace.
    ///
    /// Examples that failed are left out, as DSPy leaves out failed predictions unless
    /// `add_format_failure_as_feedback` is set. Under ``ReflectionPrompt/gepa`` the values are Python `str`s (the
    /// form DSPy hands a custom proposer); under ``ReflectionPrompt/dspy`` they stay structured. A metric that is not
    /// local is asked through the journal (`<key>/<example position>`), so a resumed run does not ask it again.
    func reflectiveRecords(
        predictor name: String, candidate: Graph, minibatch: [Example], results: [StepResult], key: String,
        random: inout SeededGenerator, context: OptimizationContext
    ) async throws -> [Value] {
        let signatures = Dictionary(
            candidate.namedPredictors.map { ($0.name, $0.state.signature) }, uniquingKeysWith: { first, _ in first })
        guard let signature = signatures[name] else { return [] }
        var records: [Value] = []
        for (position, result) in results.enumerated() where result.error == nil && position < minibatch.count {
            let calls = result.trace.filter { $0.predictor == name }
            guard !calls.isEmpty else { continue }
            let selected = calls[random.next(below: calls.count)]
            let trace = result.trace.map { call in
                TraceEntry(
                    predictor: call.predictor, signature: signatures[call.predictor] ?? signature, inputs: call.inputs,
                    outputs: call.outputs)
            }
            let entry = TraceEntry(
                predictor: name, signature: signature, inputs: selected.inputs, outputs: selected.outputs)
            let example = minibatch[position]
            let prediction = Prediction(result.outputs)
            let metric = self.metric
            let ask: () async throws -> Value = {
                let outcome = try await metric(
                    example, prediction, trace: trace, predictorName: name, predictorTrace: [entry])
                return .string(outcome.feedback ?? FeedbackMetric.defaultFeedback(score: outcome.score))
            }
            let feedback = try await (metric.isLocal ? ask() : context.journal.memo("\(key)/\(position)", ask))
            let structured = reflectionPrompt == .dspy
            func shown(_ values: OrderedDictionary<String, Value>) -> Value {
                .object(structured ? values : values.mapValues { .string(Self.pythonString($0)) })
            }
            records.append([
                "Inputs": shown(selected.inputs), "Generated Outputs": shown(selected.outputs),
                "Feedback": .string(feedback.stringValue ?? ""),
            ])
        }
        return records
    }
}
