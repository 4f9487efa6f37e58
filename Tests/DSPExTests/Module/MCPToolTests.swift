import DSPExTesting
import Foundation
import OrderedCollections
import Testing

@testable import DSPEx

/// Tools listed by a real MCP server process (the repository's `dspex-mcp-example`, over standard input and
/// output): their schemas, results and errors as DSPy's `Tool.from_mcp_tool` gives them, and an agent using them.
@Suite(.timeLimit(.minutes(3))) struct MCPToolTests {
    @Test("the server's tools become tools with DSPy's argument descriptions; calls return text or lists")
    func listsAndCalls() async throws {
        let server = try await MCPServer.launch([ChildProcess.mcpExample.path])
        #expect(server.tools.map(\.name) == ["add", "lookup", "split_words", "wait", "exit"])
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

    @Test("the same tools over MCP's streamable HTTP transport")
    func overHTTP() async throws {
        let portFile = FileManager.default.temporaryDirectory.appendingPathComponent("mcp-port-\(UUID().uuidString)")
        let child = try SpawnedProcess.start(
            ChildProcess.mcpExample, ["--http", "0", "--port-file", portFile.path])
        defer { child.send(SIGKILL) }
        var port: String?
        for _ in 0..<200 where port == nil {
            try await Task.sleep(for: .milliseconds(20))
            port = try? String(contentsOf: portFile, encoding: .utf8)
        }
        let bound = try #require(port)
        let url = try #require(URL(string: "http://127.0.0.1:\(bound)/mcp"))
        let server = try await MCPServer.connect(url: url)
        #expect(server.tools.map(\.name) == ["add", "lookup", "split_words", "wait", "exit"])
        #expect(try await server.tools[0].invoke(["a": 40, "b": 2]) == "42")
        await server.close()
    }

    @Test("a call the server never answers times out, and the connection stays usable")
    func callTimesOut() async throws {
        let server = try await MCPServer.launch(
            [ChildProcess.mcpExample.path], timeout: .milliseconds(300), only: ["wait", "add"])
        do {
            _ = try await server.tools[0].invoke(["seconds": 600])
            Issue.record("a call that never answered returned")
        } catch {
            #expect(error.code == .timedOut && error.tool == "wait")
        }
        var add = server.tools[1]
        add.timeout = .seconds(30)
        #expect(try await add.invoke(["a": 1, "b": 2]) == "3")
        await server.close()
    }

    @Test("a server that exits mid-call fails that call at once, and every later call, naming the server")
    func serverExitsMidCall() async throws {
        // A timeout longer than the suite's limit: the failures below come from the connection ending.
        let server = try await MCPServer.launch(
            [ChildProcess.mcpExample.path], timeout: .seconds(600), only: ["exit", "add"])
        do {
            _ = try await server.tools[0].invoke(["status": 3])
            Issue.record("a call whose server exited returned")
        } catch {
            #expect(error.code == .failed && error.message.contains("closed the connection"))
        }
        await #expect(throws: ToolError.self) { try await server.tools[1].invoke(["a": 1, "b": 2]) }
        await server.close()
    }

    @Test("several servers answer hundreds of concurrent calls, each reply reaching its own caller")
    func concurrentCalls() async throws {
        try await withThrowingTaskGroup(of: [Value].self) { servers in
            for index in 0..<4 {
                servers.addTask {
                    let server = try await MCPServer.launch(
                        [ChildProcess.mcpExample.path], timeout: .seconds(600), only: ["add", "wait"])
                    let sums = try await withThrowingTaskGroup(of: Value.self) { calls in
                        for call in 0..<64 {
                            calls.addTask {
                                // Every call waits on the server, so all 64 are in flight on one connection at once.
                                _ = try await server.tools[1].invoke(["seconds": 0.05])
                                return try await server.tools[0].invoke(["a": .int(index * 1000), "b": .int(call)])
                            }
                        }
                        var sums: [Value] = []
                        for try await sum in calls { sums.append(sum) }
                        return sums
                    }
                    await server.close()
                    return sums
                }
            }
            var sums: Set<String> = []
            for try await batch in servers { sums.formUnion(batch.compactMap(\.stringValue)) }
            let expected = (0..<4).flatMap { index in (0..<64).map { String(index * 1000 + $0) } }
            #expect(sums == Set(expected))
        }
    }
}
