import DSPExMacrosSupport
import SwiftSyntax
import SwiftSyntaxMacros

/// `@Signature`, as `#externalMacro(module: "DSPExMacros", type: "SignatureMacro")` finds it.
///
/// A forwarder: the implementation is `DSPExMacrosSupport.SignatureMacro`, a plain target that
/// tests use without building this plugin.
public enum SignatureMacro: ExtensionMacro {
    public static func expansion(
        of node: AttributeSyntax,
        attachedTo declaration: some DeclGroupSyntax,
        providingExtensionsOf type: some TypeSyntaxProtocol,
        conformingTo protocols: [TypeSyntax],
        in context: some MacroExpansionContext
    ) throws -> [ExtensionDeclSyntax] {
        try DSPExMacrosSupport.SignatureMacro.expansion(
            of: node,
            attachedTo: declaration,
            providingExtensionsOf: type,
            conformingTo: protocols,
            in: context
        )
    }
}
