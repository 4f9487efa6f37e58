import SwiftSyntax
import SwiftSyntaxBuilder

/// Writes the `TypedSignature` extension for a valid ``SignatureDeclaration``.
///
/// Every library name is qualified with `DSPEx.` so that the expansion means the same thing in
/// any module, and every generated member carries the struct's access level.
///
/// ```swift
/// let extensionDecl = SignatureExtensionBuilder(signature: signature, type: type).extensionDecl
/// // extension QA: DSPEx.TypedSignature { struct Inputs ...; static var signature ...; ... }
/// ```
public struct SignatureExtensionBuilder {
    /// The struct's fields and settings.
    public var signature: SignatureDeclaration
    /// The extended type as the compiler names it, e.g. `QA` or `Outer.QA`.
    public var type: TypeSyntax

    /// Creates a builder.
    public init(signature: SignatureDeclaration, type: some TypeSyntaxProtocol) {
        self.signature = signature
        self.type = TypeSyntax(type.trimmed)
    }

    /// The whole extension.
    public var extensionDecl: ExtensionDeclSyntax {
        let availability = signature.availability.map { "\($0.trimmedDescription)\n" }.joined()
        let conformance = signature.declaresConformance ? "" : ": DSPEx.TypedSignature"
        let source = """
            \(availability)extension \(type.trimmedDescription)\(conformance) {
            \(GeneratedCodeLayout.indented(inputsStruct))
            \(GeneratedCodeLayout.indented(signatureProperty))
            \(GeneratedCodeLayout.indented(valuesFunction))
            \(GeneratedCodeLayout.indented(initializer))
            }
            """
        guard let decl = DeclSyntax(stringLiteral: source).as(ExtensionDeclSyntax.self) else {
            preconditionFailure("generated source does not parse as an extension:\n\(source)")
        }
        return decl
    }

    private var access: String { signature.accessLevel.keyword }

    /// `struct Inputs: Sendable { var ...; init(...) { ... } }`
    private var inputsStruct: String {
        let inputs = signature.inputs
        let properties = inputs.map { "\(access)var \($0.identifier.text): \($0.type.trimmedDescription)\n" }
        let parameters = inputs.map { "\($0.identifier.text): \($0.type.trimmedDescription)" }
        let assignments = inputs.map { "self.\($0.identifier.text) = \($0.identifier.text)" }
        let initializer =
            assignments.isEmpty
            ? "\(access)init() {}"
            : """
            \(access)init(\(parameters.joined(separator: ", "))) {
            \(GeneratedCodeLayout.indented(assignments.joined(separator: "\n")))
            }
            """
        return """
            \(access)struct Inputs: Sendable {
            \(GeneratedCodeLayout.indented(properties.joined() + initializer))
            }
            """
    }

    /// `static var signature: DSPEx.Signature { DSPEx.Signature(inputs: [...], outputs: [...], ...) }`
    private var signatureProperty: String {
        """
        \(access)static var signature: DSPEx.Signature {
            DSPEx.Signature(
                inputs: \(fieldList(signature.inputs)),
                outputs: \(fieldList(signature.outputs)),
                instructions: \(instructions)
            )
        }
        """
    }

    /// The instructions expression, a multi-line literal aligned under `instructions:`.
    private var instructions: String {
        GeneratedCodeLayout.aligning(signature.instructions.trimmedDescription, to: 8)
    }

    /// `[\n DSPEx.Field(...),\n ...\n]`, or `[]`.
    private func fieldList(_ fields: [SignatureField]) -> String {
        guard !fields.isEmpty else {
            return "[]"
        }
        let elements = fields.map { "\($0.fieldExpression),\n" }.joined()
        return "[\n\(GeneratedCodeLayout.indented(elements, levels: 3))        ]"
    }

    /// `static func values(of inputs: Inputs) -> [String: DSPEx.Value] { [...] }`
    private var valuesFunction: String {
        let entries = signature.inputs.map {
            "\($0.nameLiteral.trimmedDescription): inputs.\($0.identifier.text).value"
        }
        let dictionary = entries.isEmpty ? "[:]" : "[\(entries.joined(separator: ", "))]"
        return """
            \(access)static func values(of inputs: Inputs) -> [String: DSPEx.Value] {
                \(dictionary)
            }
            """
    }

    /// `init(inputs: Inputs, outputs: [String: DSPEx.Value]) throws { ... }`
    private var initializer: String {
        let inputAssignments = signature.inputs.map {
            "self.\($0.identifier.text) = inputs.\($0.identifier.text)"
        }
        let outputAssignments = signature.outputs.map {
            "self.\($0.identifier.text) = try DSPEx.Value.decode(\($0.type.trimmedDescription).self, "
                + "field: \($0.nameLiteral.trimmedDescription), from: outputs)"
        }
        return """
            \(access)init(inputs: Inputs, outputs: [String: DSPEx.Value]) throws {
            \(GeneratedCodeLayout.indented((inputAssignments + outputAssignments).joined(separator: "\n")))
            }
            """
    }
}
