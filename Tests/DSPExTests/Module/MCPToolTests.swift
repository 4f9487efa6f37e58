import DSPExTesting
import Foundation
import OrderedCollections
import Testing

@testable import DSPEx

/// Tools listed by a real MCP server process (the repository's `dspex-mcp-example`, over standard input and
/// output): their schemas, results and errors as DSPy's `Tool.from_mcp_tool` gives them, and an agent using them.
@Suite(.timeLimit(.minutes(1))) struct MCPToolTests {
    @Test("the server's tools become tools with DSPy's argument descriptions; calls return text or lists")
    func listsAndCalls() async throws {
        let server = try await MCPServer.launch([ChildProcess.mcpExample.path])
        #expect(server.tools.map(\.name) == ["add", "lookup", "split_words"])
        let add = try #require(server.tools.first)
        #expect(Array(add.arguments.keys) == ["a", "b"])
        #expect(add.arguments["a"]?["description"] == "The first addend (Required)")
        #expect(try await add.invoke(["a": 2, "b": 3]) == "5")
        #expect(try await server.tools[2].invoke(["text": "two words"]) == ["two", "words"])
        await #expect(throws: ToolError.self) { try await add.invoke(["a": "two", "b": 3]) }
        do {
            _ = try await server.tools[1].invoke(["key": "unknown"])
            Issue.record("an isError result was returned as a value")
        } catch {
            #expect(error.message == "Failed to call a MCP tool: \"no entry for 'unknown'\"")
            #expect(error.tool == "lookup")
        }
        await server.close()
    }

    @Test("a ReAct agent calls an MCP tool and reads its observation")
    func agentUsesMCPTool() async throws {
        let server = try await MCPServer.launch([ChildProcess.mcpExample.path], only: ["lookup"])
        #expect(server.tools.map(\.name) == ["lookup"])
        let lm = ScriptedLM(replies: [
            ReActTests.step("Look it up.", "lookup", #"{"key": "earth_radius_km"}"#),
            ReActTests.step("Done.", "finish", "{}"),
            ReActTests.extract("6371"),
        ])
        let agent = try ReAct("question -> answer: int", tools: server.tools, lm: lm)
        let prediction = try await agent(["question": "What is the Earth's radius in km?"])
        #expect(prediction["trajectory"]?["observation_0"] == "6371")
        #expect(prediction["answer"] == 6371)
        await server.close()
    }

    @Test("a server that is missing, or lacks a named tool, is a declaration error naming it")
    func badServers() async throws {
        await #expect(throws: ToolError.self) { try await MCPServer.launch(["/nonexistent/mcp-server"]) }
        do {
            _ = try await MCPServer.launch([ChildProcess.mcpExample.path], only: ["subtract"])
            Issue.record("a missing tool was accepted")
        } catch {
            #expect(error.tool == "subtract" && error.message.contains("'add'"))
        }
        do {
            _ = try await MCPServer.launch(["/bin/sh", "-c", "exit 3"])
            Issue.record("a server that exits was accepted")
        } catch {
            #expect(error.code == .badDeclaration)
        }
    }
}
