import DSPExTesting
import Testing

@testable import DSPExSim

/// The simulator's JSON strings, written and read eight bytes at a time where nothing needs escaping.
@Suite struct JSONStringTests {
    @Test("strings with specials at every offset are written as the reference writes them and read back unchanged")
    func roundTripAtEveryOffset() throws {
        for text in JSONStringSamples.strings(count: 2_000) {
            let written = JSONWriter.quoted(text)
            #expect(written == JSONStringSamples.quoted(text))
            #expect(try JSONParser.parse(written) == .string(text))
        }
    }

    @Test("a control byte inside a string is refused, before and after an escape")
    func controlBytesAreRefused() {
        #expect(throws: (any Error).self) { try JSONParser.parse("\"abcdefghijk\u{01}\"") }
        #expect(throws: (any Error).self) { try JSONParser.parse("\"ab\\ncdefghijk\u{01}\"") }
        #expect(throws: (any Error).self) { try JSONParser.parse("\"ab\\ncdefghijk") }
    }
}
