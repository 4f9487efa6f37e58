import SwiftSyntax

/// An `@Input` or `@Output` attribute on a property of a `@Signature` struct, with its optional
/// description and prefix arguments.
///
/// The arguments are kept as the expressions the user wrote, so the generated `DSPEx.Field(...)`
/// call spells them exactly as they appear in the source; a literal `nil` counts as absent.
///
/// ```swift
/// @Input("Relevant passages", prefix: "Context:") var context: [String]
/// // role: .input, description: "Relevant passages", prefix: "Context:"
/// ```
public struct FieldMarker {
    /// Which side of the signature a field is on.
    public enum Role: String, Sendable {
        /// An `@Input` field.
        case input = "Input"
        /// An `@Output` field.
        case output = "Output"
    }

    /// Whether the attribute is `@Input` or `@Output`.
    public var role: Role
    /// The first, unlabelled argument.
    public var description: ExprSyntax?
    /// The `prefix:` argument.
    public var prefix: ExprSyntax?
    /// The attribute itself, where diagnostics about the marker point.
    public var attribute: AttributeSyntax

    /// Reads a marker, or returns `nil` when `attribute` is not `@Input`/`@Output`
    /// (also spelled `@DSPEx.Input`/`@DSPEx.Output`).
    public init?(_ attribute: AttributeSyntax) {
        guard let name = Self.simpleName(of: attribute.attributeName), let role = Role(rawValue: name) else {
            return nil
        }
        self.role = role
        self.attribute = attribute
        for argument in attribute.arguments?.as(LabeledExprListSyntax.self) ?? [] {
            let expression = argument.expression.is(NilLiteralExprSyntax.self) ? nil : argument.expression.trimmed
            switch argument.label?.text {
            case nil: description = expression
            case "prefix": prefix = expression
            default: continue
            }
        }
    }

    /// The markers among `attributes`, in source order.
    public static func markers(in attributes: AttributeListSyntax) -> [FieldMarker] {
        attributes.compactMap { element in
            element.as(AttributeSyntax.self).flatMap(FieldMarker.init)
        }
    }

    /// `Input` for `Input` and for `DSPEx.Input`; `nil` for any other spelling.
    private static func simpleName(of type: TypeSyntax) -> String? {
        if let identifier = type.as(IdentifierTypeSyntax.self), identifier.genericArgumentClause == nil {
            return identifier.name.text
        }
        if let member = type.as(MemberTypeSyntax.self),
            member.baseType.as(IdentifierTypeSyntax.self)?.name.text == "DSPEx"
        {
            return member.name.text
        }
        return nil
    }
}
