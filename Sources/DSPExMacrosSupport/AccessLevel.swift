import SwiftSyntax

/// The access level of a `@Signature` struct, repeated on every member the macro generates.
///
/// `private` becomes `fileprivate`: a `private` member of an extension could not satisfy the
/// conformance, while `fileprivate` is exactly as visible as a file-scope `private` type.
///
/// ```swift
/// AccessLevel(modifiers: structDecl.modifiers).keyword   // "public " for a public struct
/// ```
public enum AccessLevel: String, Sendable {
    /// `public` (and `open`, which structs cannot have).
    case `public`
    /// `package`.
    case `package`
    /// `internal`, written as no modifier at all.
    case `internal`
    /// `fileprivate` and `private`.
    case `fileprivate`

    /// The access level named by `modifiers`; `internal` when none is.
    public init(modifiers: DeclModifierListSyntax) {
        self = .internal
        for modifier in modifiers where modifier.detail == nil {
            switch modifier.name.tokenKind {
            case .keyword(.public), .keyword(.open): self = .public
            case .keyword(.package): self = .package
            case .keyword(.fileprivate), .keyword(.private): self = .fileprivate
            default: continue
            }
        }
    }

    /// The modifier followed by a space, ready to prefix a declaration; empty for `internal`.
    public var keyword: String {
        self == .internal ? "" : "\(rawValue) "
    }
}
