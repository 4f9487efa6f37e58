import DSPEx
import Testing

@Suite struct SignatureTests {
    @Test("DSPy spellings parse into typed fields")
    func dspySpellings() throws {
        let signature = try Signature("context: list[str], question -> answer: int")
        #expect(signature.inputs.map(\.name) == ["context", "question"])
        #expect(signature.inputs.map(\.type) == [.list(.string), .string])
        #expect(signature.outputs.map(\.type) == [.int])
        #expect(signature.instructions == "Given the fields `context`, `question`, produce the fields `answer`.")
    }

    @Test("Swift spellings parse into the same types")
    func swiftSpellings() throws {
        let signature = try Signature("question: String -> answers: [String], confidence: Double, ok: Bool, n: Int?")
        #expect(signature.outputs.map(\.type) == [.list(.string), .double, .bool, .optional(.int)])
    }

    @Test(
        "Literal, Optional, Union and dict types parse",
        arguments: [
            ("Literal['yes', 'no']", FieldType.literal(["yes", "no"])),
            ("Literal[\"a b\", 'c']", .literal(["a b", "c"])),
            ("Optional[int]", .optional(.int)),
            ("Union[int, NoneType]", .optional(.int)),
            ("int | None", .optional(.int)),
            ("dict", .json),
            ("dict[str, Any]", .dictionary(.json)),
            ("[String: Int]", .dictionary(.int)),
            ("list[list[float]]", .list(.list(.double))),
            ("List[str]", .list(.string)),
        ])
    func typeSpellings(text: String, expected: FieldType) throws {
        #expect(try FieldType(parsing: text) == expected)
    }

    @Test("custom instructions replace the default sentence")
    func customInstructions() throws {
        let signature = try Signature("a -> b", instructions: "Do it.")
        #expect(signature.instructions == "Do it.")
    }

    @Test(
        "field prefixes follow DSPy's infer_prefix",
        arguments: [
            ("question", "Question:"), ("is_sure", "Is Sure:"), ("camelCaseName", "Camel Case Name:"),
            ("text2number", "Text 2 Number:"), ("HTMLPage", "HTML Page:"), ("answer_URL", "Answer URL:"),
        ])
    func prefixes(name: String, prefix: String) {
        #expect(Field.inferPrefix(name) == prefix)
    }

    @Test(
        "malformed signatures name the column and what was expected",
        arguments: [
            ("question answer", 16, "expected '->'"),
            ("question -> ", 12, "at least one output"),
            ("question: strr -> answer", 11, "unknown type 'strr'"),
            ("question, -> answer", 11, "expected an input field name"),
            ("q -> a: list[int", 17, "expected ']'"),
            ("q -> a -> b", 8, "exactly one '->'"),
            ("q -> q", 1, "appears twice"),
            ("1q -> a", 1, "cannot start with a digit"),
            ("q -> a b", 8, "expected ':'"),
        ])
    func malformed(text: String, column: Int, message: String) {
        do {
            _ = try Signature(text)
            Issue.record("\(text) should not parse")
        } catch {
            #expect(error.column == column, "\(text): \(error)")
            #expect(error.message.contains(message), "\(text): \(error)")
            #expect(error.description.contains("column \(column)"))
        }
    }

    @Test("ChainOfThought prepends reasoning and keeps the instructions")
    func chainOfThoughtSignature() throws {
        let cot = try ChainOfThought("question -> answer: int")
        #expect(cot.predict.signature.outputNames == ["reasoning", "answer"])
        #expect(cot.predict.signature.instructions == "Given the fields `question`, produce the fields `answer`.")
        #expect(cot.namedPredictors.map(\.name) == ["predict"])
    }
}
