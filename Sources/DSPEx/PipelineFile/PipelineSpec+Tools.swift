/// The tools of a pipeline's `react` stages (and of `react` inner modules), built and connected: built-ins made, MCP
/// servers started (or reached) and their tools listed. Keep it while the graph runs; ``close()`` ends the servers.
public struct PipelineTools: Sendable {
    /// Each `react` stage's tools, in the order the file declares them.
    public var byStage: [String: [any Tool]]
    /// The MCP servers the tools call.
    public var servers: [MCPServer]

    /// Stops every MCP server.
    public func close() async {
        for server in servers { await server.close() }
    }
}

extension PipelineSpec {
    /// Builds every `react` stage's tools, connecting to the MCP servers the file names.
    ///
    /// - Throws: ``PipelineFileError`` at the tool declaration that could not be built or connected.
    public func connectTools() async throws(PipelineFileError) -> PipelineTools {
        var result = PipelineTools(byStage: [:], servers: [])
        for stage in stages where stage.usesTools {
            var tools: [any Tool] = []
            for spec in stage.tools {
                guard spec.kind == .mcp else {
                    tools.append(try spec.makeBuiltinTool())
                    continue
                }
                do {
                    let server: MCPServer
                    if let url = spec.url {
                        server = try await MCPServer.connect(
                            url: url, timeout: spec.timeout ?? .seconds(30), only: spec.only)
                    } else {
                        server = try await MCPServer.launch(
                            spec.argv, timeout: spec.timeout ?? .seconds(30), only: spec.only)
                    }
                    result.servers.append(server)
                    tools += server.tools
                } catch {
                    await result.close()
                    throw PipelineFileError(
                        code: .invalidValue,
                        message: "MCP tool '\(error.tool)' in stage '\(stage.id)': \(error.message)",
                        location: spec.location)
                }
            }
            var seen = Set<String>()
            for tool in tools where !seen.insert(tool.name).inserted {
                await result.close()
                throw PipelineFileError(
                    code: .invalidValue, message: "stage '\(stage.id)' has two tools named '\(tool.name)'",
                    location: stage.location)
            }
            result.byStage[stage.id] = tools
        }
        return result
    }

    /// The built-in tools of `stage` (no MCP server is contacted).
    func builtinTools(of stage: StageSpec) throws(PipelineFileError) -> [any Tool] {
        var tools: [any Tool] = []
        for spec in stage.tools {
            guard spec.kind != .mcp else {
                throw PipelineFileError(
                    code: .invalidValue,
                    message: "stage '\(stage.id)' uses MCP tools: build its graph with the tools of connectTools()",
                    location: spec.location)
            }
            tools.append(try spec.makeBuiltinTool())
        }
        return tools
    }
}
