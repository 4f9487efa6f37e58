/// A piece of HTML in which everything interpolated is escaped unless it is itself `HTML`: text from a dataset, a
/// model or a store can only ever appear as text (a reply containing `<script>` is shown, never run).
///
/// ```swift
/// let reply = "<script>alert(1)</script>"
/// let cell: HTML = "<td class=\"reply\">\(reply)</td>"
/// cell.text   // <td class="reply">&lt;script&gt;alert(1)&lt;/script&gt;</td>
/// ```
public struct HTML: Sendable, Hashable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The markup.
    public private(set) var text: String

    /// Markup taken as it is: only for text written in this module, never for data.
    init(trusted text: String) {
        self.text = text
    }

    public init(stringLiteral value: String) {
        text = value
    }

    public init(stringInterpolation: StringInterpolation) {
        text = stringInterpolation.text
    }

    public var description: String { text }

    /// Builds `HTML` from literal markup and escaped values.
    public struct StringInterpolation: StringInterpolationProtocol {
        var text = ""

        public init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + interpolationCount * 16)
        }

        public mutating func appendLiteral(_ literal: String) {
            text += literal
        }

        /// Appends markup as it is.
        public mutating func appendInterpolation(_ html: HTML) {
            text += html.text
        }

        /// Appends markup pieces as they are.
        public mutating func appendInterpolation(_ pieces: [HTML]) {
            for piece in pieces { text += piece.text }
        }

        /// Appends text, escaped.
        public mutating func appendInterpolation(_ value: some StringProtocol) {
            text += HTML.escape(String(value))
        }

        /// Appends a number or anything else printable, escaped.
        public mutating func appendInterpolation(_ value: some CustomStringConvertible) {
            text += HTML.escape(value.description)
        }
    }

    /// `text` with `&`, `<`, `>`, `"` and `'` escaped: safe in element content and in quoted attribute values.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// Pieces joined into one.
    public static func joined(_ pieces: some Sequence<HTML>, separator: HTML = "") -> HTML {
        HTML(trusted: pieces.map(\.text).joined(separator: separator.text))
    }
}
