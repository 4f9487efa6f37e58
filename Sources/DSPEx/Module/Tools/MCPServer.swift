import DSPExProcess
import Foundation
import MCP
import Synchronization
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
        _ base: any Transport, label: String, process: SpawnedProcess?, timeout: Duration?, only: [String]?
    ) async throws(ToolError) -> MCPServer {
        let transport = MCPClosingTransport(base)
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
        let connection = MCPTool.Connection(client: client, closed: transport.closed, label: label)
        var tools = try listed.map { tool throws(ToolError) in
            try MCPTool(tool, connection: connection, timeout: timeout)
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

    /// The longest a server may take to answer the handshake and list its tools.
    static let handshakeLimit = Duration.seconds(30)

    /// Connects and lists the tools, in one task group with two watchers: a server that exits, or does not answer
    /// within ``handshakeLimit``, must not hold the caller. The first child to finish decides the outcome; a watcher
    /// that decides disconnects the client, which ends the pending request, and one that fires after the tools were
    /// listed does nothing (a slow but successful handshake keeps its connection).
    private static func handshake(
        _ client: Client, _ transport: MCPClosingTransport, label: String, process: SpawnedProcess?
    ) async throws -> [MCP.Tool] {
        typealias Outcome = Result<[MCP.Tool], any Error>
        let decided = Mutex(false)
        let decide: @Sendable () -> Bool = {
            decided.withLock { wasDecided in
                defer { wasDecided = true }
                return !wasDecided
            }
        }
        /// A watcher's failure, when it is the first outcome.
        let fail: @Sendable (String) async -> Outcome? = { message in
            guard decide() else { return nil }
            await client.disconnect()
            return .failure(ToolError(code: .badDeclaration, tool: label, message: message))
        }
        return try await withThrowingTaskGroup(of: Outcome?.self) { group in
            // At high priority, as are the client's and transport's tasks started from it: the handshake is a chain
            // of a dozen hops between tasks, each of which would otherwise queue behind a busy run's work.
            group.addTask(priority: .high) {
                let listing: Outcome
                do {
                    _ = try await client.connect(transport: transport)
                    var tools: [MCP.Tool] = []
                    var cursor: String?
                    repeat {
                        let page = try await client.listTools(cursor: cursor)
                        tools += page.tools
                        cursor = page.nextCursor
                    } while cursor != nil
                    listing = .success(tools)
                } catch {
                    listing = .failure(error)
                }
                return decide() ? listing : nil
            }
            group.addTask {
                try? await Task.sleep(for: handshakeLimit)
                guard !Task.isCancelled else { return nil }
                return await fail("the MCP server did not answer within \(handshakeLimit)")
            }
            if let process {
                group.addTask {
                    guard let ended = await process.waitForExit() else { return nil }
                    return await fail(
                        "the MCP server exited (\(ended)) before listing its tools: "
                            + String(process.stderr.prefix(500)))
                }
            }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let outcome = next { return try outcome.get() }
            }
            throw CancellationError()
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
