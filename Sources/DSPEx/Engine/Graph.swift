import OrderedCollections

/// A program as a DAG of stages: edges are implied by the stages' input sources. It is validated
/// when built, before anything runs.
///
/// ```swift
/// let graph = try Graph(
///     stages: [
///         Stage("solve", try ChainOfThought("question -> answer: int"), inputs: ["question": .input(field: "question")]),
///     ],
///     outputs: ["answer": .stage(id: "solve", field: "answer")])
/// ```
public struct Graph: Sendable {
    /// The stages, in a topological order (every stage after the stages it reads from).
    public private(set) var stages: [Stage]
    /// The program's outputs by name.
    public private(set) var outputs: OrderedDictionary<String, SourceReference>

    /// Creates and validates a graph.
    ///
    /// - Throws: ``GraphError`` for duplicate ids, unknown stages or fields, unbound inputs, cycles, type
    ///   mismatches and outputs nobody produces.
    public init(stages: [Stage], outputs: OrderedDictionary<String, SourceReference>) throws(GraphError) {
        self.stages = try Graph.validate(stages, outputs: outputs)
        self.outputs = outputs
    }

    /// A graph whose stages and outputs were already validated (a pipeline file's, by its own validator, which
    /// locates problems in the file): the stages are only put in topological order.
    init(validated stages: [Stage], outputs: OrderedDictionary<String, SourceReference>) throws(GraphError) {
        self.stages = try Graph.topologicalOrder(
            stages, byID: Dictionary(stages.map { ($0.id, $0) }) { first, _ in first })
        self.outputs = outputs
    }

    /// The stage with this id.
    public func stage(_ id: String) -> Stage? { stages.first { $0.id == id } }

    /// The ids of the stages that read from `id`.
    public func downstreamIDs(of id: String) -> [String] {
        stages.filter { $0.upstreamIDs.contains(id) }.map(\.id)
    }

    /// Every tunable predictor of every stage, by name (a stage's predictor is named after the stage).
    public var namedPredictors: [NamedPredictor] {
        stages.flatMap(\.module.namedPredictors)
    }

    /// A copy whose predictors have the given states (by predictor name); others are unchanged.
    ///
    /// - Throws: ``ModuleError`` if a name is unknown.
    public func withPredictorStates(_ states: [String: PredictorState]) throws -> Graph {
        var copy = self
        var remaining = states
        for index in copy.stages.indices {
            for predictor in copy.stages[index].module.namedPredictors {
                guard let state = remaining.removeValue(forKey: predictor.name) else { continue }
                try copy.stages[index].module.setPredictorState(state, named: predictor.name)
            }
        }
        if let unknown = remaining.keys.sorted().first {
            throw ModuleError(code: .unknownPredictor, message: "the program has no predictor named '\(unknown)'")
        }
        return copy
    }

    private static func validate(
        _ stages: [Stage], outputs: OrderedDictionary<String, SourceReference>
    ) throws(GraphError) -> [Stage] {
        guard !stages.isEmpty else { throw GraphError(code: .empty, message: "a program needs at least one stage") }
        var byID: [String: Stage] = [:]
        for stage in stages {
            guard byID[stage.id] == nil else {
                throw GraphError(code: .duplicateStage, stage: stage.id, message: "two stages are named '\(stage.id)'")
            }
            guard stage.concurrency >= 1 else {
                throw GraphError(
                    code: .invalidValue, stage: stage.id,
                    message: "stage '\(stage.id)' has concurrency \(stage.concurrency); it must be at least 1")
            }
            byID[stage.id] = stage
        }
        for stage in stages {
            for (field, source) in stage.inputs {
                guard let input = stage.signature.inputs.first(where: { $0.name == field }) else {
                    throw GraphError(
                        code: .unknownField, stage: stage.id, field: field,
                        message: "stage '\(stage.id)' binds '\(field)', which is not an input of its signature "
                            + "(\(stage.signature.shortDescription))")
                }
                try checkSource(source, feeding: input, of: stage, byID: byID)
            }
            for input in stage.signature.inputs where stage.inputs[input.name] == nil && !input.type.isOptional {
                throw GraphError(
                    code: .unboundInput, stage: stage.id, field: input.name,
                    message: "stage '\(stage.id)' has no source for its input '\(input.name)'; "
                        + "bind it to input.\(input.name) or to <stage>.<field>")
            }
        }
        for (name, source) in outputs {
            guard case .stage(let id, let field) = source else { continue }
            guard let stage = byID[id] else {
                throw GraphError(
                    code: .unknownStage, stage: name, field: field,
                    message: "output '\(name)' reads from stage '\(id)', which does not exist")
            }
            guard stage.signature.outputs.contains(where: { $0.name == field }) else {
                throw GraphError(
                    code: .unknownField, stage: id, field: field,
                    message: "output '\(name)' reads '\(field)', which stage '\(id)' does not produce "
                        + "(it produces \(stage.signature.outputNames.joined(separator: ", ")))")
            }
        }
        return try topologicalOrder(stages, byID: byID)
    }

    private static func checkSource(
        _ source: SourceReference, feeding input: Field, of stage: Stage, byID: [String: Stage]
    ) throws(GraphError) {
        guard case .stage(let id, let field) = source else { return }
        guard let upstream = byID[id] else {
            throw GraphError(
                code: .unknownStage, stage: stage.id, field: input.name,
                message: "stage '\(stage.id)' reads '\(input.name)' from stage '\(id)', which does not exist")
        }
        guard let output = upstream.signature.outputs.first(where: { $0.name == field }) else {
            throw GraphError(
                code: .unknownField, stage: stage.id, field: input.name,
                message: "stage '\(stage.id)' reads '\(id).\(field)', but stage '\(id)' produces only "
                    + upstream.signature.outputNames.joined(separator: ", "))
        }
        guard output.type.canFeed(input.type) else {
            throw GraphError(
                code: .typeMismatch, stage: stage.id, field: input.name,
                message: "stage '\(stage.id)' input '\(input.name)' is \(input.type.pythonName) but '\(id).\(field)' "
                    + "is \(output.type.pythonName)")
        }
    }

    static func topologicalOrder(_ stages: [Stage], byID: [String: Stage]) throws(GraphError) -> [Stage] {
        var state: [String: Int] = [:]  // 1 = visiting, 2 = done
        var order: [Stage] = []
        var path: [String] = []

        func visit(_ stage: Stage) throws(GraphError) {
            if state[stage.id] == 2 { return }
            if state[stage.id] == 1 {
                let start = path.firstIndex(of: stage.id) ?? 0
                let cycle = (path[start...] + [stage.id]).joined(separator: " -> ")
                throw GraphError(
                    code: .cycle, stage: stage.id, message: "stages depend on each other in a cycle: \(cycle)")
            }
            state[stage.id] = 1
            path.append(stage.id)
            for id in stage.upstreamIDs {
                if let upstream = byID[id] { try visit(upstream) }
            }
            path.removeLast()
            state[stage.id] = 2
            order.append(stage)
        }
        for stage in stages { try visit(stage) }
        return order
    }
}
