import Testing

@Suite struct SignatureMacroTests {
    @Test("expands the QA example into inputs, outputs, values and a decoding initializer")
    func questionAnswering() {
        assertSignatureExpansion(
            """
            /// Answer questions with short factoid answers.
            @Signature
            public struct QA {
                @Input var question: String
                @Input("Relevant passages", prefix: "Context:") var context: [String]
                @Output("often between 1 and 5 words") var answer: String
                @Output var confidence: Double?
                var computed: Int { 3 }
            }
            """,
            expandedSource: """
                /// Answer questions with short factoid answers.
                public struct QA {
                    var question: String
                    var context: [String]
                    var answer: String
                    var confidence: Double?
                    var computed: Int { 3 }
                }

                extension QA: DSPEx.TypedSignature {
                    public struct Inputs: Sendable {
                        public var question: String
                        public var context: [String]
                        public init(question: String, context: [String]) {
                            self.question = question
                            self.context = context
                        }
                    }
                    public static var signature: DSPEx.Signature {
                        DSPEx.Signature(
                            inputs: [
                                DSPEx.Field(name: "question", valueType: String.self),
                                DSPEx.Field(name: "context", valueType: [String].self, description: "Relevant passages", prefix: "Context:"),
                            ],
                            outputs: [
                                DSPEx.Field(name: "answer", valueType: String.self, description: "often between 1 and 5 words"),
                                DSPEx.Field(name: "confidence", valueType: Double?.self),
                            ],
                            instructions: "Answer questions with short factoid answers."
                        )
                    }
                    public static func values(of inputs: Inputs) -> [String: DSPEx.Value] {
                        ["question": inputs.question.value, "context": inputs.context.value]
                    }
                    public init(inputs: Inputs, outputs: [String: DSPEx.Value]) throws {
                        self.question = inputs.question
                        self.context = inputs.context
                        self.answer = try DSPEx.Value.decode(String.self, field: "answer", from: outputs)
                        self.confidence = try DSPEx.Value.decode(Double?.self, field: "confidence", from: outputs)
                    }
                }
                """
        )
    }

    @Test("an explicit argument overrides the doc comment")
    func explicitInstructions() {
        assertSignatureExpansion(
            """
            /// Ignored in favour of the argument.
            @Signature("Classify the sentiment of a sentence.")
            struct Sentiment {
                @Input var sentence: String
                @Output var label: String
            }
            """,
            expandedSource: """
                /// Ignored in favour of the argument.
                struct Sentiment {
                    var sentence: String
                    var label: String
                }

                extension Sentiment: DSPEx.TypedSignature {
                    struct Inputs: Sendable {
                        var sentence: String
                        init(sentence: String) {
                            self.sentence = sentence
                        }
                    }
                    static var signature: DSPEx.Signature {
                        DSPEx.Signature(
                            inputs: [
                                DSPEx.Field(name: "sentence", valueType: String.self),
                            ],
                            outputs: [
                                DSPEx.Field(name: "label", valueType: String.self),
                            ],
                            instructions: "Classify the sentiment of a sentence."
                        )
                    }
                    static func values(of inputs: Inputs) -> [String: DSPEx.Value] {
                        ["sentence": inputs.sentence.value]
                    }
                    init(inputs: Inputs, outputs: [String: DSPEx.Value]) throws {
                        self.sentence = inputs.sentence
                        self.label = try DSPEx.Value.decode(String.self, field: "label", from: outputs)
                    }
                }
                """
        )
    }

    @Test("without a doc comment or argument the instructions are nil")
    func noInstructions() {
        assertSignatureExpansion(
            """
            // An ordinary comment is not documentation.
            @Signature
            struct Echo {
                @Input var text: String
                @Output var echo: String
            }
            """,
            expandedSource: """
                // An ordinary comment is not documentation.
                struct Echo {
                    var text: String
                    var echo: String
                }

                extension Echo: DSPEx.TypedSignature {
                    struct Inputs: Sendable {
                        var text: String
                        init(text: String) {
                            self.text = text
                        }
                    }
                    static var signature: DSPEx.Signature {
                        DSPEx.Signature(
                            inputs: [
                                DSPEx.Field(name: "text", valueType: String.self),
                            ],
                            outputs: [
                                DSPEx.Field(name: "echo", valueType: String.self),
                            ],
                            instructions: nil
                        )
                    }
                    static func values(of inputs: Inputs) -> [String: DSPEx.Value] {
                        ["text": inputs.text.value]
                    }
                    init(inputs: Inputs, outputs: [String: DSPEx.Value]) throws {
                        self.text = inputs.text
                        self.echo = try DSPEx.Value.decode(String.self, field: "echo", from: outputs)
                    }
                }
                """
        )
    }

    @Test("@Signature(nil) falls back to the doc comment")
    func nilArgument() {
        assertSignatureExpansion(
            """
            /// Say hello.
            @Signature(nil)
            struct Greet {
                @Output var greeting: String
            }
            """,
            expandedSource: """
                /// Say hello.
                struct Greet {
                    var greeting: String
                }

                extension Greet: DSPEx.TypedSignature {
                    struct Inputs: Sendable {
                        init() {
                        }
                    }
                    static var signature: DSPEx.Signature {
                        DSPEx.Signature(
                            inputs: [],
                            outputs: [
                                DSPEx.Field(name: "greeting", valueType: String.self),
                            ],
                            instructions: "Say hello."
                        )
                    }
                    static func values(of inputs: Inputs) -> [String: DSPEx.Value] {
                        [:]
                    }
                    init(inputs: Inputs, outputs: [String: DSPEx.Value]) throws {
                        self.greeting = try DSPEx.Value.decode(String.self, field: "greeting", from: outputs)
                    }
                }
                """
        )
    }

    @Test("optional, array, generic-spelled, nested and module-qualified types pass through")
    func fieldTypes() {
        assertSignatureExpansion(
            """
            @Signature
            struct Typed {
                @Input var tags: [String]?
                @Input var scores: Optional<Int>
                @Input var matrix: [[Double]]
                @Input var flags: Array<Bool>
                @Output var mood: Outer.Mood
                @Output var name: Swift.String
                @Output var raw: DSPEx.Value?
            }
            """,
            expandedSource: """
                struct Typed {
                    var tags: [String]?
                    var scores: Optional<Int>
                    var matrix: [[Double]]
                    var flags: Array<Bool>
                    var mood: Outer.Mood
                    var name: Swift.String
                    var raw: DSPEx.Value?
                }

                extension Typed: DSPEx.TypedSignature {
                    struct Inputs: Sendable {
                        var tags: [String]?
                        var scores: Optional<Int>
                        var matrix: [[Double]]
                        var flags: Array<Bool>
                        init(tags: [String]?, scores: Optional<Int>, matrix: [[Double]], flags: Array<Bool>) {
                            self.tags = tags
                            self.scores = scores
                            self.matrix = matrix
                            self.flags = flags
                        }
                    }
                    static var signature: DSPEx.Signature {
                        DSPEx.Signature(
                            inputs: [
                                DSPEx.Field(name: "tags", valueType: [String]?.self),
                                DSPEx.Field(name: "scores", valueType: Optional<Int>.self),
                                DSPEx.Field(name: "matrix", valueType: [[Double]].self),
                                DSPEx.Field(name: "flags", valueType: Array<Bool>.self),
                            ],
                            outputs: [
                                DSPEx.Field(name: "mood", valueType: Outer.Mood.self),
                                DSPEx.Field(name: "name", valueType: Swift.String.self),
                                DSPEx.Field(name: "raw", valueType: DSPEx.Value?.self),
                            ],
                            instructions: nil
                        )
                    }
                    static func values(of inputs: Inputs) -> [String: DSPEx.Value] {
                        ["tags": inputs.tags.value, "scores": inputs.scores.value, "matrix": inputs.matrix.value, "flags": inputs.flags.value]
                    }
                    init(inputs: Inputs, outputs: [String: DSPEx.Value]) throws {
                        self.tags = inputs.tags
                        self.scores = inputs.scores
                        self.matrix = inputs.matrix
                        self.flags = inputs.flags
                        self.mood = try DSPEx.Value.decode(Outer.Mood.self, field: "mood", from: outputs)
                        self.name = try DSPEx.Value.decode(Swift.String.self, field: "name", from: outputs)
                        self.raw = try DSPEx.Value.decode(DSPEx.Value?.self, field: "raw", from: outputs)
                    }
                }
                """
        )
    }

    @Test("a package struct gets package members; a private one gets fileprivate members")
    func accessLevels() {
        assertSignatureExpansion(
            """
            @Signature("Shout.")
            package struct Shout {
                @Input let text: String
                @Output var loud: String
            }
            @Signature("Whisper.")
            private struct Whisper {
                @Input let text: String
                @Output var quiet: String = ""
            }
            """,
            expandedSource: """
                package struct Shout {
                    let text: String
                    var loud: String
                }
                private struct Whisper {
                    let text: String
                    var quiet: String = ""
                }

                extension Shout: DSPEx.TypedSignature {
                    package struct Inputs: Sendable {
                        package var text: String
                        package init(text: String) {
                            self.text = text
                        }
                    }
                    package static var signature: DSPEx.Signature {
                        DSPEx.Signature(
                            inputs: [
                                DSPEx.Field(name: "text", valueType: String.self),
                            ],
                            outputs: [
                                DSPEx.Field(name: "loud", valueType: String.self),
                            ],
                            instructions: "Shout."
                        )
                    }
                    package static func values(of inputs: Inputs) -> [String: DSPEx.Value] {
                        ["text": inputs.text.value]
                    }
                    package init(inputs: Inputs, outputs: [String: DSPEx.Value]) throws {
                        self.text = inputs.text
                        self.loud = try DSPEx.Value.decode(String.self, field: "loud", from: outputs)
                    }
                }

                extension Whisper: DSPEx.TypedSignature {
                    fileprivate struct Inputs: Sendable {
                        fileprivate var text: String
                        fileprivate init(text: String) {
                            self.text = text
                        }
                    }
                    fileprivate static var signature: DSPEx.Signature {
                        DSPEx.Signature(
                            inputs: [
                                DSPEx.Field(name: "text", valueType: String.self),
                            ],
                            outputs: [
                                DSPEx.Field(name: "quiet", valueType: String.self),
                            ],
                            instructions: "Whisper."
                        )
                    }
                    fileprivate static func values(of inputs: Inputs) -> [String: DSPEx.Value] {
                        ["text": inputs.text.value]
                    }
                    fileprivate init(inputs: Inputs, outputs: [String: DSPEx.Value]) throws {
                        self.text = inputs.text
                        self.quiet = try DSPEx.Value.decode(String.self, field: "quiet", from: outputs)
                    }
                }
                """
        )
    }

    @Test("a /** */ doc comment becomes multi-line instructions, escaped as a proper literal")
    func blockDocComment() {
        assertSignatureExpansion(
            #"""
            /**
             * Rewrite the "query" for search.
             *
             * Keep backslashes (\) as they are.
             */
            @Signature
            struct Rewrite {
                @Input var query: String
                @Output var rewritten: String
            }
            """#,
            expandedSource: ##"""
                /**
                 * Rewrite the "query" for search.
                 *
                 * Keep backslashes (\) as they are.
                 */
                struct Rewrite {
                    var query: String
                    var rewritten: String
                }

                extension Rewrite: DSPEx.TypedSignature {
                    struct Inputs: Sendable {
                        var query: String
                        init(query: String) {
                            self.query = query
                        }
                    }
                    static var signature: DSPEx.Signature {
                        DSPEx.Signature(
                            inputs: [
                                DSPEx.Field(name: "query", valueType: String.self),
                            ],
                            outputs: [
                                DSPEx.Field(name: "rewritten", valueType: String.self),
                            ],
                            instructions: #"Rewrite the "query" for search.\#n\#nKeep backslashes (\) as they are."#
                        )
                    }
                    static func values(of inputs: Inputs) -> [String: DSPEx.Value] {
                        ["query": inputs.query.value]
                    }
                    init(inputs: Inputs, outputs: [String: DSPEx.Value]) throws {
                        self.query = inputs.query
                        self.rewritten = try DSPEx.Value.decode(String.self, field: "rewritten", from: outputs)
                    }
                }
                """##
        )
    }

    @Test("static, computed and observed properties: only stored instance properties are fields")
    func ignoredProperties() {
        assertSignatureExpansion(
            """
            /// Count words.
            ///
            /// Return an integer.
            @Signature
            struct Count: TypedSignature {
                static let version = 2
                var doubled: Int { count * 2 }
                var halved: Int {
                    get { count / 2 }
                }
                @Input var `text`: String
                @Output var count: Int {
                    didSet { print(count) }
                }
            }
            """,
            expandedSource: """
                /// Count words.
                ///
                /// Return an integer.
                struct Count: TypedSignature {
                    static let version = 2
                    var doubled: Int { count * 2 }
                    var halved: Int {
                        get { count / 2 }
                    }
                    var `text`: String
                    var count: Int {
                        didSet { print(count) }
                    }
                }

                extension Count {
                    struct Inputs: Sendable {
                        var `text`: String
                        init(`text`: String) {
                            self.`text` = `text`
                        }
                    }
                    static var signature: DSPEx.Signature {
                        DSPEx.Signature(
                            inputs: [
                                DSPEx.Field(name: "text", valueType: String.self),
                            ],
                            outputs: [
                                DSPEx.Field(name: "count", valueType: Int.self),
                            ],
                            instructions: "Count words.\\n\\nReturn an integer."
                        )
                    }
                    static func values(of inputs: Inputs) -> [String: DSPEx.Value] {
                        ["text": inputs.`text`.value]
                    }
                    init(inputs: Inputs, outputs: [String: DSPEx.Value]) throws {
                        self.`text` = inputs.`text`
                        self.count = try DSPEx.Value.decode(Int.self, field: "count", from: outputs)
                    }
                }
                """
        )
    }

    @Test("a nested struct is extended by its qualified name and keeps its @available attribute")
    func nestedAndAvailable() {
        assertSignatureExpansion(
            """
            enum Tasks {
                @available(macOS 15, *)
                @Signature("Summarize.")
                struct Summarize {
                    @Input var document: String
                    @Output var summary: String
                }
            }
            """,
            expandedSource: """
                enum Tasks {
                    @available(macOS 15, *)
                    struct Summarize {
                        var document: String
                        var summary: String
                    }
                }

                @available(macOS 15, *)
                extension Tasks.Summarize: DSPEx.TypedSignature {
                    struct Inputs: Sendable {
                        var document: String
                        init(document: String) {
                            self.document = document
                        }
                    }
                    static var signature: DSPEx.Signature {
                        DSPEx.Signature(
                            inputs: [
                                DSPEx.Field(name: "document", valueType: String.self),
                            ],
                            outputs: [
                                DSPEx.Field(name: "summary", valueType: String.self),
                            ],
                            instructions: "Summarize."
                        )
                    }
                    static func values(of inputs: Inputs) -> [String: DSPEx.Value] {
                        ["document": inputs.document.value]
                    }
                    init(inputs: Inputs, outputs: [String: DSPEx.Value]) throws {
                        self.document = inputs.document
                        self.summary = try DSPEx.Value.decode(String.self, field: "summary", from: outputs)
                    }
                }
                """
        )
    }

    @Test("a multi-line string argument is carried over verbatim")
    func multiLineArgument() {
        assertSignatureExpansion(
            #"""
            @Signature(
                """
                Say hello.
                  Politely, with "quotes" and \\ a backslash.
                """
            )
            struct Greet {
                @Output var greeting: String
            }
            """#,
            expandedSource: #"""
                struct Greet {
                    var greeting: String
                }

                extension Greet: DSPEx.TypedSignature {
                    struct Inputs: Sendable {
                        init() {
                        }
                    }
                    static var signature: DSPEx.Signature {
                        DSPEx.Signature(
                            inputs: [],
                            outputs: [
                                DSPEx.Field(name: "greeting", valueType: String.self),
                            ],
                            instructions: """
                            Say hello.
                              Politely, with "quotes" and \\ a backslash.
                            """
                        )
                    }
                    static func values(of inputs: Inputs) -> [String: DSPEx.Value] {
                        [:]
                    }
                    init(inputs: Inputs, outputs: [String: DSPEx.Value]) throws {
                        self.greeting = try DSPEx.Value.decode(String.self, field: "greeting", from: outputs)
                    }
                }
                """#
        )
    }
}
