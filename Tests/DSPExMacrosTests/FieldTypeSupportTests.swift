import DSPExMacrosSupport
import SwiftSyntax
import SwiftSyntaxBuilder
import Testing

@Suite struct FieldTypeSupportTests {
    @Test(
        "named types, arrays and optionals are supported",
        arguments: [
            "String", "Int", "Double", "Bool", "DSPEx.Value", "Swift.String", "Sentiment", "Outer.Mood",
            "[String]", "[[Int]]", "String?", "[String]?", "Optional<Int>", "Array<Double>", "(String)",
            "Set<Int>",
        ]
    )
    func supported(type: String) {
        #expect(FieldTypeSupport.isSupported(TypeSyntax(stringLiteral: type)))
    }

    @Test(
        "tuples, functions, existentials, dictionaries, IUOs and metatypes are not",
        arguments: [
            "(String, Int)", "(name: String)", "() -> Void", "some Sequence", "any Error", "Any", "AnyObject",
            "[String: Int]", "Dictionary<String, Int>", "Swift.Dictionary<String, Int>", "String!",
            "String.Type", "Int.Protocol", "[Any]", "Optional<() -> Void>", "A & B", "@Sendable () -> Void",
        ]
    )
    func unsupported(type: String) {
        #expect(!FieldTypeSupport.isSupported(TypeSyntax(stringLiteral: type)))
    }
}
