import DSPEx
import DSPExTesting
import Testing

@Suite struct ValueTests {
    @Test("JSON round-trips and keeps key order")
    func roundTrip() throws {
        let text = #"{"b":1,"a":[true,null,1.5,"x\n\"y\""],"ü":{"z":-3}}"#
        let value = try Value(json: text)
        #expect(value.objectValue?.keys.elementsEqual(["b", "a", "ü"]) == true)
        #expect(value.jsonString() == text)
    }

    @Test("Python formats: separators, ASCII escaping, indentation")
    func pythonFormats() throws {
        let value: Value = ["a": 1, "é": [true, nil]]
        #expect(value.jsonString(.python) == #"{"a": 1, "\u00e9": [true, null]}"#)
        #expect(value.jsonString(.pythonUnicode) == #"{"a": 1, "é": [true, null]}"#)
        #expect(value.jsonString(.pretty(indent: 2)) == "{\n  \"a\": 1,\n  \"é\": [\n    true,\n    null\n  ]\n}")
        #expect(Value.double(5).jsonString() == "5.0")
    }

    @Test("strings escape quotes, backslashes and control characters; ASCII formats escape the rest as UTF-16")
    func stringEscapes() throws {
        let value = Value.string("a\"b\\c\n\t\u{01}\u{7F}é😀")
        #expect(value.jsonString() == "\"a\\\"b\\\\c\\n\\t\\u0001\u{7F}é😀\"")
        #expect(value.jsonString(.python) == #""a\"b\\c\n\t\u0001\u007f\u00e9\ud83d\ude00""#)
        #expect(try Value(json: value.jsonString(.python)) == value)
    }

    @Test("escapes are the same wherever a special character falls among the eight-byte words the writer skips")
    func stringEscapesAtEveryOffset() throws {
        for text in JSONStringSamples.strings(count: 2_000) {
            #expect(Value.string(text).jsonString() == JSONStringSamples.quoted(text))
            #expect(Value.string(text).jsonString(.python) == JSONStringSamples.quoted(text, escapeNonASCII: true))
        }
    }

    @Test("invalid JSON reports line and column")
    func invalidJSON() {
        do {
            _ = try Value(json: "{\n  \"a\": 1,\n  \"b\" 2\n}")
            Issue.record("should fail")
        } catch {
            #expect(error.line == 3)
            #expect(error.column == 7)
        }
    }

    @Test("unicode escapes and surrogate pairs decode")
    func unicodeEscapes() throws {
        #expect(try Value(json: #""\u00e9\ud83d\ude00""#) == .string("é😀"))
    }

    @Test("typed conversions coerce like DSPy and name the field on failure")
    func conversions() throws {
        #expect(try Int(value: "42") == 42)
        #expect(try Int(value: 8.0) == 8)
        #expect(try [String](value: ["a", "b"]) == ["a", "b"])
        #expect(try Int?(value: nil) == nil)
        #expect(throws: ValueConversionError.self) { try Value.decode(Int.self, field: "n", from: ["n": "x"]) }
        do {
            _ = try Value.decode(Bool.self, field: "ok", from: [:])
        } catch let error as ValueConversionError {
            #expect(error.field == "ok")
        }
    }
}
