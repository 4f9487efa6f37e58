import SwiftSyntax

/// The text of the documentation comment in front of a declaration.
///
/// Both styles are read: `///` lines and `/** */` blocks. Comment markers (and a leading `*` on
/// the lines of a block) are removed along with one space after them; lines are joined with
/// `"\n"` and the result is trimmed. Only the doc comments after the last ordinary comment count,
/// so a license header above the declaration is never mistaken for its documentation.
///
/// ```swift
/// let text = DocComment.text(in: structDecl.leadingTrivia)   // "Answer questions with ..."
/// ```
public enum DocComment {
    /// Returns the documentation in `trivia`, or `nil` when there is none or it is blank.
    public static func text(in trivia: Trivia) -> String? {
        var lines: [String] = []
        for piece in trivia {
            switch piece {
            case .docLineComment(let comment):
                lines.append(lineCommentText(comment))
            case .docBlockComment(let comment):
                lines.append(contentsOf: blockCommentLines(comment))
            case .lineComment, .blockComment:
                lines.removeAll()
            default:
                continue
            }
        }
        let text = lines.joined(separator: "\n").trimmingWhitespace()
        return text.isEmpty ? nil : text
    }

    /// `/// text` becomes `text`.
    private static func lineCommentText(_ comment: String) -> String {
        removingOneLeadingSpace(comment.dropFirst(3))
    }

    /// The lines of a `/** ... */` block, without the delimiters, leading `*`s, or the
    /// indentation the lines share.
    private static func blockCommentLines(_ comment: String) -> [String] {
        var body = Substring(comment.dropFirst(3))
        if body.hasSuffix("*/") {
            body = body.dropLast(2)
        }
        let rawLines = body.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? $0.dropLast() : $0
        }
        let starred = rawLines.dropFirst().allSatisfy { line in
            let content = line.drop { $0 == " " || $0 == "\t" }
            return content.isEmpty || content.hasPrefix("*")
        }
        let indentation =
            rawLines.dropFirst()
            .filter { !$0.allSatisfy { $0 == " " || $0 == "\t" } }
            .map { $0.prefix { $0 == " " || $0 == "\t" }.count }
            .min() ?? 0
        return rawLines.enumerated().map { index, line in
            if index == 0 {
                return removingOneLeadingSpace(line)
            }
            if starred {
                let content = line.drop { $0 == " " || $0 == "\t" }
                return removingOneLeadingSpace(content.dropFirst())
            }
            return String(line.dropFirst(indentation))
        }
    }

    private static func removingOneLeadingSpace(_ text: Substring) -> String {
        String(text.hasPrefix(" ") ? text.dropFirst() : text)
    }
}

extension String {
    /// This string without leading and trailing spaces, tabs and newlines (no Foundation needed).
    fileprivate func trimmingWhitespace() -> String {
        let isWhitespace: (Character) -> Bool = { $0.isWhitespace }
        guard let first = firstIndex(where: { !isWhitespace($0) }),
            let last = lastIndex(where: { !isWhitespace($0) })
        else {
            return ""
        }
        return String(self[first...last])
    }
}
