/// A struct whose properties are a signature's fields; the `@Signature` macro conforms it.
///
/// `Predict<QA>` takes `QA.Inputs` and returns a `QA` with every field filled in:
///
/// ```swift
/// /// Answer questions with short factoid answers.
/// @Signature
/// struct QA {
///     @Input var question: String
///     @Output var answer: String
/// }
/// let qa = try await Predict<QA>(lm: lm)(.init(question: "What is 2 + 3?"))
/// print(qa.answer)
/// ```
public protocol TypedSignature: Sendable {
    /// The input fields as a struct with a memberwise initializer.
    associatedtype Inputs: Sendable
    /// The signature the struct describes.
    static var signature: Signature { get }
    /// The inputs as named values.
    static func values(of inputs: Inputs) -> [String: Value]
    /// A full instance from the inputs and the model's outputs.
    init(inputs: Inputs, outputs: [String: Value]) throws
}

/// The type parameter of modules built from a signature string or value at run time, such as
/// `Predict("question -> answer")`: they take and return named values, not a typed struct.
public enum DynamicSignature: TypedSignature {
    /// No typed inputs: call the module with named values instead.
    public typealias Inputs = Never
    /// A placeholder; a dynamic module keeps its real signature itself.
    public static var signature: Signature { Signature(inputs: [], outputs: []) }
    public static func values(of inputs: Never) -> [String: Value] { switch inputs {} }
    public init(inputs: Never, outputs: [String: Value]) throws { switch inputs {} }
}

/// Makes a struct a signature: inputs and outputs from its `@Input` and `@Output` properties,
/// instructions from its doc comment (or the argument).
@attached(
    extension, conformances: TypedSignature, names: named(Inputs), named(signature), named(values), named(init))
public macro Signature(_ instructions: String? = nil) =
    #externalMacro(module: "DSPExMacros", type: "SignatureMacro")

/// Marks a stored property of a `@Signature` struct as an input field.
@attached(peer)
public macro Input(_ description: String? = nil, prefix: String? = nil) =
    #externalMacro(module: "DSPExMacros", type: "FieldMarkerMacro")

/// Marks a stored property of a `@Signature` struct as an output field.
@attached(peer)
public macro Output(_ description: String? = nil, prefix: String? = nil) =
    #externalMacro(module: "DSPExMacros", type: "FieldMarkerMacro")
