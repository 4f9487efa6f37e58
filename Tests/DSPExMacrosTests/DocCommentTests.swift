import DSPExMacrosSupport
import SwiftSyntax
import Testing

@Suite struct DocCommentTests {
    @Test("/// lines lose their marker and one space, and are joined with newlines")
    func lineComments() {
        let trivia: Trivia = [
            .docLineComment("/// Answer questions."), .newlines(1),
            .docLineComment("///"), .newlines(1),
            .docLineComment("///   - keep deeper indentation"), .newlines(1),
        ]
        #expect(DocComment.text(in: trivia) == "Answer questions.\n\n  - keep deeper indentation")
    }

    @Test("a /** */ block loses its delimiters and the leading * of each line")
    func starredBlock() {
        let trivia: Trivia = [.docBlockComment("/**\n * First line.\n *\n * Second line.\n */"), .newlines(1)]
        #expect(DocComment.text(in: trivia) == "First line.\n\nSecond line.")
    }

    @Test("a /** */ block without stars loses the indentation its lines share")
    func indentedBlock() {
        let trivia: Trivia = [.docBlockComment("/**\n    First line.\n      indented\n    */")]
        #expect(DocComment.text(in: trivia) == "First line.\n  indented")
    }

    @Test("a one-line /** */ block is trimmed")
    func oneLineBlock() {
        #expect(DocComment.text(in: [.docBlockComment("/** Summarize. */")]) == "Summarize.")
    }

    @Test("ordinary comments are not documentation and end earlier doc comments")
    func ordinaryComments() {
        let header: Trivia = [
            .docLineComment("/// Stale."), .newlines(2),
            .lineComment("// Copyright"), .newlines(1),
            .docLineComment("/// Fresh."), .newlines(1),
        ]
        #expect(DocComment.text(in: header) == "Fresh.")
        #expect(DocComment.text(in: [.lineComment("// Not docs."), .newlines(1)]) == nil)
    }

    @Test("no comment or a blank one gives nil")
    func absent() {
        #expect(DocComment.text(in: []) == nil)
        #expect(DocComment.text(in: [.docLineComment("///"), .newlines(1), .spaces(4)]) == nil)
    }
}
