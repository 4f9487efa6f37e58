import OrderedCollections
import Yams

/// One key and its value in a YAML mapping, the key read as text.
struct MappingEntry {
    /// The key's text.
    var key: String
    /// The key's node, for locating errors about the key.
    var keyNode: Node
    /// The value's node.
    var value: Node
}

/// Typed, located access to the YAML nodes of one pipeline file.
///
/// Every accessor either returns the value in the shape asked for or throws a
/// ``PipelineFileError`` that points at the node and says what was expected, so the decoder
/// reads like the file format it implements. Scalars are read with YAML 1.2's core schema
/// (`yes` and `no` stay text) after `${VAR}` expansion.
struct NodeReader {
    /// The path reported in locations.
    let file: String
    /// The file's lines, to show under errors and to map offsets inside scalars to columns.
    let lines: [String]
    /// Expands `${VAR}` in scalar values.
    let expander: VariableExpander

    init(file: String, text: String, environment: [String: String]) {
        self.file = file
        self.lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        self.expander = VariableExpander(environment: environment)
    }

    // MARK: Locations and errors

    /// The place where `node` starts; the top of the file when the node has no mark.
    func location(of node: Node) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    /// The place of the character `offset` characters into a scalar's value, when the value can
    /// be found verbatim in the file at the scalar's position; otherwise the scalar's start.
    ///
    /// This is how a column inside a signature string or a `${VAR}` is reported: exact for plain
    /// and quoted scalars without escapes before the offset, the scalar's start for block scalars.
    func location(ofOffset offset: Int, in node: Node) -> SourceLocation {
        let start = location(of: node)
        guard case .scalar(let scalar) = node, lines.indices.contains(start.line - 1) else { return start }
        let valueColumn: Int
        switch scalar.style {
        case .plain, .any: valueColumn = start.column
        case .singleQuoted, .doubleQuoted: valueColumn = start.column + 1
        case .literal, .folded: return start
        }
        let prefix = String(scalar.string.prefix(offset)).unicodeScalars
        let rest = lines[start.line - 1].unicodeScalars.dropFirst(valueColumn - 1)
        guard rest.starts(with: prefix) else { return start }
        return SourceLocation(file: file, line: start.line, column: valueColumn + prefix.count)
    }

    /// An error at `location`, with the source line unless `showingLine` is false.
    func error(
        _ code: PipelineFileError.Code, _ message: String, at location: SourceLocation, suggestion: String? = nil,
        showingLine: Bool = true
    ) -> PipelineFileError {
        let line = showingLine && lines.indices.contains(location.line - 1) ? lines[location.line - 1] : nil
        return PipelineFileError(
            code: code, message: message, location: location, suggestion: suggestion, sourceLine: line)
    }

    /// An error at the start of `node`.
    func error(
        _ code: PipelineFileError.Code, _ message: String, at node: Node, suggestion: String? = nil
    ) -> PipelineFileError {
        error(code, message, at: location(of: node), suggestion: suggestion)
    }

    /// A `wrong_type` error: `expected <what>, found <node>`.
    func wrongType(_ what: String, found node: Node) -> PipelineFileError {
        error(.wrongType, "expected \(what), found \(describe(node))", at: node)
    }

    /// A short description of a node for messages: `a mapping`, `a list`, `the text 'fast'`.
    func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            switch Self.coreValue(scalar, text: scalar.string) {
            case .null: return scalar.string.isEmpty ? "nothing" : "null"
            case .bool(let bool): return "the boolean \(bool)"
            case .int, .double: return "the number \(scalar.string)"
            default:
                let text = scalar.string.count > 40 ? String(scalar.string.prefix(37)) + "..." : scalar.string
                return "the text '\(text)'"
            }
        }
    }

    // MARK: Mappings and lists

    /// The entries of a mapping, with `<<` merge keys applied (keys written in the mapping win).
    func entries(of node: Node, expected what: String) throws(PipelineFileError) -> [MappingEntry] {
        guard case .mapping(let mapping) = node else { throw wrongType(what, found: node) }
        var own: [MappingEntry] = []
        var merged: [MappingEntry] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let keyScalar) = keyNode else {
                throw error(.wrongType, "expected a text key, found \(describe(keyNode))", at: keyNode)
            }
            if keyScalar.string == "<<", keyScalar.style == .plain {
                let sources = value.sequence.map(Array.init) ?? [value]
                for source in sources {
                    merged += try entries(of: source, expected: "a mapping to merge with '<<'")
                }
                continue
            }
            own.append(MappingEntry(key: keyScalar.string, keyNode: keyNode, value: value))
        }
        let ownKeys = Set(own.map(\.key))
        var seen = Set<String>()
        let inherited = merged.filter { !ownKeys.contains($0.key) && seen.insert($0.key).inserted }
        return own + inherited
    }

    /// Throws `unknown_key` for the first key not in `allowed`, with a spelling hint.
    func checkKeys(_ entries: [MappingEntry], allowed: [String], context: String) throws(PipelineFileError) {
        for entry in entries where !allowed.contains(entry.key) {
            throw error(
                .unknownKey, "unknown key '\(entry.key)' \(context)", at: entry.keyNode,
                suggestion: SpellingSuggestion.hint(for: entry.key, among: allowed))
        }
    }

    /// The value of `key`, or `nil` when the key is absent or its value is null.
    func optional(_ key: String, in entries: [MappingEntry]) -> MappingEntry? {
        guard let entry = entries.first(where: { $0.key == key }) else { return nil }
        if case .scalar(let scalar) = entry.value, case .null = Self.coreValue(scalar, text: scalar.string) {
            return nil
        }
        return entry
    }

    /// The value of `key`; throws `missing_field` at `mapping` when the key is absent.
    func required(
        _ key: String, in entries: [MappingEntry], of mapping: Node, context: String
    ) throws(PipelineFileError) -> MappingEntry {
        guard let entry = entries.first(where: { $0.key == key }) else {
            throw error(.missingField, "missing required key '\(key)' \(context)", at: mapping)
        }
        return entry
    }

    /// The elements of a list.
    func elements(of node: Node, expected what: String) throws(PipelineFileError) -> [Node] {
        guard case .sequence(let sequence) = node else { throw wrongType(what, found: node) }
        return Array(sequence)
    }

    // MARK: Scalars

    /// A scalar's text as written, without variable expansion.
    func rawString(_ node: Node, expected what: String) throws(PipelineFileError) -> String {
        guard case .scalar(let scalar) = node else { throw wrongType(what, found: node) }
        if case .null = Self.coreValue(scalar, text: scalar.string) { throw wrongType(what, found: node) }
        return scalar.string
    }

    /// A scalar's text after variable expansion. Numbers and booleans are accepted as their text.
    func string(_ node: Node, expected what: String) throws(PipelineFileError) -> String {
        try expand(rawString(node, expected: what), in: node)
    }

    /// A whole number (a plain scalar, after variable expansion).
    func integer(_ node: Node, expected what: String) throws(PipelineFileError) -> Int {
        guard case .int(let int) = try scalarValue(node, expected: what) else { throw wrongType(what, found: node) }
        return int
    }

    /// A number, whole or not (a plain scalar, after variable expansion).
    func number(_ node: Node, expected what: String) throws(PipelineFileError) -> Double {
        switch try scalarValue(node, expected: what) {
        case .int(let int): return Double(int)
        case .double(let double): return double
        default: throw wrongType(what, found: node)
        }
    }

    /// The most nodes one value may expand to; aliases can make a short file describe a huge tree.
    static let valueNodeLimit = 100_000

    /// Any node as a ``Value``: mappings keep their key order; scalars are expanded and typed.
    ///
    /// - Parameter owner: The node to blame when the value is too large (its key, say), since an
    ///   aliased node carries the location of its anchor.
    func value(_ node: Node, owner: Node? = nil) throws(PipelineFileError) -> Value {
        var budget = Self.valueNodeLimit
        return try value(node, root: owner ?? node, budget: &budget)
    }

    private func value(_ node: Node, root: Node, budget: inout Int) throws(PipelineFileError) -> Value {
        budget -= 1
        guard budget >= 0 else {
            throw error(
                .invalidValue, "this value expands to more than \(Self.valueNodeLimit) nodes (through aliases)",
                at: root)
        }
        switch node {
        case .scalar:
            return try scalarValue(node, expected: "a value")
        case .sequence(let sequence):
            var array: [Value] = []
            for element in sequence { array.append(try value(element, root: root, budget: &budget)) }
            return .array(array)
        case .mapping:
            var object = OrderedDictionary<String, Value>()
            for entry in try entries(of: node, expected: "a mapping") {
                object[entry.key] = try value(entry.value, root: root, budget: &budget)
            }
            return .object(object)
        case .alias:
            throw wrongType("a value", found: node)
        }
    }

    /// A scalar as a typed value after variable expansion.
    private func scalarValue(_ node: Node, expected what: String) throws(PipelineFileError) -> Value {
        guard case .scalar(let scalar) = node else { throw wrongType(what, found: node) }
        return Self.coreValue(scalar, text: try expand(scalar.string, in: node))
    }

    /// Expands `${VAR}` in a scalar's text, locating failures inside the scalar.
    func expand(_ text: String, in node: Node) throws(PipelineFileError) -> String {
        do {
            return try expander.expand(text)
        } catch {
            throw self.error(error.code, error.message, at: location(ofOffset: error.offset, in: node))
        }
    }

    /// The value of a scalar under YAML 1.2's core schema: quoted and block scalars are text;
    /// plain ones are null (`~`, `null`, empty), booleans (`true`, `false`), integers (decimal,
    /// `0o` octal, `0x` hexadecimal), floats (including `.inf` and `.nan`) or text.
    static func coreValue(_ scalar: Node.Scalar, text: String) -> Value {
        if scalar.style != .plain || scalar.tag.rawValue == Tag.Name.str.rawValue { return .string(text) }
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .double(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
        case ".nan", ".NaN", ".NAN": return .double(.nan)
        default: break
        }
        if let int = integer(text) { return .int(int) }
        let numeric = text.allSatisfy { $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }
        if numeric, text.contains(where: \.isNumber), let double = Double(text) { return .double(double) }
        return .string(text)
    }

    /// A YAML 1.2 core-schema integer: `[-+]?[0-9]+`, `0o[0-7]+` or `0x[0-9a-fA-F]+`.
    private static func integer(_ text: String) -> Int? {
        for (prefix, radix) in [("0o", 8), ("0x", 16)] where text.hasPrefix(prefix) {
            let digits = text.dropFirst(2)
            guard let first = digits.first, first.isHexDigit else { return nil }
            return Int(digits, radix: radix)
        }
        let digits = text.first == "-" || text.first == "+" ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }
}
