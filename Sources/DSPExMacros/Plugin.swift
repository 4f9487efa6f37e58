import SwiftCompilerPlugin
import SwiftSyntaxMacros

/// The compiler plugin that provides DSPEx's macros: `@Signature`, `@Input` and `@Output`.
@main
struct DSPExMacrosPlugin: CompilerPlugin {
    let providingMacros: [Macro.Type] = [
        SignatureMacro.self,
        FieldMarkerMacro.self,
    ]
}
