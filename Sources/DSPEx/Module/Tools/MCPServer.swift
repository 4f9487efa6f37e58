import DSPExProcess
import Foundation
import MCP
import SystemPackage

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A connection to an MCP server whose tools an agent may call — DSPy's `dspy.Tool.from_mcp_tool` for every tool
/// the server lists.
///
/// Launch a server as a child process speaking over its standard input and output, or connect to one over HTTP
/// (streamable HTTP without server-sent events on Linux). The connection stays open while its tools are in use;
/// ``close()`` ends it (and the child).
///
/// ```swift
/// let server = try await MCPServer.launch(["dspex-mcp-example"])
/// let agent = try ReAct("question -> answer", tools: server.tools, lm: lm)
/// ```
public final class MCPServer: Sendable {
    /// The tools the server listed, in the order it listed them.
    public let tools: [MCPTool]
    /// A name for the server in errors: its command or URL.
    public let label: String
    private let client: Client
    private let process: SpawnedProcess?

    private init(tools: [MCPTool], label: String, client: Client, process: SpawnedProcess?) {
        self.tools = tools
        self.label = label
        self.client = client
        self.process = process
    }

    /// Starts `command` (its first element a path or a name in `PATH`) and lists its tools.
    ///
    /// - Parameters:
    ///   - timeout: The longest each tool call may take.
    ///   - only: When given, the names of the tools to keep; any missing one is an error.
    /// - Throws: ``ToolError`` (`bad_declaration`) naming the server when it cannot be started, does not answer, or
    ///   lacks a requested tool.
    public static func launch(
        _ command: [String], environment: [String: String?] = [:], timeout: Duration? = .seconds(30),
        only: [String]? = nil
    ) async throws(ToolError) -> MCPServer {
        let label = command.joined(separator: " ")
        guard let program = command.first, let executable = ExecutablePath.find(program) else {
            throw ToolError(
                code: .badDeclaration, tool: label,
                message: "cannot find the MCP server's program '\(command.first ?? "")'")
        }
        _ = ignoreBrokenPipes
        let process: SpawnedProcess
        do {
            process = try SpawnedProcess.startConnected(
                executable, Array(command.dropFirst()), environment: environment)
        } catch {
            throw ToolError(code: .badDeclaration, tool: label, message: "cannot start the MCP server: \(error)")
        }
        guard let pipes = process.connection else {
            throw ToolError(code: .badDeclaration, tool: label, message: "the MCP server has no connection")
        }
        let transport = StdioTransport(
            input: FileDescriptor(rawValue: pipes.output), output: FileDescriptor(rawValue: pipes.input))
        do {
            return try await connect(transport, label: label, process: process, timeout: timeout, only: only)
        } catch {
            process.send(SIGKILL)
            throw error
        }
    }

    /// Connects to an MCP server at `url` over HTTP and lists its tools.
    ///
    /// - Throws: ``ToolError`` (`bad_declaration`) naming the URL when it does not answer as an MCP server.
    public static func connect(
        url: URL, timeout: Duration? = .seconds(30), only: [String]? = nil
    ) async throws(ToolError) -> MCPServer {
        let transport = HTTPClientTransport(endpoint: url, streaming: false)
        return try await connect(transport, label: url.absoluteString, process: nil, timeout: timeout, only: only)
    }

    private static func connect(
        _ transport: any Transport, label: String, process: SpawnedProcess?, timeout: Duration?, only: [String]?
    ) async throws(ToolError) -> MCPServer {
        let client = Client(name: "dspex", version: DSPExVersion.current)
        let listed: [MCP.Tool]
        do {
            listed = try await handshake(client, transport, label: label, process: process)
        } catch let error as ToolError {
            await client.disconnect()
            throw error
        } catch {
            await client.disconnect()
            throw ToolError(
                code: .badDeclaration, tool: label, message: "the MCP server did not list its tools: \(error)")
        }
        var tools = try listed.map { tool throws(ToolError) in
            try MCPTool(tool, client: client, timeout: timeout)
        }
        if let only {
            for name in only where !tools.contains(where: { $0.name == name }) {
                await client.disconnect()
                throw ToolError(
                    code: .badDeclaration, tool: name,
                    message: "the MCP server \(label) has no tool '\(name)'; it lists "
                        + tools.map { "'\($0.name)'" }.joined(separator: ", "))
            }
            tools = only.compactMap { name in tools.first { $0.name == name } }
        }
        return MCPServer(tools: tools, label: label, client: client, process: process)
    }

    /// Connects and lists the tools, in one task group with two watchers: a server that exits, or does not answer
    /// within 30 s, must not hold the caller — the watcher disconnects the client, which ends the pending request.
    private static func handshake(
        _ client: Client, _ transport: any Transport, label: String, process: SpawnedProcess?
    ) async throws -> [MCP.Tool] {
        try await withThrowingTaskGroup(of: [MCP.Tool].self) { group in
            group.addTask {
                _ = try await client.connect(transport: transport)
                var tools: [MCP.Tool] = []
                var cursor: String?
                repeat {
                    let page = try await client.listTools(cursor: cursor)
                    tools += page.tools
                    cursor = page.nextCursor
                } while cursor != nil
                return tools
            }
            group.addTask {
                try await Task.sleep(for: .seconds(30))
                await client.disconnect()
                throw ToolError(
                    code: .badDeclaration, tool: label, message: "the MCP server did not answer within 30 s")
            }
            if let process {
                group.addTask {
                    guard let ended = await process.waitForExit() else { throw CancellationError() }
                    await client.disconnect()
                    throw ToolError(
                        code: .badDeclaration, tool: label,
                        message: "the MCP server exited (\(ended)) before listing its tools: "
                            + String(process.stderr.prefix(500)))
                }
            }
            defer { group.cancelAll() }
            guard let tools = try await group.next() else { throw CancellationError() }
            return tools
        }
    }

    /// Ends the connection and stops the server's process.
    public func close() async {
        await client.disconnect()
        if let process {
            if let pipes = process.connection {
                try? FileDescriptor(rawValue: pipes.input).close()
            }
            _ = await process.wait(timeout: 2)
        }
    }

    /// Writing to a server that has exited must fail with `EPIPE`, not kill this process with SIGPIPE.
    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    /// Call ``close()`` when done; a connection dropped without it only stops the server's process.
    deinit {
        process?.send(SIGKILL)
    }
}
