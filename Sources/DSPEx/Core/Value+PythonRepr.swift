extension Value {
    /// Python's `repr` of the value DSPy would hold: `{'a': 1, 'b': [True, None]}` — how a `dspy.Tool` shows its
    /// argument schemas inside ReAct's instructions.
    ///
    /// ```swift
    /// Value.object(["x": ["type": "integer"]]).pythonRepr   // "{'x': {'type': 'integer'}}"
    /// ```
    public var pythonRepr: String {
        switch self {
        case .null: return "None"
        case .bool(let bool): return bool ? "True" : "False"
        case .int(let int): return String(int)
        case .double(let double):
            if double.isNaN { return "nan" }
            if double.isInfinite { return double < 0 ? "-inf" : "inf" }
            return double.description
        case .string(let string): return FieldType.pythonRepr(string)
        case .array(let elements): return "[" + elements.map(\.pythonRepr).joined(separator: ", ") + "]"
        case .object(let members):
            return "{"
                + members.map { FieldType.pythonRepr($0.key) + ": " + $0.value.pythonRepr }
                .joined(separator: ", ") + "}"
        }
    }
}
