import Foundation
import OrderedCollections

extension Graph {
    /// The program's tunable state in DSPy's saved-program layout, one entry per predictor (named after its
    /// stage): `{"solve": {"demos": [...], "signature": {"instructions": ..., "fields": [...]}, ...},
    /// "metadata": {...}}`.
    public func savedState() -> Value {
        var object = OrderedDictionary<String, Value>()
        for predictor in namedPredictors { object[predictor.name] = .object(ModuleState.encode(predictor.state)) }
        object["metadata"] = ModuleState.metadata
        return .object(object)
    }

    /// A copy with a saved state applied (instructions, field labels and demos of each predictor).
    ///
    /// - Throws: ``ModuleError`` when a predictor of the program is missing from the state or does not fit.
    public func loadingState(_ state: Value) throws -> Graph {
        var states: [String: PredictorState] = [:]
        for predictor in namedPredictors {
            guard let entry = state[predictor.name], case .object = entry else {
                throw ModuleError(
                    code: .stateMismatch, message: "the saved program has no state for predictor '\(predictor.name)'")
            }
            states[predictor.name] = try ModuleState.decode(entry, into: predictor.state, name: predictor.name)
        }
        return try withPredictorStates(states)
    }

    /// Writes ``savedState()`` as indented JSON. No API key is ever in it.
    public func save(to url: URL) throws {
        try Data((savedState().jsonString(.pretty(indent: 2)) + "\n").utf8).write(to: url, options: .atomic)
    }

    /// A copy with the program saved at `url` applied.
    public func loading(from url: URL) throws -> Graph {
        try loadingState(try Value(json: String(contentsOf: url, encoding: .utf8)))
    }
}

extension Graph {
    /// A short hash of the program's tunable state (instructions, fields and demos of every predictor): equal
    /// for programs that prompt the same way, so their results on an example can be shared.
    public var stateHash: String {
        var state = savedState().objectValue ?? [:]
        state["metadata"] = nil
        return Example.contentHash(state)
    }
}
