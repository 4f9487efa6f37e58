import Testing

@testable import DSPExSim

/// The simulator's JSON strings, written and read eight bytes at a time where nothing needs escaping.
@Suite struct JSONStringTests {
    @Test("strings with specials at every offset are written as the reference writes them and read back unchanged")
    func roundTripAtEveryOffset() throws {
        let palette: [String] = ["\"", "\\", "\n", "\t", "\r", "\u{01}", "\u{1F}", "/", "é", "😀", "~"]
        let letters = "abcdefgh".map(String.init)
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        for _ in 0..<2_000 {
            let text = (0..<next(40)).map { _ in next(4) == 0 ? palette[next(palette.count)] : letters[next(8)] }
                .joined()
            let written = JSONWriter.quoted(text)
            #expect(written == Self.reference(text))
            #expect(try JSONParser.parse(written) == .string(text))
        }
    }

    @Test("a control byte inside a string is refused, before and after an escape")
    func controlBytesAreRefused() {
        #expect(throws: (any Error).self) { try JSONParser.parse("\"abcdefghijk\u{01}\"") }
        #expect(throws: (any Error).self) { try JSONParser.parse("\"ab\\ncdefghijk\u{01}\"") }
        #expect(throws: (any Error).self) { try JSONParser.parse("\"ab\\ncdefghijk") }
    }

    /// One scalar at a time: the specification.
    private static func reference(_ text: String) -> String {
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
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output + "\""
    }
}
