import DSPExMacrosSupport
import Testing

@Suite struct GeneratedCodeLayoutTests {
    @Test("indented adds four spaces per level to non-empty lines only")
    func indented() {
        #expect(GeneratedCodeLayout.indented("a\n\nb", levels: 2) == "        a\n\n        b")
    }

    @Test("aligning moves every later line so the last one starts at the column")
    func aligning() {
        let literal = "\"\"\"\n        Say hello.\n          Politely.\n        \"\"\""
        #expect(GeneratedCodeLayout.aligning(literal, to: 4) == "\"\"\"\n    Say hello.\n      Politely.\n    \"\"\"")
        #expect(GeneratedCodeLayout.aligning("\"\"\"\nx\n\"\"\"", to: 2) == "\"\"\"\n  x\n  \"\"\"")
    }

    @Test("aligning leaves one-line text alone")
    func oneLine() {
        #expect(GeneratedCodeLayout.aligning("  \"hi\"", to: 8) == "  \"hi\"")
    }
}
