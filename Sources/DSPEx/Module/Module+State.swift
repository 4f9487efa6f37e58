import Foundation
import OrderedCollections

extension Module {
    /// The program's tunable state in DSPy's saved-program layout.
    ///
    /// A bare Predict is saved flat; other modules key each predictor by its name:
    /// `{"predict": {"traces": [], "train": [], "demos": [...], "signature": {"instructions": ...,
    /// "fields": [{"prefix": ..., "description": ...}]}, "lm": null}, "metadata": {...}}`.
    /// DSPy can load the file, and DSPy's saved programs load here.
    public func savedState() -> Value {
        let predictors = namedPredictors
        var object = OrderedDictionary<String, Value>()
        if predictors.count == 1, predictors[0].name == "self" {
            object = ModuleState.encode(predictors[0].state)
        } else {
            for predictor in predictors { object[predictor.name] = .object(ModuleState.encode(predictor.state)) }
        }
        object["metadata"] = ModuleState.metadata
        return .object(object)
    }

    /// Applies a state in DSPy's layout: instructions, field prefixes and descriptions (matched by
    /// position, as DSPy does) and demos.
    ///
    /// - Throws: ``ModuleError`` when a predictor is missing from the state or its fields do not match.
    public mutating func loadState(_ state: Value) throws {
        let predictors = namedPredictors
        for predictor in predictors {
            let entry: Value?
            if predictors.count == 1, predictor.name == "self" {
                entry = state
            } else {
                entry = state[predictor.name]
            }
            guard let entry, case .object = entry else {
                throw ModuleError(
                    code: .stateMismatch, message: "the saved program has no state for predictor '\(predictor.name)'")
            }
            try setPredictorState(
                ModuleState.decode(entry, into: predictor.state, name: predictor.name),
                named: predictor.name)
        }
    }

    /// Writes ``savedState()`` as indented JSON, as DSPy's `save(path)` does. No API key is ever in it.
    public func save(to url: URL) throws {
        let text = savedState().jsonString(.pretty(indent: 2)) + "\n"
        try Data(text.utf8).write(to: url, options: .atomic)
    }

    /// Reads a saved program (DSPEx's or DSPy's) and applies it.
    public mutating func load(from url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        try loadState(try Value(json: text))
    }
}

/// Encoding and decoding of one predictor's state in DSPy's layout.
enum ModuleState {
    /// DSPy's `load` requires `dependency_versions` and accepts only its own keys there, so DSPEx
    /// leaves it empty and records itself beside it.
    static let metadata: Value = ["dependency_versions": [:], "dspex_version": .string(DSPExVersion.current)]

    static func encode(_ state: PredictorState) -> OrderedDictionary<String, Value> {
        [
            "traces": [],
            "train": [],
            "demos": .array(state.demos.map { .object($0.values) }),
            "signature": [
                "instructions": .string(state.signature.instructions),
                "fields": .array(
                    state.signature.fields.map { field in
                        ["prefix": .string(field.prefix), "description": .string(field.descriptionOrPlaceholder)]
                    }),
            ],
            "lm": nil,
        ]
    }

    static func decode(_ entry: Value, into current: PredictorState, name: String) throws -> PredictorState {
        var state = current
        if let signature = entry["signature"] {
            if let instructions = signature["instructions"]?.stringValue {
                state.signature.instructions = instructions
            }
            if let fields = signature["fields"]?.arrayValue {
                guard fields.count == state.signature.fields.count else {
                    throw ModuleError(
                        code: .stateMismatch,
                        message: "predictor '\(name)' has \(state.signature.fields.count) fields but the saved program "
                            + "has \(fields.count)")
                }
                for (index, saved) in fields.enumerated() {
                    let isInput = index < state.signature.inputs.count
                    let position = isInput ? index : index - state.signature.inputs.count
                    var field = isInput ? state.signature.inputs[position] : state.signature.outputs[position]
                    if let prefix = saved["prefix"]?.stringValue { field.prefix = prefix }
                    if let description = saved["description"]?.stringValue {
                        field.description = description == "${\(field.name)}" ? nil : description
                    }
                    if isInput {
                        state.signature.inputs[position] = field
                    } else {
                        state.signature.outputs[position] = field
                    }
                }
            }
        }
        if let demos = entry["demos"]?.arrayValue {
            let inputNames = state.signature.inputNames
            state.demos = try demos.map { demo in
                guard case .object(let values) = demo else {
                    throw ModuleError(code: .stateMismatch, message: "a demo of predictor '\(name)' is not an object")
                }
                return Example(values, inputKeys: inputNames.filter { values[$0] != nil })
            }
        }
        return state
    }
}
