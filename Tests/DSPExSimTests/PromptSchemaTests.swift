import Testing

import struct DSPEx.SeededGenerator

@testable import DSPExSim

@Suite(.timeLimit(.minutes(3)))
struct PromptSchemaTests {
    @Test("output fields are read with their types, even when descriptions span several lines")
    func outputFields() {
        let system = """
            Your input fields are:
            1. `question` (str): The question,
                which may be long.
            Your output fields are:
            1. `reasoning` (str): 
            2. `answer` (int): The answer.
            Constraints: greater than 0
            3. `label` (Literal['yes', "it's", 'no']): A label
                described over
                three lines.
            4. `scores` (dict[str, list[float]]):
            All interactions will be structured in the following way, with the appropriate values filled in.

            [[ ## question ## ]]
            {question}

            [[ ## completed ## ]]
            In adhering to this structure, your objective is: 
                    Answer carefully.
            """
        let schema = PromptSchema(system: system)
        #expect(schema.outputFields.map(\.name) == ["reasoning", "answer", "label", "scores"])
        #expect(schema.outputFields[1].type == .integer)
        #expect(
            schema.outputFields[2].type
                == .literal([
                    .init(text: "yes", isString: true), .init(text: "it's", isString: true),
                    .init(text: "no", isString: true),
                ]))
        #expect(schema.outputFields[3].type == .dictionary(key: .string, value: .list(.number)))
        #expect(schema.instructions == "Answer carefully.")
        #expect(schema.instructionsHaveHint)
        #expect(schema.foldedDemoCount == 0)
        #expect(!schema.saysJSON)
    }

    @Test("Python annotation names map to field types")
    func annotations() {
        #expect(FieldType.parse("str") == .string)
        #expect(FieldType.parse("float") == .number)
        #expect(FieldType.parse("bool") == .boolean)
        #expect(FieldType.parse("list[str]") == .list(.string))
        #expect(FieldType.parse("list[dict[str, int]]") == .list(.dictionary(key: .string, value: .integer)))
        #expect(FieldType.parse("Union[int, NoneType]") == .integer)
        #expect(FieldType.parse("Union[NoneType, float]") == .number)
        #expect(FieldType.parse("Optional[bool]") == .boolean)
        #expect(FieldType.parse("dict") == .dictionary(key: .string, value: .string))
        #expect(
            FieldType.parse("Literal[1, 2]")
                == .literal([.init(text: "1", isString: false), .init(text: "2", isString: false)]))
        #expect(FieldType.parse("Answer") == .custom("Answer", schema: nil))
    }

    @Test("a custom type takes its shape from the JSON schema in the field's note")
    func customTypeSchema() {
        let system = """
            Your input fields are:
            1. `question` (str):
            Your output fields are:
            1. `person` (Person):
            2. `mood` (Mood):
            All interactions will be structured in the following way, with the appropriate values filled in.

            [[ ## question ## ]]
            {question}

            [[ ## person ## ]]
            {person}        # note: the value you produce must adhere to the JSON schema: {"type": "object", \
            "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}, "required": ["name", "age"]}

            [[ ## mood ## ]]
            {mood}        # note: the value you produce must be one of: happy; sad

            [[ ## completed ## ]]
            In adhering to this structure, your objective is: 
                    Describe.
            """
        let schema = PromptSchema(system: system)
        guard case .custom("Person", let personSchema?) = schema.outputFields[0].type else {
            Issue.record("expected a schema for Person, got \(schema.outputFields[0].type)")
            return
        }
        var generator = FieldValueGenerator(seed: 1, topic: "x")
        let value = generator.value(following: personSchema, root: personSchema, named: "person", depth: 0)
        #expect(value.objectValue?.map(\.key) == ["name", "age"])
        #expect(value["age"]?.numberValue != nil)
        #expect(
            schema.outputFields[1].type
                == .literal([.init(text: "happy", isString: true), .init(text: "sad", isString: true)]))
    }

    @Test("without a DSPy system message the output fields come from the final reminder")
    func reminderFallback() {
        let user = PromptText(
            "[[ ## q ## ]]\nhi\n\nRespond with the corresponding output fields, starting with the field "
                + "`[[ ## reasoning ## ]]`, then `[[ ## answer ## ]]` (must be formatted as a valid Python list[int]), "
                + "and then ending with the marker for `[[ ## completed ## ]]`.")
        let fields = PromptAnalysis.fieldsFromReminder(in: user)
        #expect(
            fields == [
                OutputField(name: "reasoning", type: .string), OutputField(name: "answer", type: .list(.integer)),
            ])
        let json = PromptText(
            "Respond with a JSON object in the following order of fields: `reasoning`, then `answer` "
                + "(must be formatted as a valid Python int).")
        #expect(PromptAnalysis.fieldsFromReminder(in: json).map(\.type) == [.string, .integer])
    }

    @Test("the JSON parser reads escapes, unicode and nesting, and rejects bad input")
    func jsonParser() throws {
        let value = try JSONParser.parse(#"{"a": [1, -2.5e1, true, null], "s": "x\n\"\u00e9\ud83d\ude00", "o": {}}"#)
        #expect(value["a"] == .array([.number(1), .number(-25), .bool(true), .null]))
        #expect(value["s"] == .string("x\n\"é😀"))
        #expect(value["o"] == .object([]))
        for bad in ["{", "[1,]", "{\"a\" 1}", "01", "\"\u{01}\"", "tru", "[1] x", String(repeating: "[", count: 300)] {
            #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(bad) }
        }
    }

    @Test("the JSON writer escapes what RFC 8259 requires")
    func jsonWriter() throws {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("text")
        writer.string("quote \" backslash \\ newline \n tab \t bell \u{07} é")
        writer.key("n")
        writer.number(2.5)
        writer.endObject()
        let parsed = try JSONParser.parse(writer.text)
        #expect(parsed["text"] == .string("quote \" backslash \\ newline \n tab \t bell \u{07} é"))
        #expect(writer.text.contains("\\u0007"))
    }

    @Test("the stable hash does not change between processes")
    func stableHash() {
        // FNV-1a + SplitMix64 of known input; a change here changes every simulated answer.
        #expect(StableHash.of("What is 2 + 3?", seed: 0) == StableHash.of("What is 2 + 3?", seed: 0))
        #expect(StableHash.of("a", "bc") != StableHash.of("ab", "c"))
        #expect(StableHash.of("x", seed: 1) != StableHash.of("x", seed: 2))
        var generator = SeededGenerator(state: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
    }
}
