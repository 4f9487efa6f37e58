/// How the simulator answers a reflective optimizer's proposal prompt — GEPA's "I provided an assistant with the
/// following instructions ... Provide the new instructions within ``` blocks." message: the current instruction
/// (the first ``` block) extended by one piece of advice, inside a ``` block, as a reflection model writes it.
///
/// Most pieces of advice carry a phrase ``ArithmeticOracle`` rewards, so a reflection can earn a real gain on the
/// arithmetic task and an optimizer that keeps only improving children has something to find; one does not, so some
/// children are rejected. Which piece a prompt gets follows its hash (the feedback records differ per minibatch), and
/// advice already in the instruction is not repeated.
struct ReflectionPolicy: Sendable {
    /// The pieces of advice a reflection adds, in the order they are tried.
    static let advice = [
        "Add the two numbers digit by digit, carefully carrying, and reply with the exact sum.",
        "Reply with the number alone, without words.",
        "Work step by step: line up the digits, add them, then give the final answer.",
        "Compute the sum and double-check it before answering.",
    ]

    /// The closing sentence of GEPA's proposal prompt, which marks a reflection request.
    static let marker = "Provide the new instructions within ``` blocks."

    /// The instruction the prompt shows, when `text` is a reflection request.
    let currentInstruction: String

    /// Reads a reflection request from the final user message, or `nil` when it is none.
    init?(finalUserMessage text: PromptText) {
        guard text.find(Self.marker) != nil, let open = text.find("```\n") else { return nil }
        let start = open + 4
        guard let close = text.find(Array("\n```".utf8), from: start, before: text.count) else { return nil }
        currentInstruction = text.string(start..<close)
    }

    /// The reply: the instruction with one more piece of advice, in a ``` block.
    func reply(promptHash: UInt64) -> String {
        let fresh = Self.advice.filter { !currentInstruction.contains($0) }
        guard !fresh.isEmpty else { return "```\n\(currentInstruction)\n```" }
        let chosen = fresh[Int(promptHash % UInt64(fresh.count))]
        let base = currentInstruction.trimmingSpaces
        return "```\n\(base.isEmpty ? chosen : base + " " + chosen)\n```"
    }
}
