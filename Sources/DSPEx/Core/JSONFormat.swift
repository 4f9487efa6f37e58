/// How ``Value`` is written as JSON text.
///
/// The presets match the serializers DSPy's wire formats are made of: ``compact`` for
/// network bodies, ``python`` for `json.dumps(value)` (", " and ": " separators, ASCII only),
/// ``pythonUnicode`` for `json.dumps(value, ensure_ascii=False)`, and ``pretty(indent:)``
/// for saved programs.
public struct JSONFormat: Sendable, Hashable {
    /// Written between array elements and object members (before any newline and indentation).
    public var itemSeparator: String
    /// Written between an object key and its value.
    public var keySeparator: String
    /// Spaces per nesting level; `nil` writes everything on one line.
    public var indent: Int?
    /// Writes object members sorted by key instead of in insertion order.
    public var sortKeys: Bool
    /// Escapes every non-ASCII character as `\uXXXX`, as Python's `ensure_ascii=True` does.
    public var escapeNonASCII: Bool

    /// Creates a format; the defaults are the compact format.
    public init(
        itemSeparator: String = ",", keySeparator: String = ":", indent: Int? = nil, sortKeys: Bool = false,
        escapeNonASCII: Bool = false
    ) {
        self.itemSeparator = itemSeparator
        self.keySeparator = keySeparator
        self.indent = indent
        self.sortKeys = sortKeys
        self.escapeNonASCII = escapeNonASCII
    }

    /// No spaces, insertion order, UTF-8 kept: request bodies and stored rows.
    public static let compact = JSONFormat()
    /// Python's `json.dumps(value)`: `", "` and `": "` separators, non-ASCII escaped.
    public static let python = JSONFormat(itemSeparator: ", ", keySeparator: ": ", escapeNonASCII: true)
    /// Python's `json.dumps(value, ensure_ascii=False)`.
    public static let pythonUnicode = JSONFormat(itemSeparator: ", ", keySeparator: ": ")
    /// Indented output, as Python's `json.dumps(value, indent=n, ensure_ascii=False)` writes it.
    public static func pretty(indent: Int = 2) -> JSONFormat {
        JSONFormat(itemSeparator: ",", keySeparator: ": ", indent: indent)
    }
}
