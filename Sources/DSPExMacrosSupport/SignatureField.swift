import SwiftSyntax
import SwiftSyntaxBuilder

/// One `@Input` or `@Output` property of a `@Signature` struct, as the macro generates code for it.
///
/// ```swift
/// @Output("often between 1 and 5 words") var answer: String
/// // name: "answer", type: String, role: .output, description: "often between 1 and 5 words"
/// ```
public struct SignatureField {
    /// The field name as the language model sees it (backticks removed).
    public var name: String
    /// The property name as written in Swift, backticks included, for generated member accesses.
    public var identifier: TokenSyntax
    /// The declared type.
    public var type: TypeSyntax
    /// Whether the field is an input or an output.
    public var role: FieldMarker.Role
    /// The description argument of the marker, if any.
    public var description: ExprSyntax?
    /// The prefix argument of the marker, if any.
    public var prefix: ExprSyntax?

    /// Creates a field.
    public init(
        name: String,
        identifier: TokenSyntax,
        type: TypeSyntax,
        role: FieldMarker.Role,
        description: ExprSyntax? = nil,
        prefix: ExprSyntax? = nil
    ) {
        self.name = name
        self.identifier = identifier.trimmed
        self.type = type.trimmed
        self.role = role
        self.description = description
        self.prefix = prefix
    }

    /// The field name as a Swift string literal, e.g. `"question"`.
    public var nameLiteral: StringLiteralExprSyntax {
        StringLiteralExprSyntax(content: name)
    }

    /// `DSPEx.Field(name: "context", valueType: [String].self, description: ..., prefix: ...)`, as
    /// source text starting at column 0.
    public var fieldExpression: String {
        var arguments = "name: \(nameLiteral.trimmedDescription), valueType: \(type.trimmedDescription).self"
        if let description {
            arguments += ", description: \(GeneratedCodeLayout.aligning(description.trimmedDescription, to: 0))"
        }
        if let prefix {
            arguments += ", prefix: \(GeneratedCodeLayout.aligning(prefix.trimmedDescription, to: 0))"
        }
        return "DSPEx.Field(\(arguments))"
    }
}
