import SwiftSyntaxMacrosTestSupport
import Testing

@Suite struct SignatureMacroDiagnosticTests {
    @Test("@Signature on a class is an error with a fix-it to make it a struct")
    func classIsRefused() {
        assertSignatureExpansion(
            """
            @Signature
            class QA {
                @Input var question: String
                @Output var answer: String
            }
            """,
            expandedSource: """
                class QA {
                    var question: String
                    var answer: String
                }
                """,
            diagnostics: [
                DiagnosticSpec(
                    message: "@Signature can only be applied to a struct",
                    line: 2,
                    column: 1,
                    fixIts: [FixItSpec(message: "replace 'class' with 'struct'")]
                )
            ],
            fixedSource: """
                @Signature
                struct QA {
                    @Input var question: String
                    @Output var answer: String
                }
                """
        )
    }

    @Test("@Signature on an enum, actor or protocol is an error", arguments: ["enum", "actor", "protocol"])
    func otherDeclarationsAreRefused(keyword: String) {
        let fixIts = keyword == "actor" ? [FixItSpec(message: "replace 'actor' with 'struct'")] : []
        assertSignatureExpansion(
            """
            @Signature
            \(keyword) QA {
            }
            """,
            expandedSource: """
                \(keyword) QA {
                }
                """,
            diagnostics: [
                DiagnosticSpec(
                    message: "@Signature can only be applied to a struct",
                    line: 2,
                    column: 1,
                    fixIts: fixIts
                )
            ]
        )
    }

    @Test("a signature without an @Output property is an error")
    func noOutputs() {
        assertSignatureExpansion(
            """
            @Signature
            struct QA {
                @Input var question: String
            }
            """,
            expandedSource: """
                struct QA {
                    var question: String
                }
                """,
            diagnostics: [
                DiagnosticSpec(message: "a signature needs at least one @Output property", line: 2, column: 8)
            ]
        )
    }

    @Test("an unmarked stored property is an error with fix-its to mark it")
    func unmarkedStoredProperty() {
        assertSignatureExpansion(
            """
            @Signature
            struct QA {
                @Input var question: String
                /// Notes for the reader.
                var notes: String
                @Output var answer: String
            }
            """,
            expandedSource: """
                struct QA {
                    var question: String
                    /// Notes for the reader.
                    var notes: String
                    var answer: String
                }
                """,
            diagnostics: [
                DiagnosticSpec(
                    message: "stored property 'notes' must be marked @Input or @Output",
                    line: 5,
                    column: 9,
                    fixIts: [FixItSpec(message: "mark it @Input"), FixItSpec(message: "mark it @Output")]
                )
            ],
            applyFixIts: ["mark it @Output"],
            fixedSource: """
                @Signature
                struct QA {
                    @Input var question: String
                    /// Notes for the reader.
                    @Output var notes: String
                    @Output var answer: String
                }
                """
        )
    }

    @Test("a property marked both @Input and @Output is an error with a fix-it to remove one")
    func markedBoth() {
        assertSignatureExpansion(
            """
            @Signature
            struct QA {
                @Input @Output var question: String
                @Output var answer: String
            }
            """,
            expandedSource: """
                struct QA {
                    var question: String
                    var answer: String
                }
                """,
            diagnostics: [
                DiagnosticSpec(
                    message: "field 'question' cannot be both @Input and @Output",
                    line: 3,
                    column: 12,
                    fixIts: [FixItSpec(message: "remove @Output")]
                )
            ],
            fixedSource: """
                @Signature
                struct QA {
                    @Input var question: String
                    @Output var answer: String
                }
                """
        )
    }

    @Test("a field without a type annotation is an error")
    func missingType() {
        assertSignatureExpansion(
            """
            @Signature
            struct QA {
                @Input var question = "Why?"
                @Output var answer: String
            }
            """,
            expandedSource: """
                struct QA {
                    var question = "Why?"
                    var answer: String
                }
                """,
            diagnostics: [
                DiagnosticSpec(message: "field 'question' needs an explicit type", line: 3, column: 16)
            ]
        )
    }

    @Test(
        "a field of an unsupported type is an error",
        arguments: [
            "(String, Int)", "() -> String", "some StringProtocol", "any StringProtocol", "[String: Int]",
            "Dictionary<String, Int>", "String!", "String.Type", "[Any]", "Optional<(Int, Int)>",
        ]
    )
    func unsupportedType(type: String) {
        assertSignatureExpansion(
            """
            @Signature
            struct QA {
                @Input var question: String
                @Output var answer: \(type)
            }
            """,
            expandedSource: """
                struct QA {
                    var question: String
                    var answer: \(type)
                }
                """,
            diagnostics: [
                DiagnosticSpec(
                    message: "field 'answer' has unsupported type '\(type)'; use String, Int, Double, Bool, "
                        + "arrays or optionals of them, Value, or a ValueConvertible type",
                    line: 4,
                    column: 25
                )
            ]
        )
    }

    @Test("a marked let with an initial value is an error with a fix-it to make it a var")
    func letWithInitialValue() {
        assertSignatureExpansion(
            """
            @Signature
            struct QA {
                @Input var question: String
                @Output let answer: String = ""
            }
            """,
            expandedSource: """
                struct QA {
                    var question: String
                    let answer: String = ""
                }
                """,
            diagnostics: [
                DiagnosticSpec(
                    message: "field 'answer' is a 'let' with an initial value, so @Signature cannot set it; "
                        + "use 'var' or remove the initial value",
                    line: 4,
                    column: 13,
                    fixIts: [FixItSpec(message: "replace 'let' with 'var'")]
                )
            ],
            fixedSource: """
                @Signature
                struct QA {
                    @Input var question: String
                    @Output var answer: String = ""
                }
                """
        )
    }

    @Test("a generic struct is an error")
    func genericStruct() {
        assertSignatureExpansion(
            """
            @Signature
            struct QA<Answer> {
                @Input var question: String
                @Output var answer: Answer
            }
            """,
            expandedSource: """
                struct QA<Answer> {
                    var question: String
                    var answer: Answer
                }
                """,
            diagnostics: [
                DiagnosticSpec(message: "@Signature does not support generic structs", line: 2, column: 10)
            ]
        )
    }

    @Test("several variables in one declaration are an error")
    func multipleBindings() {
        assertSignatureExpansion(
            """
            @Signature
            struct QA {
                @Input var question, context: String
                @Output var answer: String
            }
            """,
            expandedSource: """
                struct QA {
                    var question, context: String
                    var answer: String
                }
                """,
            diagnostics: [
                // Reported by the macro system for the @Input peer macro, then by @Signature.
                DiagnosticSpec(message: "peer macro can only be applied to a single variable", line: 3, column: 5),
                DiagnosticSpec(message: "declare each @Signature field in its own 'var' or 'let'", line: 3, column: 16),
            ]
        )
    }

    @Test("a marker on a static or computed property is an error with a fix-it to remove it")
    func markerOnNonStoredProperty() {
        assertSignatureExpansion(
            """
            @Signature
            struct QA {
                @Input static var question: String = ""
                @Output var answer: String
                @Output var shouted: String { answer.uppercased() }
            }
            """,
            expandedSource: """
                struct QA {
                    static var question: String = ""
                    var answer: String
                    var shouted: String { answer.uppercased() }
                }
                """,
            diagnostics: [
                DiagnosticSpec(
                    message: "@Input can only mark a stored instance property",
                    line: 3,
                    column: 5,
                    fixIts: [FixItSpec(message: "remove @Input")]
                ),
                DiagnosticSpec(
                    message: "@Output can only mark a stored instance property",
                    line: 5,
                    column: 5,
                    fixIts: [FixItSpec(message: "remove @Output")]
                ),
            ],
            fixedSource: """
                @Signature
                struct QA {
                    static var question: String = ""
                    @Output var answer: String
                    var shouted: String { answer.uppercased() }
                }
                """
        )
    }

    @Test("properties inside #if are an error")
    func conditionalProperties() {
        assertSignatureExpansion(
            """
            @Signature
            struct QA {
                @Output var answer: String
                #if DEBUG
                @Input var trace: String
                #endif
            }
            """,
            expandedSource: """
                struct QA {
                    var answer: String
                    #if DEBUG
                    var trace: String
                    #endif
                }
                """,
            diagnostics: [
                DiagnosticSpec(
                    message: "@Signature does not support properties inside '#if' blocks",
                    line: 4,
                    column: 5
                )
            ]
        )
    }

    @Test("@Input on something other than a property is an error")
    func markerOnFunction() {
        assertSignatureExpansion(
            """
            @Input func question() -> String { "" }
            """,
            expandedSource: """
                func question() -> String { "" }
                """,
            diagnostics: [
                DiagnosticSpec(message: "@Input can only be applied to a property", line: 1, column: 1)
            ]
        )
    }

    @Test("every problem in a struct is reported at once")
    func severalProblems() {
        assertSignatureExpansion(
            """
            @Signature
            public struct QA {
                @Input var question
                var notes: String
                @Output var answer: () -> Void
            }
            """,
            expandedSource: """
                public struct QA {
                    var question
                    var notes: String
                    var answer: () -> Void
                }
                """,
            diagnostics: [
                DiagnosticSpec(message: "field 'question' needs an explicit type", line: 3, column: 16),
                DiagnosticSpec(
                    message: "stored property 'notes' must be marked @Input or @Output",
                    line: 4,
                    column: 9,
                    fixIts: [FixItSpec(message: "mark it @Input"), FixItSpec(message: "mark it @Output")]
                ),
                DiagnosticSpec(
                    message: "field 'answer' has unsupported type '() -> Void'; use String, Int, Double, Bool, "
                        + "arrays or optionals of them, Value, or a ValueConvertible type",
                    line: 5,
                    column: 25
                ),
            ]
        )
    }

    @Test("a private nested struct is an error with a fix-it to make it fileprivate")
    func privateNestedStruct() {
        assertSignatureExpansion(
            """
            enum Tasks {
                @Signature
                private struct QA {
                    @Output var answer: String
                }
            }
            """,
            expandedSource: """
                enum Tasks {
                    private struct QA {
                        var answer: String
                    }
                }
                """,
            diagnostics: [
                DiagnosticSpec(
                    message: "@Signature cannot extend a private nested struct; make it fileprivate",
                    line: 3,
                    column: 5,
                    fixIts: [FixItSpec(message: "replace 'private' with 'fileprivate'")]
                )
            ],
            fixedSource: """
                enum Tasks {
                    @Signature
                    fileprivate struct QA {
                        @Output var answer: String
                    }
                }
                """
        )
    }
}
