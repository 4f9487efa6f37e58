/// Writes the assistant message the simulator sends for one choice of a request.
///
/// For DSPy prompts it fills every output field in prompt order — as `[[ ## field ## ]]`
/// blocks closed by `[[ ## completed ## ]]` (ChatAdapter) or as one JSON object
/// (JSONAdapter) — with values from ``FieldValueGenerator``. When the final user message asks
/// "What is A + B?", the answer field (the first numeric or string output that is not
/// `reasoning`) follows ``ArithmeticOracle`` and a `reasoning` field shows the sum used. A reflective optimizer's
/// proposal request gets ``ReflectionPolicy``'s reply, a request for per-module advice ``ModuleAdvicePolicy``'s.
struct ReplyComposer {
    let analysis: PromptAnalysis
    let seed: UInt64
    private let topic: String

    init(analysis: PromptAnalysis, seed: UInt64) {
        self.analysis = analysis
        self.seed = seed
        self.topic = FieldValueGenerator.topic(of: analysis.inputs, fallback: analysis.finalUserMessage)
    }

    /// The well-formed reply for choice `choice`.
    func content(choice: Int) -> String {
        if let reflection = self.analysis.reflection, reflection.fenced {
            return reflection.reply(promptHash: self.decisionBits(choice: choice))
        }
        return self.render(self.values(choice: choice), choice: choice)
    }

    /// A reply that breaks the format: either one output field is missing, or it is plain prose.
    func malformedContent(choice: Int, variantBits: UInt64) -> String {
        let values = self.values(choice: choice)
        let proseOnly = values.isEmpty || variantBits & 1 == 0
        if proseOnly {
            let guess = values.first { !$0.field.isReasoning } ?? values.first
            let text = guess.map { Self.chatText(of: $0.value) } ?? "nothing useful"
            return "Sorry, I lost track of the requested format. My best guess is \(text)."
        }
        var remaining = values
        remaining.remove(at: Int((variantBits >> 1) % UInt64(values.count)))
        return self.render(remaining, choice: choice)
    }

    /// The bits that decide the arithmetic answer for `choice`: prompt hash, seed and choice index.
    func decisionBits(choice: Int) -> UInt64 {
        var hash = StableHash(seed: self.seed)
        hash.combine(self.analysis.promptHash)
        hash.combine(choice)
        hash.combine("arithmetic")
        return hash.finalize()
    }

    /// The answer to the addition for `choice`, or nil when the prompt asks none.
    func arithmeticAnswer(choice: Int) -> Int? {
        guard let problem = self.analysis.arithmetic else { return nil }
        return ArithmeticOracle.answer(
            a: problem.a,
            b: problem.b,
            probability: self.analysis.probabilityCorrect,
            decisionBits: self.decisionBits(choice: choice)
        )
    }

    private func values(choice: Int) -> [(field: OutputField, value: JSONValue)] {
        let agent = AgentPolicy(
            analysis: self.analysis, tools: self.analysis.agentTools, decisionBits: self.decisionBits(choice: choice))
        if agent.isStep {
            let step = agent.step()
            return self.analysis.outputFields.map { ($0, step[$0.name] ?? .string("")) }
        }
        let answer = agent.lastNumericObservation.flatMap { Int(exactly: $0) } ?? self.arithmeticAnswer(choice: choice)
        var fields = self.analysis.outputFields
        if fields.isEmpty, self.analysis.format == .json {
            fields = [
                OutputField(name: answer == nil ? "response" : "answer", type: answer == nil ? .string : .integer)
            ]
        }
        // A proposal field (an optimizer asking for an instruction about arithmetic examples) is not the answer.
        let answerIndex = fields.firstIndex { field in
            !field.isReasoning && (field.type.isNumeric || field.type == .string)
                && !field.name.lowercased().contains("instruction")
        }
        var values: [(field: OutputField, value: JSONValue)] = []
        values.reserveCapacity(fields.count)
        for (index, field) in fields.enumerated() {
            if let answer, let problem = self.analysis.arithmetic {
                if index == answerIndex {
                    values.append((field, field.type == .string ? .string(String(answer)) : .number(Double(answer))))
                    continue
                }
                if field.isReasoning {
                    values.append((field, .string("\(problem.a) + \(problem.b) = \(answer).")))
                    continue
                }
            }
            if case .dictionary(_, .string) = field.type, let advisor = ModuleAdvicePolicy(inputs: self.analysis.inputs)
            {
                values.append((field, advisor.advice(promptHash: self.decisionBits(choice: choice))))
                continue
            }
            if let reflection = self.analysis.reflection, field.type == .string,
                field.name.lowercased().contains("instruction")
            {
                values.append((field, .string(reflection.proposal(promptHash: self.decisionBits(choice: choice)))))
                continue
            }
            var hash = StableHash(seed: self.seed)
            hash.combine(self.analysis.promptHash)
            hash.combine(choice)
            hash.combine(field.name)
            var generator = FieldValueGenerator(seed: hash.finalize(), topic: self.topic)
            values.append((field, generator.value(for: field)))
        }
        return values
    }

    private func render(_ values: [(field: OutputField, value: JSONValue)], choice: Int) -> String {
        switch self.analysis.format {
        case .chat:
            var text = ""
            for (field, value) in values {
                text += "[[ ## \(field.name) ## ]]\n\(Self.chatText(of: value))\n\n"
            }
            return text + "[[ ## completed ## ]]"
        case .json:
            var json = JSONWriter()
            json.beginObject()
            for (field, value) in values {
                json.key(field.name)
                json.value(value)
            }
            json.endObject()
            return json.text
        case .prose:
            if let answer = self.arithmeticAnswer(choice: choice), let problem = self.analysis.arithmetic {
                return "\(problem.a) + \(problem.b) = \(answer)."
            }
            return "This is a simulated reply about \(self.topic)."
        }
    }

    /// How a value appears in a ChatAdapter block: strings bare, everything else as JSON.
    static func chatText(of value: JSONValue) -> String {
        switch value {
        case .string(let text):
            return text
        default:
            var json = JSONWriter()
            json.value(value)
            return json.text
        }
    }
}
