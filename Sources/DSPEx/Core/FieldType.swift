/// The type of a signature field, as DSPy spells field annotations.
///
/// Parse either spelling with ``init(parsing:)``: DSPy's (`str`, `int`, `float`, `bool`,
/// `list[str]`, `Literal['yes', 'no']`, `dict`, `Optional[int]`) or Swift's (`String`,
/// `Int`, `Double`, `Bool`, `[String]`, `String?`).
public indirect enum FieldType: Sendable, Hashable {
    /// Text (`str`).
    case string
    /// A whole number (`int`).
    case int
    /// A floating-point number (`float`).
    case double
    /// `True` or `False` (`bool`).
    case bool
    /// A list of values of one type (`list[str]`).
    case list(FieldType)
    /// One of a fixed set of strings (`Literal['a', 'b']`).
    case literal([String])
    /// Any JSON object (`dict`).
    case json
    /// A JSON object whose values have one type (`dict[str, int]`); `.dictionary(.json)` is `dict[str, Any]`.
    case dictionary(FieldType)
    /// A value that may be absent (`Optional[int]`).
    case optional(FieldType)
    /// Tools a model may call (`list[dspy.Tool]`): the value is an array of their OpenAI function definitions
    /// (``Tool/functionDefinition``).
    case toolList
    /// The tool calls a model chose (`dspy.ToolCalls`): `{"tool_calls": [{"name", "args"}]}`.
    case toolCalls

    /// The annotation DSPy shows for this type in prompts, such as `list[str]`.
    public var pythonName: String {
        switch self {
        case .string: return "str"
        case .int: return "int"
        case .double: return "float"
        case .bool: return "bool"
        case .list(let element): return "list[\(element.pythonName)]"
        case .literal(let options):
            return "Literal[" + options.map(FieldType.pythonRepr).joined(separator: ", ") + "]"
        case .json: return "dict[str, Any]"
        case .dictionary(let value): return "dict[str, \(value == .json ? "Any" : value.pythonName)]"
        case .optional(let wrapped): return "Optional[\(wrapped.pythonName)]"
        case .toolList: return "list[Tool]"
        case .toolCalls: return "ToolCalls"
        }
    }

    /// The type without any optional wrapper.
    public var unwrapped: FieldType {
        if case .optional(let wrapped) = self { return wrapped.unwrapped }
        return self
    }

    /// Whether a value of this type may be absent.
    public var isOptional: Bool {
        if case .optional = self { return true }
        return false
    }

    /// Python's `repr` of a string: single quotes unless the text holds one and no double quote.
    static func pythonRepr(_ string: String) -> String {
        let quote: Character = string.contains("'") && !string.contains("\"") ? "\"" : "'"
        var output = String(quote)
        for character in string {
            switch character {
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case quote: output += "\\" + String(quote)
            default: output.append(character)
            }
        }
        output.append(quote)
        return output
    }
}
