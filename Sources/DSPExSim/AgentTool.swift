/// A tool listed in a ReAct prompt's instructions — `(1) calculator, whose description is <desc>…</desc>. It takes
/// arguments {'expression': {'type': 'string'}}.` — with the names of its arguments in order.
struct AgentTool: Sendable, Equatable {
    var name: String
    var arguments: [String]

    /// The tools DSPy's ReAct lists in `instructions`, one per `(N) name…` line.
    static func tools(in instructions: String) -> [AgentTool] {
        var tools: [AgentTool] = []
        for line in instructions.split(separator: "\n") {
            var rest = line.drop { $0 == " " }
            guard rest.first == "(", let close = rest.firstIndex(of: ")"),
                rest[rest.index(after: rest.startIndex)..<close].allSatisfy(\.isNumber)
            else { continue }
            rest = rest[rest.index(after: close)...].drop { $0 == " " }
            let name = rest.prefix { $0 != "," && $0 != "." && $0 != " " }
            guard !name.isEmpty, let marker = rest.range(of: "It takes arguments {") else { continue }
            tools.append(AgentTool(name: String(name), arguments: topLevelKeys(rest[marker.upperBound...])))
        }
        return tools
    }

    /// The keys of a Python dict repr at depth one, from just after its `{`.
    private static func topLevelKeys(_ text: Substring) -> [String] {
        var keys: [String] = []
        var depth = 1
        var quote: Character?
        var current = ""
        var expectingKey = true
        for character in text {
            if let open = quote {
                if character == open {
                    quote = nil
                    if depth == 1, expectingKey {
                        keys.append(current)
                        expectingKey = false
                    }
                } else if depth == 1, expectingKey {
                    current.append(character)
                }
                continue
            }
            switch character {
            case "'", "\"":
                quote = character
                current = ""
            case "{", "[": depth += 1
            case "}", "]":
                depth -= 1
                if depth == 0 { return keys }
            case "," where depth == 1: expectingKey = true
            default: break
            }
        }
        return keys
    }
}
