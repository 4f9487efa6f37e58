import Foundation
import Testing

@testable import DSPExSim

@Suite(.timeLimit(.minutes(3)))
struct ReflectionPolicyTests {
    /// GEPA's proposal prompt around `instruction` and one feedback record.
    static func reflectionPrompt(_ instruction: String, record: String = "What is 1 + 2?") -> String {
        """
        I provided an assistant with the following instructions to perform a task for me:
        ```
        \(instruction)
        ```

        The following are examples of different task inputs provided to the assistant along with the assistant's \
        response for each of them, and some feedback on how the assistant's response could be better:
        ```
        # Example 1
        ## Inputs
        ### question
        \(record)

        ## Generated Outputs
        ### answer
        4

        ## Feedback
        The expected answer is 3; the program answered 4.

        ```

        Your task is to write a new instruction for the assistant.

        Provide the new instructions within ``` blocks.
        """
    }

    @Test("a GEPA reflection request is answered with the current instruction plus advice, in a ``` block")
    func reflectionReply() async throws {
        let instruction = "Given the fields `question`, produce the fields `answer`."
        var proposals = Set<String>()
        try await withSimulator { server in
            let connection = try await TestHTTPConnection.connect(port: server.port)
            for record in ["What is 1 + 2?", "What is 5 + 7?", "What is 10 + 3?", "What is 8 + 8?", "What is 2 + 9?"] {
                let body = DSPyPrompt.body(messages: [
                    ["role": "user", "content": Self.reflectionPrompt(instruction, record: record)]
                ])
                let content = try (try await connection.chat(body)).decode(ChatCompletionReply.self).content
                #expect(content.hasPrefix("```\n\(instruction) "), "\(content)")
                #expect(content.hasSuffix("\n```"))
                let proposal = String(content.dropFirst(4).dropLast(4))
                // The feedback says 3 is expected: the worked example follows whatever the question was.
                let problem = try #require(ArithmeticProblem(in: PromptText(record)))
                let example = "For example, \(problem.a) + \(problem.b) = 3."
                #expect(
                    ReflectionPolicy.advice.contains { proposal == instruction + " " + $0 + " " + example },
                    "\(proposal)")
                proposals.insert(proposal)
            }
        }
        // Different feedback gets different advice, and most of it is advice the arithmetic oracle rewards.
        #expect(proposals.count > 1)
        #expect(
            ReflectionPolicy.advice.filter(ArithmeticOracle.containsHint).count == ReflectionPolicy.advice.count - 1)
    }

    @Test("advice already in the instruction is not added again; once all is there the instruction comes back")
    func noRepeats() throws {
        let all = ReflectionPolicy.advice.joined(separator: " ")
        let policy = try #require(ReflectionPolicy(finalUserMessage: PromptText(Self.reflectionPrompt(all))))
        #expect(policy.currentInstruction == all)
        for hash in UInt64(0)..<8 {
            #expect(policy.reply(promptHash: hash) == "```\n\(all) For example, 1 + 2 = 3.\n```")
        }
        let learned = all + " For example, 1 + 2 = 3."
        let done = try #require(ReflectionPolicy(finalUserMessage: PromptText(Self.reflectionPrompt(learned))))
        for hash in UInt64(0)..<8 { #expect(done.reply(promptHash: hash) == "```\n\(learned)\n```") }
        let partial = try #require(
            ReflectionPolicy(finalUserMessage: PromptText(Self.reflectionPrompt(ReflectionPolicy.advice[0]))))
        for hash in UInt64(0)..<8 {
            #expect(partial.reply(promptHash: hash).components(separatedBy: ReflectionPolicy.advice[0]).count == 2)
        }
        #expect(ReflectionPolicy(finalUserMessage: PromptText("What is 1 + 2?")) == nil)
    }

    @Test("worked examples come from the feedback's expected answers, two per proposal, six at most")
    func lessonsFromFeedback() throws {
        let records = """
            [{"Inputs": {"question": "What is 12 + 30?"}, "Generated Outputs": {"answer": 41},
              "Feedback": "The expected answer is 42; the program answered 41."},
             {"Inputs": {"question": "What is 5 + 5?"}, "Generated Outputs": {"answer": 10},
              "Feedback": "The program answered 10, which is the expected answer."},
             {"Inputs": {"question": "What is 7 + 1?"}, "Generated Outputs": {"answer": 9},
              "Feedback": "This trajectory got a score of 0.0."},
             {"Inputs": {"question": "What is 2 + 2?"}, "Generated Outputs": {"answer": 4},
              "Feedback": "The expected answer is 4; the program answered 4."}]
            """
        let lessons = ArithmeticLesson.all(in: PromptText(records))
        #expect(lessons.map(\.equation) == ["12 + 30 = 42", "5 + 5 = 10", "2 + 2 = 4"])
        let policy = try #require(
            ReflectionPolicy(inputs: [("current_instruction", "Answer."), ("examples_with_feedback", records)]))
        #expect(!policy.fenced)
        let proposal = policy.proposal(promptHash: 0)
        #expect(proposal.hasPrefix("Answer. "))
        #expect(proposal.hasSuffix(" For example, 12 + 30 = 42. For example, 5 + 5 = 10."))
        #expect(ArithmeticOracle.workedExampleCount(in: proposal) == 2)
        // Examples already written are not repeated; a full instruction gets no more.
        let next = try #require(
            ReflectionPolicy(inputs: [("current_instruction", proposal), ("examples_with_feedback", records)]))
        #expect(next.proposal(promptHash: 0).hasSuffix("For example, 2 + 2 = 4."))
        let full = (1...6).map { "For example, \($0) + 1 = \($0 + 1)." }.joined(separator: " ")
        let saturated = try #require(
            ReflectionPolicy(inputs: [("current_instruction", full), ("examples_with_feedback", records)]))
        #expect(ArithmeticOracle.workedExampleCount(in: saturated.proposal(promptHash: 0)) == 6)
        #expect(ReflectionPolicy(inputs: [("question", "What is 1 + 2?")]) == nil)
    }

    @Test("DSPy's ProposeInstruction prompt gets the proposal as its new_instruction, in the adapter's format")
    func proposeInstructionReply() async throws {
        let system = """
            Your input fields are:
            1. `current_instruction` (str): The instructions I provided to the assistant.
            2. `examples_with_feedback` (list[dict[str, Any]]): Task inputs and feedback.
            Your output fields are:
            1. `new_instruction` (str): The new instruction for the assistant.
            All interactions will be structured in the following way, with the appropriate values filled in.

            Inputs will have the following structure:

            [[ ## current_instruction ## ]]
            {current_instruction}

            [[ ## examples_with_feedback ## ]]
            {examples_with_feedback}

            Outputs will be a JSON object with the following fields.

            {
              "new_instruction": "{new_instruction}"
            }
            In adhering to this structure, your objective is: \
            Write a new instruction for the assistant.
            """
        let user = """
            [[ ## current_instruction ## ]]
            Add the numbers.

            [[ ## examples_with_feedback ## ]]
            [{"Inputs": {"question": "What is 12 + 30?"}, "Generated Outputs": {"answer": 41}, \
            "Feedback": "The expected answer is 42; the program answered 41."}]

            Respond with a JSON object in the following order of fields: `new_instruction`.
            """
        try await withSimulator { server in
            let connection = try await TestHTTPConnection.connect(port: server.port)
            let body = DSPyPrompt.body(messages: [
                ["role": "system", "content": system], ["role": "user", "content": user],
            ])
            let content = try (try await connection.chat(body)).decode(ChatCompletionReply.self).content
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(content.utf8)) as? [String: Any])
            let proposal = try #require(object["new_instruction"] as? String)
            #expect(proposal.hasPrefix("Add the numbers. "))
            #expect(proposal.hasSuffix(" For example, 12 + 30 = 42."))
        }
    }

    @Test("a request for per-module advice (OfferFeedback) gets one piece of advice under each module name")
    func moduleAdvice() throws {
        let advisor = try #require(ModuleAdvicePolicy(inputs: [("module_names", #"["solve", "check"]"#)]))
        guard case .object(let members) = advisor.advice(promptHash: 7) else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.key) == ["solve", "check"])
        for member in members {
            guard case .string(let text) = member.value else {
                Issue.record("not a string")
                continue
            }
            #expect(ReflectionPolicy.advice.contains(text))
        }
        #expect(ModuleAdvicePolicy(inputs: [("module_names", "solve")]) == nil)
        #expect(ModuleAdvicePolicy(inputs: [("question", #"["solve"]"#)]) == nil)
    }
}
