import Foundation
import Yams

extension PipelineFileDecoder {
    /// A stage's `tools:` list: built-in kinds by name, or mappings with `kind` and its keys.
    func decodeTools(_ node: Node, context: String) throws(PipelineFileError) -> [ToolSpec] {
        let kinds = ToolSpec.Kind.allCases.map(\.rawValue)
        var tools: [ToolSpec] = []
        for element in try reader.elements(of: node, expected: "a list of tools for 'tools' \(context)") {
            let tool: ToolSpec
            if case .scalar = element {
                let kind = try toolKind(element, allowed: kinds)
                guard kind == .calculator else {
                    throw reader.error(
                        .invalidValue, "a '\(kind.rawValue)' tool needs a mapping with its settings", at: element,
                        suggestion: "write it as {kind: \(kind.rawValue), name: ..., ...}")
                }
                tool = ToolSpec(kind: kind, location: reader.location(of: element))
            } else {
                tool = try decodeTool(element, kinds: kinds, context: context)
            }
            tools.append(tool)
        }
        return tools
    }

    private func toolKind(_ node: Node, allowed: [String]) throws(PipelineFileError) -> ToolSpec.Kind {
        let text = try reader.string(node, expected: "a tool kind: \(allowed.joined(separator: ", "))")
        guard let kind = ToolSpec.Kind(rawValue: text) else {
            let hint = SpellingSuggestion.closest(to: text, among: allowed).map { "did you mean '\($0)'? " } ?? ""
            throw reader.error(
                .invalidValue, "unknown tool kind '\(text)'", at: node,
                suggestion: hint + "expected " + SpellingSuggestion.list(allowed))
        }
        return kind
    }

    private func decodeTool(_ node: Node, kinds: [String], context: String) throws(PipelineFileError) -> ToolSpec {
        let entries = try reader.entries(of: node, expected: "a tool (a kind, or a mapping with 'kind')")
        let where_ = "in a tool \(context)"
        try reader.checkKeys(entries, allowed: ToolSpec.keys, context: where_)
        let kind = try toolKind(
            try reader.required("kind", in: entries, of: node, context: where_).value, allowed: kinds)
        var spec = ToolSpec(kind: kind, location: reader.location(of: node))
        func text(_ key: String) throws(PipelineFileError) -> String? {
            guard let entry = reader.optional(key, in: entries) else { return nil }
            return try reader.string(entry.value, expected: "text for '\(key)'")
        }
        func strings(_ key: String) throws(PipelineFileError) -> [String]? {
            guard let entry = reader.optional(key, in: entries) else { return nil }
            var list: [String] = []
            for item in try reader.elements(of: entry.value, expected: "a list of strings for '\(key)'") {
                list.append(try reader.string(item, expected: "text in '\(key)'"))
            }
            return list
        }
        func url(_ key: String) throws(PipelineFileError) -> URL? {
            guard let entry = reader.optional(key, in: entries) else { return nil }
            let value = try reader.string(entry.value, expected: "a URL for '\(key)'")
            guard let url = URL(string: value), let scheme = url.scheme, ["http", "https"].contains(scheme),
                url.host != nil
            else {
                throw reader.error(
                    .invalidValue, "'\(key)' must be an http or https URL, not '\(value)'", at: entry.value)
            }
            return url
        }
        spec.name = try text("name")
        spec.description = try text("description")
        if let entry = reader.optional("timeout", in: entries) {
            let seconds = try reader.number(entry.value, expected: "a number of seconds for 'timeout'")
            guard seconds > 0 else {
                throw reader.error(.invalidValue, "'timeout' must be positive, found \(seconds)", at: entry.value)
            }
            spec.timeout = .milliseconds(Int64(seconds * 1000))
        }
        let allowed: [String]
        switch kind {
        case .calculator:
            allowed = ["kind", "name", "description"]
        case .httpGet:
            allowed = ["kind", "name", "description", "base_url", "timeout"]
            spec.baseURL = try url("base_url")
        case .command:
            allowed = ["kind", "name", "description", "argv", "parameters", "timeout"]
            spec.argv = try strings("argv") ?? []
            if let entry = reader.optional("parameters", in: entries) {
                for pair in try reader.entries(of: entry.value, expected: "a mapping of parameter names to types") {
                    let typeText = try reader.string(pair.value, expected: "a type such as str or int")
                    do {
                        spec.parameters.append(ToolParameter(pair.key, type: try FieldType(parsing: typeText)))
                    } catch {
                        throw reader.error(
                            .invalidValue, "bad type for parameter '\(pair.key)': \(error.message)", at: pair.value)
                    }
                }
            }
        case .mcp:
            allowed = ["kind", "command", "url", "tools", "timeout"]
            spec.argv = try strings("command") ?? []
            spec.url = try url("url")
            spec.only = try strings("tools")
            if spec.argv.isEmpty == (spec.url == nil) {
                throw reader.error(
                    .missingField, "an 'mcp' tool needs exactly one of 'command' (a list) and 'url'", at: node)
            }
        }
        for entry in entries where !allowed.contains(entry.key) {
            throw reader.error(
                .unknownKey, "'\(entry.key)' does not apply to a '\(kind.rawValue)' tool", at: entry.keyNode,
                suggestion: "it takes " + SpellingSuggestion.list(allowed.filter { $0 != "kind" }))
        }
        if kind == .httpGet, spec.name == nil || spec.baseURL == nil {
            throw reader.error(.missingField, "an 'http_get' tool needs 'name' and 'base_url'", at: node)
        }
        if kind == .command, spec.name == nil || spec.argv.isEmpty {
            throw reader.error(.missingField, "a 'command' tool needs 'name' and 'argv'", at: node)
        }
        if kind != .mcp { _ = try spec.makeBuiltinTool() }  // a bad name or a missing program, located here
        return spec
    }
}
