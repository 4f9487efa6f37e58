import OrderedCollections

extension PipelineSpec {
    /// Builds the runnable graph: one Predict or ChainOfThought per stage, with the file's adapter,
    /// instructions and demos. The file was validated when it was loaded (by the same type rule as the engine's,
    /// ``FieldType/canFeed(_:)``), so the graph is only put in order, not checked again.
    ///
    /// - Parameters:
    ///   - lm: The model every stage uses; `nil` leaves it to ``withLM(_:adapter:_:)`` (build once, run with any
    ///     model).
    ///   - concurrency: Overrides every stage's concurrency (the CLI's `--concurrency`).
    ///   - options: The LM options every stage's requests carry — ``LMSettings/options`` of the run, so flags win
    ///     over the file; by default the file's `lm` section.
    ///   - tools: The `react` stages' tools from ``connectTools()``; needed when a stage uses MCP tools, built here
    ///     otherwise.
    /// - Throws: ``PipelineFileError`` located at the stage or output at fault.
    public func makeGraph(
        lm: (any LanguageModel)?, concurrency: Int? = nil, options: LMOptions? = nil, tools: PipelineTools? = nil
    ) throws(PipelineFileError) -> Graph {
        if let concurrency, concurrency < 1 {
            throw PipelineFileError(
                code: .invalidValue, message: "concurrency must be at least 1, got \(concurrency)", location: location)
        }
        let adapter: any Adapter = adapter == .json ? JSONAdapter() : ChatAdapter()
        let options = options ?? LMOptions(temperature: self.lm?.temperature, maxTokens: self.lm?.maxTokens)
        var stages: [Stage] = []
        for spec in self.stages {
            var inputs = OrderedDictionary<String, SourceReference>()
            for binding in spec.inputs { inputs[binding.field] = binding.source }
            let stageConcurrency = concurrency ?? spec.effectiveConcurrency
            if spec.module == .react {
                let stageTools: [any Tool]
                if let connected = tools?.byStage[spec.id] {
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
                    stages.append(Stage(spec.id, module, inputs: inputs, concurrency: stageConcurrency))
                } catch let error as ToolError {
                    throw PipelineFileError(
                        code: .invalidValue, message: "bad tool '\(error.tool)': \(error.message)",
                        location: spec.location)
                } catch {
                    throw PipelineFileError(code: .invalidValue, message: "\(error)", location: spec.location)
                }
            } else if spec.module == .chainOfThought {
                let module = ChainOfThought(
                    spec.signature, lm: lm, adapter: adapter, options: options, demos: spec.demos)
                stages.append(Stage(spec.id, module, inputs: inputs, concurrency: stageConcurrency))
            } else {
                let module = Predict(spec.signature, lm: lm, adapter: adapter, options: options, demos: spec.demos)
                stages.append(Stage(spec.id, module, inputs: inputs, concurrency: stageConcurrency))
            }
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
