import OrderedCollections

/// What every stage of a graph is built with.
struct StageParts {
    /// The model of every stage, or `nil` for the task's.
    var lm: (any LanguageModel)?
    /// The file's adapter.
    var adapter: any Adapter
    /// The run's options.
    var options: LMOptions
    /// The connected tools, if any.
    var tools: PipelineTools?
}

extension PipelineSpec {
    /// The stage `spec` declares, its predictors named after it:
    /// - `predict`: `<id>`; `chain_of_thought`: `<id>`; `react`: `<id>.react` and `<id>.extract.predict` —
    ///   ``Stage``'s initializers' names;
    /// - `best_of_n`, `refine` and `knn_few_shot`: the names of their inner module's stage, so a program saved from
    ///   a stage of the inner kind loads into them and back;
    /// - `multi_chain_comparison`: `<id>.attempt.predict` (the sampled chain of thought) and `<id>.compare.predict`.
    func makeStage(
        for spec: StageSpec, inputs: OrderedDictionary<String, SourceReference>, concurrency: Int, parts: StageParts
    ) throws(PipelineFileError) -> Stage {
        let module: any Module
        switch spec.module {
        case .bestOfN, .refine:
            guard let sampling = spec.sampling else { preconditionFailure("the decoder sets a sampling stage's spec") }
            let inner = try baseStage(spec.innermost, for: spec, inputs: inputs, parts: parts).module
            let reward = sampling.reward.makeReward(
                for: spec, lm: parts.lm, adapter: parts.adapter, options: parts.options)
            if spec.module == .refine {
                module = Refine(
                    inner, n: sampling.n, threshold: sampling.threshold, failCount: sampling.failCount,
                    rewardDescription: sampling.effectiveRewardDescription, lm: parts.lm, adapter: parts.adapter,
                    reward: reward)
            } else {
                module = BestOfN(
                    inner, n: sampling.n, threshold: sampling.threshold, failCount: sampling.failCount, reward: reward)
            }
        case .multiChainComparison:
            let comparison = spec.comparison ?? ComparisonSpec()
            do {
                var compared = try SampledMultiChainComparison(
                    spec.signature, M: comparison.m, temperature: comparison.temperature, lm: parts.lm,
                    adapter: parts.adapter, options: parts.options, demos: spec.demos)
                compared.attempt.predict.name = "\(spec.id).attempt.predict"
                compared.compare.predict.name = "\(spec.id).compare.predict"
                module = compared
            } catch {
                throw PipelineFileError(
                    code: .invalidSignature, message: error.message, location: spec.signatureLocation)
            }
        case .knnFewShot:
            guard let knn = spec.knn else { preconditionFailure("the decoder sets a knn_few_shot stage's spec") }
            let inner = try baseStage(spec.innermost, for: spec, inputs: inputs, parts: parts).module
            let embedder = LMServerEmbedder(
                knn.embedder, lm: parts.lm,
                defaultKeyVariable: lm?.apiKeyEnvironmentVariable ?? LMSettings.Defaults.apiKeyEnvironmentVariable)
            var optimizer = KNNFewShot(k: knn.k, trainset: try trainset(of: spec), embedder: embedder)
            if let count = knn.maxBootstrappedDemos { optimizer.bootstrap.maxBootstrappedDemos = count }
            if let count = knn.maxLabeledDemos { optimizer.bootstrap.maxLabeledDemos = count }
            do {
                module = try optimizer.compile(inner)
            } catch {
                throw PipelineFileError(code: .invalidValue, message: "\(error)", location: spec.location)
            }
        default:
            var stage = try baseStage(spec.module, for: spec, inputs: inputs, parts: parts)
            stage.concurrency = concurrency
            return stage
        }
        return Stage(
            spec.id, module: module,
            signature: Signature(
                inputs: spec.signature.inputs, outputs: spec.outputs, instructions: spec.signature.instructions),
            inputs: inputs, concurrency: concurrency)
    }

    /// A `predict`, `chain_of_thought` or `react` stage for `spec`, with the stage's demos.
    private func baseStage(
        _ kind: ModuleKind, for spec: StageSpec, inputs: OrderedDictionary<String, SourceReference>,
        parts: StageParts
    ) throws(PipelineFileError) -> Stage {
        let (lm, adapter, options) = (parts.lm, parts.adapter, parts.options)
        switch kind {
        case .react:
            let stageTools: [any Tool]
            if let connected = parts.tools?.byStage[spec.id] {
                stageTools = connected
            } else {
                stageTools = try builtinTools(of: spec)
            }
            do {
                var module = try ReAct(
                    spec.signature, tools: stageTools, maxIters: spec.maxIters ?? 20, lm: lm, adapter: adapter,
                    options: options)
                module.react.demos = spec.demos.filter { $0.values["next_tool_name"] != nil }
                module.extract.predict.demos = spec.demos.filter { $0.values["next_tool_name"] == nil }
                return Stage(spec.id, module, inputs: inputs)
            } catch {
                throw PipelineFileError(
                    code: .invalidValue, message: "bad tool '\(error.tool)': \(error.message)", location: spec.location)
            }
        case .chainOfThought:
            let module = ChainOfThought(spec.signature, lm: lm, adapter: adapter, options: options, demos: spec.demos)
            return Stage(spec.id, module, inputs: inputs)
        default:
            let module = Predict(spec.signature, lm: lm, adapter: adapter, options: options, demos: spec.demos)
            return Stage(spec.id, module, inputs: inputs)
        }
    }
}
