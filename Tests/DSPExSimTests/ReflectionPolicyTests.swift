import Foundation
import Testing

@testable import DSPExSim

@Suite(.timeLimit(.minutes(1)))
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
                #expect(ReflectionPolicy.advice.contains { proposal == instruction + " " + $0 }, "\(proposal)")
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
        for hash in UInt64(0)..<8 { #expect(policy.reply(promptHash: hash) == "```\n\(all)\n```") }
        let partial = try #require(
            ReflectionPolicy(finalUserMessage: PromptText(Self.reflectionPrompt(ReflectionPolicy.advice[0]))))
        for hash in UInt64(0)..<8 {
            #expect(partial.reply(promptHash: hash).components(separatedBy: ReflectionPolicy.advice[0]).count == 2)
        }
        #expect(ReflectionPolicy(finalUserMessage: PromptText("What is 1 + 2?")) == nil)
    }
}
