import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxMacros

/// The implementation of `@Signature`: conforms a struct to `DSPEx.TypedSignature`.
///
/// The struct's `@Input` properties become the signature's inputs and a nested `Inputs` struct;
/// its `@Output` properties become the outputs, decoded by the generated
/// `init(inputs:outputs:)`. The instructions are the macro's argument, else the struct's doc
/// comment, else `nil` (DSPy's default instructions).
///
/// ```swift
/// /// Answer questions with short factoid answers.
/// @Signature
/// struct QA {
///     @Input var question: String
///     @Output("often between 1 and 5 words") var answer: String
/// }
/// ```
///
/// Problems are reported as ``SignatureMacroDiagnostic``s, all at once; when there are any,
/// nothing is generated.
public struct SignatureMacro: ExtensionMacro {
    public static func expansion(
        of node: AttributeSyntax,
        attachedTo declaration: some DeclGroupSyntax,
        providingExtensionsOf type: some TypeSyntaxProtocol,
        conformingTo protocols: [TypeSyntax],
        in context: some MacroExpansionContext
    ) throws -> [ExtensionDeclSyntax] {
        // The compiler names a nested type by its qualified name, `Outer.QA`.
        let isNested = type.as(MemberTypeSyntax.self) != nil
        let signature = SignatureDeclaration(attribute: node, declaration: declaration, isNested: isNested)
        guard signature.diagnostics.isEmpty else {
            signature.diagnostics.forEach(context.diagnose)
            return []
        }
        return [SignatureExtensionBuilder(signature: signature, type: type).extensionDecl]
    }
}
