import OrderedCollections

/// A step of a program: maps named inputs to a ``Prediction``.
///
/// Modules expose their **named predictors** — the instructions and demos an optimizer may
/// tune — without reflection: a module lists them and accepts updated states by name.
///
/// ```swift
/// let cot = try ChainOfThought("question -> answer: int", lm: lm)
/// cot.namedPredictors.map(\.name)   // ["predict"]
/// ```
public protocol Module: Sendable {
    /// Runs the module on one set of inputs.
    func forward(_ inputs: OrderedDictionary<String, Value>) async throws -> Prediction
    /// The predictors inside, by DSPy's dotted names (`self` for a bare Predict).
    var namedPredictors: [NamedPredictor] { get }
    /// Replaces the tunable state of the predictor called `name`.
    ///
    /// - Throws: ``ModuleError`` if there is no such predictor or the state does not fit it.
    mutating func setPredictorState(_ state: PredictorState, named name: String) throws
}

/// A predictor's name within its module and its current state.
public struct NamedPredictor: Sendable, Hashable {
    /// The dotted name (`predict`, `answer.predict`, `self`).
    public var name: String
    /// Instructions, field labels and demos.
    public var state: PredictorState

    /// Creates a named predictor.
    public init(name: String, state: PredictorState) {
        self.name = name
        self.state = state
    }
}

/// What an optimizer tunes in a predictor: its signature (instructions, field prefixes and
/// descriptions) and its demos.
public struct PredictorState: Sendable, Hashable {
    /// The signature, with the instructions in use.
    public var signature: Signature
    /// Few-shot examples shown before the input.
    public var demos: [Example]

    /// Creates a state.
    public init(signature: Signature, demos: [Example] = []) {
        self.signature = signature
        self.demos = demos
    }
}

extension Module {
    /// Runs the module on one set of inputs.
    public func callAsFunction(_ inputs: OrderedDictionary<String, Value>) async throws -> Prediction {
        try await forward(inputs)
    }

    /// Runs the module on an example's inputs (all its values if none are marked).
    public func callAsFunction(example: Example) async throws -> Prediction {
        try await forward(example.inputKeys.isEmpty ? example.values : example.inputs)
    }

    /// The state of the predictor called `name`.
    public func predictorState(named name: String) -> PredictorState? {
        namedPredictors.first { $0.name == name }?.state
    }
}
