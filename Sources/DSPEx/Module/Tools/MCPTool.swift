import DSPExProcess
import MCP
import OrderedCollections
import Synchronization

/// One tool of an ``MCPServer``, callable by an agent: its schema from the server's `inputSchema` (argument
/// descriptions marked `(Required)`, as DSPy's `convert_input_schema_to_tool_args` does), its result converted as
/// DSPy converts it — the text of a single text content, a list of texts for several, a server-side error
/// (`isError`) reported to the model as `Failed to call a MCP tool: …`.
///
/// The SDK decodes a schema's properties into an unordered dictionary, so the arguments are ordered as the
/// schema's `required` list, then by name (DSPy keeps the server's order).
public struct MCPTool: Tool {
    public var name: String
    public var description: String?
    public var arguments: OrderedDictionary<String, Value>
    public var timeout: Duration?
    private let connection: Connection

    /// The server connection a tool calls through: the client, and the signal that the connection has ended.
    struct Connection: Sendable {
        var client: Client
        var closed: ExitSignal
        /// The server's command or URL, for errors.
        var label: String
    }

    init(_ tool: MCP.Tool, connection: Connection, timeout: Duration?) throws(ToolError) {
        try FunctionTool.checkName(tool.name)
        name = tool.name
        description = tool.description
        self.connection = connection
        self.timeout = timeout
        let schema = Value(mcp: tool.inputSchema)
        let properties = schema["properties"]?.objectValue ?? [:]
        let required = (schema["required"]?.arrayValue ?? []).compactMap(\.stringValue)
        let order =
            required.filter { properties[$0] != nil } + properties.keys.sorted().filter { !required.contains($0) }
        var arguments = OrderedDictionary<String, Value>()
        for key in order {
            guard case .object(var property) = properties[key] ?? .null else { continue }
            var description = property["description"]?.stringValue ?? "No description provided."
            if required.contains(key) { description += " (Required)" }
            property["description"] = .string(description)
            arguments[key] = .object(property)
        }
        self.arguments = arguments
    }

    public func call(_ arguments: ToolArguments) async throws -> Value {
        var given: [String: MCP.Value] = [:]
        for (key, value) in arguments.values { given[key] = value.mcpValue }
        let (content, isError) = try await Self.call(connection, name: name, arguments: given)
        var texts: [String] = []
        var others: [Value] = []
        for item in content {
            if case .text(let text, _, _) = item {
                texts.append(text)
            } else {
                others.append(.string(String(describing: item)))
            }
        }
        let result: Value = texts.count == 1 ? .string(texts[0]) : .array(texts.map(Value.string))
        if isError == true {
            throw ToolError(code: .failed, tool: name, message: "Failed to call a MCP tool: \(result.pythonRepr)")
        }
        if texts.isEmpty, !others.isEmpty { return .array(others) }
        return result
    }
}

extension MCPTool {
    /// One `tools/call`, cancellable: when the calling task is cancelled (a tool timeout, a cancelled run), the
    /// request is cancelled on the client — which ends the wait — and on the server. A connection that ends while
    /// the call waits (the server exited) fails the call at once.
    static func call(
        _ connection: Connection, name: String, arguments: [String: MCP.Value]
    ) async throws -> (content: [MCP.Tool.Content], isError: Bool?) {
        let client = connection.client
        let request: RequestContext<CallTool.Result> = try await client.callTool(name: name, arguments: arguments)
        let answered = AnsweredFlag()
        return try await withThrowingTaskGroup(of: CallTool.Result?.self) { group in
            group.addTask {
                let result = try await request.value
                answered.state.withLock { $0 = true }
                return result
            }
            group.addTask {
                // Sleeps until cancelled: by the call finishing (nothing to do) or by the caller (cancel the request).
                try? await Task.sleep(for: .seconds(86_400 * 365))
                if !answered.state.withLock({ $0 }) { try? await client.cancelRequest(request.requestID) }
                return nil
            }
            group.addTask {
                await connection.closed.wait()
                guard !Task.isCancelled else { return nil }
                throw ToolError(
                    code: .failed, tool: name,
                    message: "the MCP server \(connection.label) closed the connection before answering")
            }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let result = next { return (result.content, result.isError) }
            }
            throw CancellationError()
        }
    }
}

/// Whether a request was answered, shared by the two children of ``MCPTool/call(_:name:arguments:)``.
private final class AnsweredFlag: Sendable {
    let state = Mutex(false)
}

extension Value {
    /// The DSPEx value of an MCP value (object keys sorted: MCP's objects are unordered).
    init(mcp: MCP.Value) {
        switch mcp {
        case .null: self = .null
        case .bool(let bool): self = .bool(bool)
        case .int(let int): self = .int(int)
        case .double(let double): self = .double(double)
        case .string(let string): self = .string(string)
        case .data(let mimeType, let data):
            self = .string("data:\(mimeType ?? "application/octet-stream");base64,\(data.base64EncodedString())")
        case .array(let elements): self = .array(elements.map(Value.init(mcp:)))
        case .object(let members):
            self = .object(
                OrderedDictionary(
                    uniqueKeysWithValues: members.sorted { $0.key < $1.key }.map {
                        ($0.key, Value(mcp: $0.value))
                    }))
        }
    }

    /// The value as MCP sends it.
    var mcpValue: MCP.Value {
        switch self {
        case .null: .null
        case .bool(let bool): .bool(bool)
        case .int(let int): .int(int)
        case .double(let double): .double(double)
        case .string(let string): .string(string)
        case .array(let elements): .array(elements.map(\.mcpValue))
        case .object(let members):
            .object(Dictionary(uniqueKeysWithValues: members.map { ($0.key, $0.value.mcpValue) }))
        }
    }
}
