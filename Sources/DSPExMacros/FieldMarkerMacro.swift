import DSPExMacrosSupport
import SwiftSyntax
import SwiftSyntaxMacros

/// `@Input` and `@Output`, as `#externalMacro(module: "DSPExMacros", type: "FieldMarkerMacro")` finds them.
///
/// A forwarder: the implementation is `DSPExMacrosSupport.FieldMarkerMacro`.
public enum FieldMarkerMacro: PeerMacro {
    public static func expansion(
        of node: AttributeSyntax,
        providingPeersOf declaration: some DeclSyntaxProtocol,
        in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        try DSPExMacrosSupport.FieldMarkerMacro.expansion(of: node, providingPeersOf: declaration, in: context)
    }
}
