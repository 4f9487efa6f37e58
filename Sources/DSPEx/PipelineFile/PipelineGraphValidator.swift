/// Checks what involves several stages of a decoded pipeline: that stage ids are unique, that
/// every binding names a real stage and one of its outputs with a compatible type, that the
/// stages form no cycle, and that outputs and the metric name real fields.
///
/// Problems are reported in file order, the first one thrown, located where it was written.
struct PipelineGraphValidator {
    /// Builds errors with source lines.
    let reader: NodeReader

    /// Throws the first problem in `spec`.
    func validate(_ spec: PipelineSpec) throws(PipelineFileError) {
        let stages = try uniqueStages(spec.stages)
        for stage in spec.stages {
            for binding in stage.inputs {
                try checkBinding(binding, of: stage, stages: stages)
            }
        }
        try checkCycles(spec.stages)
        for output in spec.outputs {
            try checkOutput(output, stages: stages)
        }
        if let metric = spec.metric, let field = metric.field {
            let names = spec.outputs.map(\.name)
            guard names.contains(field) else {
                throw reader.error(
                    .unknownField, "metric field '\(field)' is not an output of the pipeline",
                    at: metric.fieldLocation ?? metric.location,
                    suggestion: SpellingSuggestion.hint(for: field, among: names))
            }
        }
    }

    /// The stages by id; throws `duplicate_stage` at the second use of an id.
    private func uniqueStages(_ stages: [StageSpec]) throws(PipelineFileError) -> [String: StageSpec] {
        var byID: [String: StageSpec] = [:]
        for stage in stages {
            if let first = byID[stage.id] {
                throw reader.error(
                    .duplicateStage,
                    "duplicate stage id '\(stage.id)'; the first stage with this id is at line"
                        + " \(first.idLocation.line)",
                    at: stage.idLocation)
            }
            byID[stage.id] = stage
        }
        return byID
    }

    private func checkBinding(
        _ binding: InputBinding, of stage: StageSpec, stages: [String: StageSpec]
    ) throws(PipelineFileError) {
        guard case .stage(let upstreamID, let field) = binding.source else { return }
        guard let upstream = stages[upstreamID] else {
            let candidates = stages.keys.filter { $0 != stage.id }.sorted() + [SourceReference.datasetPrefix]
            throw reader.error(
                .unknownStage, "input '\(binding.field)' of stage '\(stage.id)' reads unknown stage '\(upstreamID)'",
                at: binding.location, suggestion: SpellingSuggestion.hint(for: upstreamID, among: candidates))
        }
        let outputs = upstream.outputs
        guard let produced = outputs.first(where: { $0.name == field }) else {
            var hint = SpellingSuggestion.hint(for: field, among: outputs.map(\.name))
            if field == ModuleKind.reasoningField.name {
                hint =
                    "only chain_of_thought stages output 'reasoning'; set 'module: chain_of_thought' on stage"
                    + " '\(upstreamID)'"
            }
            throw reader.error(
                .unknownField,
                "stage '\(upstreamID)' has no output '\(field)' (read by input '\(binding.field)' of stage"
                    + " '\(stage.id)')",
                at: binding.location, suggestion: hint)
        }
        guard let expected = stage.signature.inputs.first(where: { $0.name == binding.field }) else { return }
        guard produced.type.canFeed(expected.type) else {
            throw reader.error(
                .typeMismatch,
                "input '\(expected.name): \(expected.type.pythonName)' of stage '\(stage.id)' cannot take"
                    + " '\(binding.source)' of type \(produced.type.pythonName)",
                at: binding.location,
                suggestion: "change one of the two types, or declare the input as 'str' to take any value as text")
        }
    }

    /// Throws `cycle` for the first stage, in file order, that depends on itself, located at
    /// its binding that starts the loop.
    private func checkCycles(_ stages: [StageSpec]) throws(PipelineFileError) {
        var reads: [String: [(upstream: String, binding: InputBinding)]] = [:]
        for stage in stages {
            for binding in stage.inputs {
                if case .stage(let upstream, _) = binding.source {
                    reads[stage.id, default: []].append((upstream, binding))
                }
            }
        }
        for stage in stages {
            guard let path = loop(from: stage.id, reads: reads), let first = path.first else { continue }
            let steps = path.map { "\($0.reader) reads \($0.binding.source)" }.joined(separator: ", ")
            let names = path.map(\.reader)
            let subject =
                names.count == 1
                ? "stage '\(stage.id)' reads its own output"
                : "stages " + names.map { "'\($0)'" }.joined(separator: ", ") + " form a cycle"
            throw reader.error(
                .cycle, "\(subject): \(steps)", at: first.binding.location,
                suggestion: "a stage may only read the dataset and stages that do not depend on it")
        }
    }

    /// The shortest chain of bindings from `start` back to itself, each step naming the stage
    /// that reads and the binding it reads through; `nil` when `start` is on no cycle.
    private func loop(
        from start: String, reads: [String: [(upstream: String, binding: InputBinding)]]
    ) -> [(reader: String, binding: InputBinding)]? {
        // Breadth-first over "reads" edges, remembering how each stage was reached.
        var cameFrom: [String: (reader: String, binding: InputBinding)] = [:]
        var queue = [start]
        var head = 0
        while head < queue.count {
            let current = queue[head]
            head += 1
            for edge in reads[current] ?? [] {
                if edge.upstream == start {
                    var path = [(reader: current, binding: edge.binding)]
                    var node = current
                    while node != start, let step = cameFrom[node] {
                        path.insert(step, at: 0)
                        node = step.reader
                    }
                    return path
                }
                if cameFrom[edge.upstream] == nil, edge.upstream != start {
                    cameFrom[edge.upstream] = (current, edge.binding)
                    queue.append(edge.upstream)
                }
            }
        }
        return nil
    }

    private func checkOutput(_ output: OutputSpec, stages: [String: StageSpec]) throws(PipelineFileError) {
        guard let stage = stages[output.stage] else {
            throw reader.error(
                .unknownStage, "output '\(output.name)' reads unknown stage '\(output.stage)'", at: output.location,
                suggestion: SpellingSuggestion.hint(for: output.stage, among: stages.keys.sorted()))
        }
        let names = stage.outputs.map(\.name)
        guard names.contains(output.field) else {
            throw reader.error(
                .unknownField, "stage '\(stage.id)' has no output '\(output.field)' (named by output '\(output.name)')",
                at: output.location, suggestion: SpellingSuggestion.hint(for: output.field, among: names))
        }
    }
}
