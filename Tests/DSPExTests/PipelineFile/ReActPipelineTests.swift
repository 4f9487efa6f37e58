import DSPExTesting
import Foundation
import Testing

@testable import DSPEx

/// `module: react` stages in pipeline files: tools declared in the file, errors located at the declaration, the
/// bundled agent pipeline evaluated against the simulator.
@Suite struct ReActPipelineTests {
    static func stage(_ tools: String, extra: String = "") -> String {
        """
        name: t
        stages:
          - id: solve
            module: react
            signature: "question -> answer: int"
        \(extra)    inputs:
              question: input.question
            tools:
        \(tools)
        """
    }

    static func error(_ yaml: String) -> PipelineFileError? {
        do {
            let spec = try PipelineFile.parse(yaml, file: "t.yaml", environment: [:])
            _ = try spec.makeGraph(lm: nil)
            return nil
        } catch {
            return error
        }
    }

    @Test("a react stage with built-in tools builds an agent whose predictors are named after the stage")
    func buildsAgent() throws {
        let yaml = Self.stage(
            """
                  - calculator
                  - {kind: command, name: say, argv: [echo, "{text}"], parameters: {text: str}, timeout: 2}
                  - {kind: http_get, name: docs, base_url: "http://127.0.0.1:9/docs/"}
            """, extra: "    max_iters: 4\n")
        let spec = try PipelineFile.parse(yaml, file: "t.yaml", environment: [:])
        #expect(spec.stages[0].tools.map(\.kind) == [.calculator, .command, .httpGet])
        #expect(spec.stages[0].outputs.map(\.name) == ["trajectory", "reasoning", "answer"])
        let graph = try spec.makeGraph(lm: nil)
        #expect(graph.namedPredictors.map(\.name) == ["solve.react", "solve.extract.predict"])
        let agent = try #require(graph.stages[0].module as? ReAct)
        #expect(agent.maxIters == 4)
        #expect(agent.tools.map(\.name) == ["calculator", "say", "docs"])
    }

    @Test(
        "bad tool declarations are located errors naming the tool or key",
        arguments: [
            ("      - calculater\n", "unknown tool kind 'calculater'", 9),
            ("      - {kind: http_get, name: docs}\n", "an 'http_get' tool needs 'name' and 'base_url'", 9),
            (
                "      - {kind: http_get, name: docs, base_url: 'ftp://x/'}\n",
                "'base_url' must be an http or https URL", 9
            ),
            ("      - {kind: command, name: run, argv: [/no/such/program]}\n", "cannot find the program", 9),
            ("      - {kind: command, name: run, argv: [echo, '{missing}']}\n", "not a parameter of the tool", 9),
            ("      - {kind: calculator, name: 'two words'}\n", "bad tool 'two words'", 9),
            ("      - calculator\n      - calculator\n", "two tools are named 'calculator'", 10),
            ("      - {kind: mcp}\n", "exactly one of 'command' (a list) and 'url'", 9),
            ("      - {kind: calculator, argv: [x]}\n", "'argv' does not apply to a 'calculator' tool", 9),
        ])
    func badDeclarations(tools: String, phrase: String, line: Int) throws {
        let error = try #require(Self.error(Self.stage(tools)))
        #expect(error.message.contains(phrase), "\(error.message)")
        #expect(error.location.line == line, "\(error.summary)")
    }

    @Test("tools and max_iters on a predict stage are refused")
    func toolsOnlyForReact() throws {
        let yaml = Self.stage("      - calculator\n").replacingOccurrences(of: "module: react", with: "module: predict")
        let error = try #require(Self.error(yaml))
        #expect(error.message.contains("'tools' applies only to 'module: react'"))
    }

    @Test("an MCP tool in a pipeline file lists the server's tools")
    func mcpToolsConnect() async throws {
        let yaml = Self.stage("      - {kind: mcp, command: ['\(ChildProcess.mcpExample.path)'], tools: [add]}\n")
        let spec = try PipelineFile.parse(yaml, file: "t.yaml", environment: [:])
        #expect(throws: PipelineFileError.self) { try spec.makeGraph(lm: nil) }
        let tools = try await spec.connectTools()
        let graph = try spec.makeGraph(lm: nil, tools: tools)
        let agent = try #require(graph.stages[0].module as? ReAct)
        #expect(agent.tools.map(\.name) == ["add"])
        await tools.close()
    }

    @Test("the bundled agent pipeline calls its calculator through the simulator and scores above chance")
    func bundledAgentPipeline() async throws {
        let spec = try PipelineFile.load(
            path: Fixtures.repositoryRoot.appendingPathComponent("pipelines/arithmetic_react.yaml").path)
        let data = Fixtures.repositoryRoot.appendingPathComponent("data/bignum_dev.jsonl")
        let dataset = Dataset(url: data, configuration: .init(inputKeys: ["question"], requiredFields: ["question"]))
        try await withSimulatedLM { lm, server in
            let graph = try spec.makeGraph(lm: lm)
            var results: [ExampleResult] = []
            let summary = try await Scheduler(graph: graph).run(dataset.rows()) { results.append($0) }
            #expect(summary.examples == 100 && summary.errors == 0)
            let usedCalculator = results.filter { result in
                result.outputs["trajectory"]?["tool_name_0"] == "calculator"
            }
            #expect(usedCalculator.count > 40)
            // Every agent that used the calculator read the exact sum from its observation.
            for result in usedCalculator {
                #expect(result.outputs["trajectory"]?["observation_0"] == result.example.values["answer"])
                #expect(result.outputs["answer"] == result.example.values["answer"])
            }
            #expect(server.stats().requests > 200)
        }
    }
}
