import OrderedCollections

extension PipelineSpec {
    /// Builds the runnable graph: one module per stage, of the stage's kind, with the file's adapter, instructions
    /// and demos; the predictors are named as ``Stage``'s initializers name them (see the format's article). The
    /// file was validated when it was loaded (by the same type rule as the engine's, ``FieldType/canFeed(_:)``), so
    /// the graph is only put in order, not checked again.
    ///
    /// - Parameters:
    ///   - lm: The model every stage uses; `nil` leaves it to ``withLM(_:adapter:_:)`` (build once, run with any
    ///     model).
    ///   - concurrency: Overrides every stage's concurrency (the CLI's `--concurrency`).
    ///   - options: The LM options every stage's requests carry — ``LMSettings/options`` of the run, so flags win
    ///     over the file; by default the file's `lm` section.
    ///   - tools: The `react` stages' tools from ``connectTools()``; needed when a stage uses MCP tools, built here
    ///     otherwise.
    /// - Throws: ``PipelineFileError`` located at the stage or output at fault, or at the `trainset` of a
    ///   `knn_few_shot` stage whose rows cannot be read.
    public func makeGraph(
        lm: (any LanguageModel)?, concurrency: Int? = nil, options: LMOptions? = nil, tools: PipelineTools? = nil
    ) throws(PipelineFileError) -> Graph {
        if let concurrency, concurrency < 1 {
            throw PipelineFileError(
                code: .invalidValue, message: "concurrency must be at least 1, got \(concurrency)", location: location)
        }
        let adapter: any Adapter = adapter == .json ? JSONAdapter() : ChatAdapter()
        let options = options ?? LMOptions(temperature: self.lm?.temperature, maxTokens: self.lm?.maxTokens)
        let parts = StageParts(lm: lm, adapter: adapter, options: options, tools: tools)
        var stages: [Stage] = []
        for spec in self.stages {
            var inputs = OrderedDictionary<String, SourceReference>()
            for binding in spec.inputs { inputs[binding.field] = binding.source }
            stages.append(
                try makeStage(
                    for: spec, inputs: inputs, concurrency: concurrency ?? spec.effectiveConcurrency, parts: parts))
        }
        var outputs = OrderedDictionary<String, SourceReference>()
        for output in self.outputs { outputs[output.name] = .stage(id: output.stage, field: output.field) }
        do {
            return try Graph(validated: stages, outputs: outputs)
        } catch {
            throw PipelineFileError(
                code: .invalidValue, message: error.message, location: location(of: error))
        }
    }

    /// The most precise location for a graph error: the binding of the field, else the stage, else the file.
    private func location(of error: GraphError) -> SourceLocation {
        if let stageID = error.stage, let stage = stage(stageID) {
            if let field = error.field, let binding = stage.binding(for: field) { return binding.location }
            return stage.location
        }
        if let output = outputs.first(where: { $0.name == error.stage }) { return output.location }
        return location
    }
}
