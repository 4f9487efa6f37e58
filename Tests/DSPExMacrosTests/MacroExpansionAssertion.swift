import DSPExMacrosSupport
import SwiftSyntaxMacroExpansion
import SwiftSyntaxMacros
import SwiftSyntaxMacrosGenericTestSupport
import SwiftSyntaxMacrosTestSupport
import Testing

/// The macros under test, by the names DSPEx declares them with.
let signatureMacros: [String: Macro.Type] = [
    "Signature": DSPExMacrosSupport.SignatureMacro.self,
    "Input": FieldMarkerMacro.self,
    "Output": FieldMarkerMacro.self,
]

/// `assertMacroExpansion` for Swift Testing: expands `source` with ``signatureMacros`` and records
/// an `Issue` for every difference in the expansion, the diagnostics or the fixed source.
func assertSignatureExpansion(
    _ source: String,
    expandedSource: String,
    diagnostics: [DiagnosticSpec] = [],
    applyFixIts: [String]? = nil,
    fixedSource: String? = nil,
    fileID: StaticString = #fileID,
    filePath: StaticString = #filePath,
    line: UInt = #line,
    column: UInt = #column
) {
    SwiftSyntaxMacrosGenericTestSupport.assertMacroExpansion(
        source,
        expandedSource: expandedSource,
        diagnostics: diagnostics,
        macroSpecs: signatureMacros.mapValues { MacroSpec(type: $0) },
        applyFixIts: applyFixIts,
        fixedSource: fixedSource,
        failureHandler: { failure in
            Issue.record(
                Comment(rawValue: failure.message),
                sourceLocation: SourceLocation(
                    fileID: failure.location.fileID,
                    filePath: failure.location.filePath,
                    line: max(failure.location.line, 1),
                    column: max(failure.location.column, 1)
                )
            )
        },
        fileID: fileID,
        filePath: filePath,
        line: line,
        column: column
    )
}
