import DSPEx
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
        let palette: [String] = [
            "a", "Z", " ", "~", "/", "\"", "\\", "\n", "\t", "\u{01}", "\u{1F}", "\u{7F}", "é", "😀",
        ]
        let letters = "abcdefgh".map(String.init)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        for _ in 0..<2_000 {
            // Mostly plain letters, so long clean runs meet a special character at every offset.
            let text = (0..<next(40)).map { _ in next(4) == 0 ? palette[next(palette.count)] : letters[next(8)] }
                .joined()
            #expect(Value.string(text).jsonString() == Self.referenceJSON(text, escapeNonASCII: false))
            #expect(Value.string(text).jsonString(.python) == Self.referenceJSON(text, escapeNonASCII: true))
        }
    }

    /// A JSON string written one scalar at a time: the specification the fast writer must match.
    private static func referenceJSON(_ text: String, escapeNonASCII: Bool) -> String {
        func hex(_ unit: UInt16) -> String {
            let digits = String(unit, radix: 16)
            return "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
        }
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case _ where scalar.value < 0x20: output += hex(UInt16(scalar.value))
            case _ where escapeNonASCII && scalar.value >= 0x7F:
                for unit in String(scalar).utf16 { output += hex(unit) }
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output + "\""
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
