import Foundation
import OrderedCollections

extension RewardSpec {
    /// The reward as ``BestOfN`` and ``Refine`` call it, for `stage`'s attempts: 1.0 or 0.0 for the built-in
    /// checks, the judge's score clamped to 0…1 for `judge`. An attempt without the field, or with `null` in it,
    /// scores 0 (the judge is not called).
    ///
    /// The judge is a ``Predict`` whose signature is the stage's inputs and the scored field, with the output
    /// ``scoreField`` and ``instructions``; it runs with the stage's model, adapter and options, outside any trace
    /// (optimizers never see it), without Refine's hints and without the attempt's rollout id, so the same
    /// answer to the same inputs gets the same score, from the cache when there is one.
    ///
    /// ```swift
    /// let reward = RewardSpec(kind: .oneWord, field: "answer", location: location).makeReward(
    ///     for: stage, lm: nil, adapter: nil, options: LMOptions())
    /// try await reward(["question": "Capital of Belgium?"], Prediction(["answer": "Brussels"]))   // 1.0
    /// ```
    ///
    /// - Parameters:
    ///   - stage: The stage whose attempts are scored; a judge reads its inputs.
    ///   - lm: The judge's model; `nil` uses the one set with ``withLM(_:adapter:_:)``.
    ///   - adapter: The judge's adapter; `nil` uses the task's default or ``ChatAdapter``.
    ///   - options: The judge's options (the run's temperature and max tokens).
    public func makeReward(
        for stage: StageSpec, lm: (any LanguageModel)?, adapter: (any Adapter)?, options: LMOptions
    ) -> BestOfN.Reward {
        let field = self.field
        let check: @Sendable (String) -> Bool
        switch kind {
        case .fieldMatches:
            let pattern = self.pattern ?? ""
            // Regex is not Sendable: compiled per call (the decoder checked that it compiles).
            check = { text in (try? Regex(pattern)).map { text.contains($0) } ?? false }
        case .oneWord:
            check = { text in
                let word = text.trimmingCharacters(in: .whitespacesAndNewlines)
                return !word.isEmpty && !word.contains(where: \.isWhitespace)
            }
        case .maxLength:
            let chars = self.chars ?? 0
            check = { text in text.count <= chars }
        case .judge:
            return judge(for: stage, lm: lm, adapter: adapter, options: options)
        }
        return { _, prediction in
            guard let value = prediction[field], !value.isNull else { return 0 }
            return check(value.plainText) ? 1 : 0
        }
    }

    private func judge(
        for stage: StageSpec, lm: (any LanguageModel)?, adapter: (any Adapter)?, options: LMOptions
    ) -> BestOfN.Reward {
        let scored = stage.outputs.first { $0.name == field } ?? Field(name: field)
        let signature = Signature(
            inputs: stage.signature.inputs + [scored], outputs: [Self.scoreField], instructions: instructions)
        var judge = Predict<DynamicSignature>(signature, lm: lm, adapter: adapter, options: options)
        judge.name = "\(stage.id).reward"
        let inputNames = stage.signature.inputNames
        return { [judge] inputs, prediction in
            guard let value = prediction[scored.name], !value.isNull else { return 0 }
            var values = OrderedDictionary<String, Value>()
            for name in inputNames { values[name] = inputs[name] }
            values[scored.name] = value
            let verdict = try await Trace.$current.withValue(nil) {
                try await LMContext.$rolloutID.withValue(nil) {
                    try await LMContext.$hints.withValue(nil) { try await judge.forward(values) }
                }
            }
            guard let score = verdict[Self.scoreField.name]?.doubleValue, !score.isNaN else { return 0 }
            return min(1, max(0, score))
        }
    }
}
