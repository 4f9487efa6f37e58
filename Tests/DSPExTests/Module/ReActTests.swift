import DSPExTesting
import Foundation
import OrderedCollections
import Testing

@testable import DSPEx

/// ReAct's loop against a scripted model: tool calls and their observations, tool errors shown to the model,
/// `maxIters`, the extract step, context-window truncation, and bad tool declarations.
@Suite struct ReActTests {
    static var add: FunctionTool {
        get throws {
            try FunctionTool(name: "add", description: "Adds two integers.", signature: "a: int, b: int -> sum: int") {
                .int(try $0.decode("a", as: Int.self) + $0.decode("b", as: Int.self))
            }
        }
    }

    static func step(_ thought: String, _ tool: String, _ args: String) -> String {
        "[[ ## next_thought ## ]]\n\(thought)\n\n[[ ## next_tool_name ## ]]\n\(tool)\n\n"
            + "[[ ## next_tool_args ## ]]\n\(args)\n\n[[ ## completed ## ]]"
    }

    static func extract(_ answer: String) -> String {
        "[[ ## reasoning ## ]]\nFrom the trajectory.\n\n[[ ## answer ## ]]\n\(answer)\n\n[[ ## completed ## ]]"
    }

    @Test("a tool call, then finish, then the extract step; the trajectory records each step")
    func loopRecordsTrajectory() async throws {
        let lm = ScriptedLM(replies: [
            Self.step("Add them.", "add", #"{"a": 123456789, "b": 987654321}"#),
            Self.step("I have the sum.", "finish", "{}"),
            Self.extract("1111111110"),
        ])
        let agent = try ReAct("question -> answer: int", tools: [try Self.add], lm: lm)
        let (prediction, trace) = try await withTrace {
            try await agent(["question": "What is 123456789 + 987654321?"])
        }
        #expect(prediction["answer"] == 1_111_111_110)
        let trajectory = try #require(prediction["trajectory"]?.objectValue)
        #expect(
            Array(trajectory.keys) == [
                "thought_0", "tool_name_0", "tool_args_0", "observation_0",
                "thought_1", "tool_name_1", "tool_args_1", "observation_1",
            ])
        #expect(trajectory["observation_0"] == 1_111_111_110)
        #expect(trajectory["tool_args_0"] == ["a": 123_456_789, "b": 987_654_321])
        #expect(trajectory["observation_1"] == "Completed.")
        #expect(trace.map(\.predictor) == ["react", "react", "extract.predict"])
        #expect(prediction.usage.lmCalls == 3)
        // The second step saw the first one's observation in its trajectory.
        let second = try #require(lm.requests[1].messages.last?.content)
        #expect(second.contains("[[ ## observation_0 ## ]]\n1111111110"))
    }

    @Test(
        "a failing tool call becomes an observation naming the tool; the run goes on",
        arguments: [
            (#"{"a": 1, "c": 2}"#, "Execution error in add: Arg c is not in the tool's args."),
            (#"{"a": "x", "b": 2}"#, "Execution error in add: Arg a is invalid: 'x' is not of type 'integer'"),
            (#"{"a": 1}"#, "Execution error in add: add() is missing 1 required argument: 'b'"),
        ])
    func toolErrorsAreObservations(args: String, observation: String) async throws {
        let lm = ScriptedLM(replies: [
            Self.step("Try.", "add", args), Self.step("Give up.", "finish", "{}"), Self.extract("0"),
        ])
        let agent = try ReAct("question -> answer: int", tools: [try Self.add], lm: lm)
        let prediction = try await agent(["question": "What is 1 + 2?"])
        #expect(prediction["trajectory"]?["observation_0"] == .string(observation))
        #expect(prediction["answer"] == 0)
    }

    @Test("a tool that throws or overruns its timeout is reported to the model, not to the caller")
    func throwingAndSlowTools() async throws {
        struct Broken: Error, CustomStringConvertible { var description: String { "disk on fire" } }
        let broken = try FunctionTool(name: "broken", arguments: [:]) { _ in throw Broken() }
        let slow = try FunctionTool(name: "slow", arguments: [:], timeout: .milliseconds(50)) { _ in
            try await Task.sleep(for: .seconds(600))
            return "late"
        }
        let lm = ScriptedLM(replies: [
            Self.step("1", "broken", "{}"), Self.step("2", "slow", "{}"), Self.step("3", "finish", "{}"),
            Self.extract("7"),
        ])
        let agent = try ReAct("question -> answer: int", tools: [broken, slow], lm: lm)
        let started = ContinuousClock.now
        let trajectory = try #require(try await agent(["question": "q"])["trajectory"])
        #expect(ContinuousClock.now - started < .seconds(120))  // the slow tool would take 600 s
        #expect(trajectory["observation_0"] == "Execution error in broken: disk on fire")
        let timedOut = try #require(trajectory["observation_1"]?.stringValue)
        #expect(timedOut.hasPrefix("Execution error in slow: the call took longer than its timeout"))
    }

    @Test("maxIters ends the loop, then the extract step answers; max_iters in the inputs overrides it")
    func maxItersBoundsTheLoop() async throws {
        let lm = ScriptedLM { request in
            let system = request.messages.first?.content ?? ""
            if system.contains("`next_thought`") { return Self.step("Again.", "add", #"{"a": 1, "b": 1}"#) }
            return Self.extract("2")
        }
        let agent = try ReAct("question -> answer: int", tools: [try Self.add], maxIters: 3, lm: lm)
        let prediction = try await agent(["question": "q"])
        #expect(prediction["trajectory"]?.objectValue?.count == 12)
        #expect(lm.requests.count == 4)
        let shorter = try await agent(["question": "q", "max_iters": 1])
        #expect(shorter["trajectory"]?.objectValue?.count == 4)
    }

    @Test("over the context window, the oldest step is dropped and the call tried again")
    func contextWindowTruncates() async throws {
        let lm = ScriptedLM { request in
            let user = request.messages.last?.content ?? ""
            let system = request.messages.first?.content ?? ""
            if user.contains("thought_0") && user.contains("observation_1") {
                throw LMError(code: .contextWindowExceeded, message: "too long", status: 400)
            }
            if system.contains("`next_thought`") {
                return user.contains("observation_")
                    ? Self.step("More.", "add", #"{"a": 2, "b": 2}"#)
                    : Self.step("Start.", "add", #"{"a": 1, "b": 1}"#)
            }
            return Self.extract("4")
        }
        let agent = try ReAct("question -> answer: int", tools: [try Self.add], maxIters: 3, lm: lm)
        let prediction = try await agent(["question": "q"])
        let trajectory = try #require(prediction["trajectory"]?.objectValue)
        #expect(prediction["answer"] == 4)
        #expect(trajectory["thought_0"] == nil)  // truncated away
        #expect(trajectory["observation_1"] != nil)
    }

    @Test("a reply naming no listed tool fails the module with the adapter's error, as in DSPy 3.4.1")
    func unknownToolNameFails() async throws {
        let lm = ScriptedLM(replies: [Self.step("?", "multiply", "{}"), Self.step("?", "multiply", "{}")])
        let agent = try ReAct("question -> answer: int", tools: [try Self.add], lm: lm)
        await #expect(throws: AdapterError.self) { try await agent(["question": "q"]) }
    }

    @Test("bad tool declarations are refused with the tool's name")
    func badDeclarations() throws {
        #expect(throws: ToolError.self) { try ReAct("q -> a", tools: [try Self.add, try Self.add]) }
        let finish = try FunctionTool(name: "finish", arguments: [:]) { _ in .null }
        #expect(throws: ToolError.self) { try ReAct("q -> a", tools: [finish]) }
        do {
            _ = try FunctionTool(name: "two words", arguments: [:]) { _ in .null }
            Issue.record("a name with a space was accepted")
        } catch {
            #expect(error.tool == "two words" && error.code == .badDeclaration)
        }
        do {
            _ = try FunctionTool(name: "lookup", arguments: ["key": "string"]) { _ in .null }
            Issue.record("a non-object schema was accepted")
        } catch {
            #expect(error.description.contains("lookup") && error.description.contains("'key'"))
        }
    }
}
