import Foundation

/// A tool a `react` stage may call, as a pipeline file declares it.
///
/// ```yaml
/// tools:
///   - calculator                                  # a built-in, by kind
///   - {kind: http_get, name: docs, base_url: "http://127.0.0.1:8080/docs/"}
///   - {kind: command, name: word_count, argv: [wc, -w, "{path}"], parameters: {path: str}, timeout: 5}
///   - {kind: mcp, command: [dspex-mcp-example], tools: [add, lookup]}    # or url: http://host/mcp
/// ```
public struct ToolSpec: Sendable, Hashable {
    /// What provides the tool.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// ``CalculatorTool``.
        case calculator
        /// ``HTTPGetTool``.
        case httpGet = "http_get"
        /// ``CommandTool``.
        case command
        /// Every tool an MCP server lists (``MCPServer``), or those named in `tools`.
        case mcp
    }

    /// The kind.
    public var kind: Kind
    /// The tool's name (built-ins have a default; MCP tools keep the server's names).
    public var name: String?
    /// The description shown to the model, when the file gives one.
    public var description: String?
    /// `http_get`: the allowed base URL.
    public var baseURL: URL?
    /// `command`: the program and its arguments; `mcp`: the server's command line.
    public var argv: [String]
    /// `command`: the typed parameters its `{placeholders}` name.
    public var parameters: [ToolParameter]
    /// `mcp`: the server's URL (instead of a command).
    public var url: URL?
    /// `mcp`: the tools to keep, or `nil` for all.
    public var only: [String]?
    /// The longest one call may take.
    public var timeout: Duration?
    /// Where the declaration is, for errors.
    public var location: SourceLocation

    /// The keys a tool mapping accepts.
    public static let keys = [
        "kind", "name", "description", "base_url", "argv", "parameters", "command", "url", "tools", "timeout",
    ]

    /// Creates a declaration.
    public init(
        kind: Kind, name: String? = nil, description: String? = nil, baseURL: URL? = nil, argv: [String] = [],
        parameters: [ToolParameter] = [], url: URL? = nil, only: [String]? = nil, timeout: Duration? = nil,
        location: SourceLocation
    ) {
        self.kind = kind
        self.name = name
        self.description = description
        self.baseURL = baseURL
        self.argv = argv
        self.parameters = parameters
        self.url = url
        self.only = only
        self.timeout = timeout
        self.location = location
    }

    /// The built-in tool declared (not `mcp`, which needs a connection: see ``PipelineSpec/connectTools()``).
    ///
    /// - Throws: ``PipelineFileError`` at the declaration, naming the tool.
    public func makeBuiltinTool() throws(PipelineFileError) -> any Tool {
        do {
            switch kind {
            case .calculator:
                return try CalculatorTool(name: name ?? "calculator", description: description)
            case .httpGet:
                guard let baseURL, let name else { throw missing("name and base_url") }
                return try HTTPGetTool(
                    name: name, description: description, baseURL: baseURL, timeout: timeout ?? .seconds(10))
            case .command:
                guard let name, !argv.isEmpty else { throw missing("name and argv") }
                return try CommandTool(
                    name: name, description: description, argv: argv, parameters: parameters,
                    timeout: timeout ?? .seconds(10))
            case .mcp:
                throw PipelineFileError(
                    code: .invalidValue, message: "MCP tools are listed by their server: connect with connectTools()",
                    location: location)
            }
        } catch let error as ToolError {
            throw PipelineFileError(
                code: .invalidValue, message: "bad tool '\(error.tool)': \(error.message)", location: location)
        } catch let error as PipelineFileError {
            throw error
        } catch {
            throw PipelineFileError(code: .invalidValue, message: "\(error)", location: location)
        }
    }

    private func missing(_ keys: String) -> PipelineFileError {
        PipelineFileError(
            code: .missingField, message: "a '\(kind.rawValue)' tool needs \(keys)", location: location)
    }
}
