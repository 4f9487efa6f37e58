/// Indentation for the Swift source text the macro generates.
///
/// User expressions copied into the expansion (instructions, descriptions, prefixes) may span
/// lines, for example a `"""` string. ``aligning(_:to:)`` moves such an expression as a block so
/// that its last line (a closing `"""`) starts at the column of the surrounding code; every
/// line moves by the same amount, so a multi-line string keeps its content.
///
/// ```swift
/// GeneratedCodeLayout.indented("a\nb", levels: 2)   // "        a\n        b"
/// ```
public enum GeneratedCodeLayout {
    /// `text` with every non-empty line indented by `levels` times four spaces.
    public static func indented(_ text: String, levels: Int = 1) -> String {
        let indentation = String(repeating: " ", count: 4 * levels)
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.isEmpty ? "" : indentation + $0 }
            .joined(separator: "\n")
    }

    /// `text` with its second and later lines shifted so that its last line starts at `column`.
    /// One-line text is returned unchanged.
    public static func aligning(_ text: String, to column: Int) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count > 1, let last = lines.last else {
            return text
        }
        let shift = column - last.prefix { $0 == " " }.count
        for index in lines.indices.dropFirst() where !lines[index].isEmpty {
            if shift >= 0 {
                lines[index] = Substring(String(repeating: " ", count: shift)) + lines[index]
            } else {
                let removable = min(-shift, lines[index].prefix { $0 == " " }.count)
                lines[index] = lines[index].dropFirst(removable)
            }
        }
        return lines.joined(separator: "\n")
    }
}
