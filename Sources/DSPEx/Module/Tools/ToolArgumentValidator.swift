import OrderedCollections

/// Checks a model's tool arguments as DSPy does with `jsonschema` before it calls a tool: every argument must be
/// declared and match its schema (`type`, `items`, `additionalProperties`, `enum`, `const`, `anyOf`), every
/// required one present; absent optional ones take their `default`.
enum ToolArgumentValidator {
    static func validate(
        _ given: OrderedDictionary<String, Value>, for tool: some Tool
    ) throws(ToolError) -> ToolArguments {
        for (name, value) in given {
            guard let schema = tool.arguments[name] else {
                throw ToolError(
                    code: .unknownArgument, tool: tool.name, message: "Arg \(name) is not in the tool's args.")
            }
            if let problem = mismatch(value, schema) {
                throw ToolError(code: .invalidArgument, tool: tool.name, message: "Arg \(name) is invalid: \(problem)")
            }
        }
        var values = OrderedDictionary<String, Value>()
        var missing: [String] = []
        for (name, schema) in tool.arguments {
            if let value = given[name] {
                values[name] = value
            } else if let fallback = schema["default"] {
                values[name] = fallback
            } else {
                missing.append(name)
            }
        }
        if !missing.isEmpty {
            let names = missing.map { "'\($0)'" }.joined(separator: ", ")
            throw ToolError(
                code: .missingArgument, tool: tool.name,
                message:
                    "\(tool.name)() is missing \(missing.count) required argument\(missing.count == 1 ? "" : "s"): "
                    + names)
        }
        return ToolArguments(tool: tool.name, values: values)
    }

    /// Why `value` does not match `schema`, in `jsonschema`'s words, or `nil` when it does.
    static func mismatch(_ value: Value, _ schema: Value) -> String? {
        if let options = schema["anyOf"]?.arrayValue {
            let problems = options.map { mismatch(value, $0) }
            if problems.contains(where: { $0 == nil }) { return nil }
            return "\(value.pythonRepr) is not valid under any of the given schemas"
        }
        if let constant = schema["const"], constant != value {
            return "\(constant.pythonRepr) was expected"
        }
        if let options = schema["enum"]?.arrayValue, !options.contains(value) {
            return "\(value.pythonRepr) is not one of \(Value.array(options).pythonRepr)"
        }
        if let type = schema["type"]?.stringValue, !matches(value, type: type) {
            return "\(value.pythonRepr) is not of type '\(type)'"
        }
        if case .array(let elements) = value, let items = schema["items"], case .object = items {
            for element in elements {
                if let problem = mismatch(element, items) { return problem }
            }
        }
        if case .object(let members) = value, let extra = schema["additionalProperties"] {
            let declared = schema["properties"]?.objectValue ?? [:]
            for (key, member) in members {
                if let property = declared[key] {
                    if let problem = mismatch(member, property) { return problem }
                } else if extra == .bool(false) {
                    return "Additional properties are not allowed (\(FieldType.pythonRepr(key)) was unexpected)"
                } else if case .object = extra, let problem = mismatch(member, extra) {
                    return problem
                }
            }
        }
        return nil
    }

    private static func matches(_ value: Value, type: String) -> Bool {
        switch (type, value) {
        case ("string", .string), ("boolean", .bool), ("array", .array), ("object", .object), ("null", .null):
            return true
        case ("integer", .int), ("number", .int), ("number", .double): return true
        case ("integer", .double(let double)): return double.rounded() == double
        case (let other, _):
            return !["string", "boolean", "array", "object", "null", "integer", "number"].contains(other)
        }
    }
}
