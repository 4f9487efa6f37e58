/// What a step takes and returns: ordered input fields, ordered output fields, and instructions.
///
/// Build one from DSPy's string form, or from a struct with the `@Signature` macro.
///
/// ```swift
/// let qa = try Signature("context: list[str], question -> answer: int")
/// qa.instructions // "Given the fields `context`, `question`, produce the fields `answer`."
/// ```
public struct Signature: Sendable, Hashable {
    /// The fields the caller supplies, in order.
    public var inputs: [Field]
    /// The fields the model produces, in order.
    public var outputs: [Field]
    /// The task description shown to the model.
    public var instructions: String

    /// Creates a signature; `nil` instructions become DSPy's default sentence.
    public init(inputs: [Field], outputs: [Field], instructions: String? = nil) {
        self.inputs = inputs
        self.outputs = outputs
        self.instructions = instructions ?? Signature.defaultInstructions(inputs: inputs, outputs: outputs)
    }

    /// Parses DSPy's string form, `"a: type, b -> c: type"`; untyped fields are `str`.
    ///
    /// - Throws: ``SignatureError`` naming the column of the first problem.
    public init(_ text: String, instructions: String? = nil) throws(SignatureError) {
        let (inputs, outputs) = try SignatureParser.parse(text)
        self.init(inputs: inputs, outputs: outputs, instructions: instructions)
    }

    /// DSPy's default instructions: ``Given the fields `a`, `b`, produce the fields `c`.``
    public static func defaultInstructions(inputs: [Field], outputs: [Field]) -> String {
        let inputList = inputs.map { "`\($0.name)`" }.joined(separator: ", ")
        let outputList = outputs.map { "`\($0.name)`" }.joined(separator: ", ")
        return "Given the fields \(inputList), produce the fields \(outputList)."
    }

    /// Every field, inputs first.
    public var fields: [Field] { inputs + outputs }

    /// The names of the input fields, in order.
    public var inputNames: [String] { inputs.map(\.name) }

    /// The names of the output fields, in order.
    public var outputNames: [String] { outputs.map(\.name) }

    /// The input or output field with this name.
    public func field(named name: String) -> Field? {
        inputs.first { $0.name == name } ?? outputs.first { $0.name == name }
    }

    /// A copy with other instructions.
    public func with(instructions: String) -> Signature {
        var copy = self
        copy.instructions = instructions
        return copy
    }

    /// A copy with an output field placed before the others, as ChainOfThought adds `reasoning`.
    public func prependingOutput(_ field: Field) -> Signature {
        var copy = self
        copy.outputs.removeAll { $0.name == field.name }
        copy.outputs.insert(field, at: 0)
        return copy
    }

    /// A copy with an output field added after the others.
    public func appendingOutput(_ field: Field) -> Signature {
        var copy = self
        copy.outputs.removeAll { $0.name == field.name }
        copy.outputs.append(field)
        return copy
    }

    /// DSPy's string form of the field names, `"question -> answer"`.
    public var shortDescription: String {
        inputNames.joined(separator: ", ") + " -> " + outputNames.joined(separator: ", ")
    }
}

extension Signature: CustomStringConvertible {
    /// The typed string form, `"question: str -> answer: int"`.
    public var description: String {
        func render(_ fields: [Field]) -> String {
            fields.map { "\($0.name): \($0.type.pythonName)" }.joined(separator: ", ")
        }
        return render(inputs) + " -> " + render(outputs)
    }
}
