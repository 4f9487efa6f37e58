import SwiftSyntax

/// Decides, from syntax alone, whether a property's type can be a signature field.
///
/// Named types pass (`String`, `Sentiment`, `Swift.Int`, `MyModule.Answer`) and so do arrays and
/// optionals of supported types, in either spelling (`[T]`, `Array<T>`, `T?`, `Optional<T>`);
/// the compiler then checks that the named type is `ValueConvertible`. Refused: tuples, function
/// types, `some`/`any` existentials, `Any`, dictionaries, implicitly unwrapped optionals,
/// metatypes, compositions and attributed types.
///
/// ```swift
/// FieldTypeSupport.isSupported(TypeSyntax("[String]?"))    // true
/// FieldTypeSupport.isSupported(TypeSyntax("[String: Int]")) // false
/// ```
public enum FieldTypeSupport {
    /// Whether `type` can be the type of an `@Input` or `@Output` property.
    public static func isSupported(_ type: TypeSyntax) -> Bool {
        if let optional = type.as(OptionalTypeSyntax.self) {
            return isSupported(optional.wrappedType)
        }
        if let array = type.as(ArrayTypeSyntax.self) {
            return isSupported(array.element)
        }
        if let tuple = type.as(TupleTypeSyntax.self) {
            // `(String)` is a parenthesized type, not a tuple.
            guard tuple.elements.count == 1, let only = tuple.elements.first,
                only.firstName == nil, only.ellipsis == nil
            else {
                return false
            }
            return isSupported(only.type)
        }
        if let identifier = type.as(IdentifierTypeSyntax.self) {
            return isSupported(name: identifier.name.text, arguments: identifier.genericArgumentClause)
        }
        if let member = type.as(MemberTypeSyntax.self) {
            return isSupported(name: member.name.text, arguments: member.genericArgumentClause)
        }
        return false
    }

    private static let refusedNames: Set<String> = ["Any", "AnyObject", "Dictionary", "Never", "Void", "Self"]
    private static let containers: Set<String> = ["Array", "Optional"]

    private static func isSupported(name: String, arguments: GenericArgumentClauseSyntax?) -> Bool {
        if refusedNames.contains(name) {
            return false
        }
        guard let arguments, containers.contains(name) else {
            return true
        }
        return arguments.arguments.allSatisfy { argument in
            guard case .type(let type) = argument.argument else {
                return false
            }
            return isSupported(type)
        }
    }
}
