/// How the simulator answers a reflective optimizer's proposal request, as a reflection model would: the current
/// instruction extended by what the feedback records teach.
///
/// Two requests are recognised: gepa's template ("I provided an assistant with the following instructions ...
/// Provide the new instructions within ``` blocks.", answered inside a ``` block) and DSPy 3.4.1's
/// `ProposeInstruction` prompt (inputs `current_instruction` and `examples_with_feedback`, whose `new_instruction`
/// output gets the proposal).
///
/// A proposal adds one piece of ``advice`` (most carry a phrase ``ArithmeticOracle`` rewards; one does not, so some
/// children are rejected; which piece follows the prompt's hash, and advice already there is not repeated) and the
/// worked additions the records' feedback gives the answer of ("The expected answer is 42; ..." after the record's
/// "What is 12 + 30?"), written as "For example, 12 + 30 = 42." — at most ``examplesPerProposal`` new ones, up to
/// ``maximumExamples`` in the instruction. The oracle counts each correct worked addition as a demo, so a reflection
/// that reads informative feedback earns a real gain, and one that reads only a score (DSPy's default feedback) can
/// earn only the advice's.
struct ReflectionPolicy: Sendable, Equatable {
    /// The pieces of advice a reflection adds, in the order they are tried.
    static let advice = [
        "Add the two numbers digit by digit, carefully carrying, and reply with the exact sum.",
        "Reply with the number alone, without words.",
        "Work step by step: line up the digits, add them, then give the final answer.",
        "Compute the sum and double-check it before answering.",
    ]

    /// The closing sentence of gepa's proposal prompt, which marks a reflection request.
    static let marker = "Provide the new instructions within ``` blocks."

    /// New worked examples one proposal adds at most.
    static let examplesPerProposal = 2

    /// Worked examples beyond which a proposal adds none.
    static let maximumExamples = 6

    /// The instruction the request shows.
    let currentInstruction: String
    /// The additions the records' feedback gives the expected answer of, in record order.
    let lessons: [ArithmeticLesson]
    /// Whether the reply goes inside a ``` block (gepa's template) or is the field value itself (DSPy's).
    let fenced: Bool

    /// Reads gepa's reflection request from the final user message, or `nil` when it is none.
    init?(finalUserMessage text: PromptText) {
        guard text.find(Self.marker) != nil, let open = text.find("```\n") else { return nil }
        let start = open + 4
        guard let close = text.find(Array("\n```".utf8), from: start, before: text.count) else { return nil }
        self.currentInstruction = text.string(start..<close)
        self.lessons = ArithmeticLesson.all(in: PromptText(text.string((close + 4)..<text.count)))
        self.fenced = true
    }

    /// Reads DSPy's `ProposeInstruction` request from its input fields, or `nil` when they are not there.
    init?(inputs: [(name: String, value: String)]) {
        guard let current = inputs.first(where: { $0.name == "current_instruction" }),
            let records = inputs.first(where: { $0.name == "examples_with_feedback" })
        else { return nil }
        self.currentInstruction = current.value
        self.lessons = ArithmeticLesson.all(in: PromptText(records.value))
        self.fenced = false
    }

    /// The proposed instruction.
    func proposal(promptHash: UInt64) -> String {
        var parts = [self.currentInstruction.trimmingSpaces].filter { !$0.isEmpty }
        let fresh = Self.advice.filter { !self.currentInstruction.contains($0) }
        if !fresh.isEmpty {
            parts.append(fresh[Int(promptHash % UInt64(fresh.count))])
        }
        var written = ArithmeticOracle.workedExampleCount(in: self.currentInstruction)
        var added = 0
        for lesson in self.lessons where added < Self.examplesPerProposal && written < Self.maximumExamples {
            let sentence = lesson.sentence
            guard !self.currentInstruction.contains(lesson.equation), !parts.contains(sentence) else { continue }
            parts.append(sentence)
            added += 1
            written += 1
        }
        return parts.joined(separator: " ")
    }

    /// The reply: the proposal, inside a ``` block for gepa's template.
    func reply(promptHash: UInt64) -> String {
        let proposal = self.proposal(promptHash: promptHash)
        return self.fenced ? "```\n\(proposal)\n```" : proposal
    }
}
