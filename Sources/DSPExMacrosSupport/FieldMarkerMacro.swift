import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxMacros

/// The implementation of `@Input` and `@Output`: markers that `@Signature` reads.
///
/// A marker generates nothing itself. It only checks that it is attached to a property;
/// everything else about the property is checked by ``SignatureMacro``.
///
/// ```swift
/// @Input("Relevant passages", prefix: "Context:") var context: [String]
/// ```
public struct FieldMarkerMacro: PeerMacro {
    public static func expansion(
        of node: AttributeSyntax,
        providingPeersOf declaration: some DeclSyntaxProtocol,
        in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        if !declaration.is(VariableDeclSyntax.self) {
            let marker = FieldMarker(node)?.role.rawValue ?? node.attributeName.trimmedDescription
            let message = SignatureMacroDiagnostic.markerOnNonProperty(marker: marker)
            context.diagnose(Diagnostic(node: node, message: message))
        }
        return []
    }
}
