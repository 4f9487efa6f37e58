import OrderedCollections

extension GEPA {
    /// How GEPA asks the reflection model for a new instruction.
    public struct ReflectionPrompt: Sendable, Hashable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        /// DSPy 3.4.1's default proposer (`dspy.teleprompt.gepa.InstructionProposer`): a `Predict` of DSPy's
        /// `ProposeInstruction` signature (`current_instruction`, `examples_with_feedback: list[dict[str, Any]]` →
        /// `new_instruction`) through the ``JSONAdapter``, the records passed as structured values.
        public static let dspy = ReflectionPrompt(name: "dspy")
        /// gepa's own proposer (`InstructionProposalSignature`), which DSPy used before 3.4: one user message built
        /// from ``GEPA/reflectionTemplate`` with the records as markdown (their values as Python's `str`), the new
        /// instruction taken from the reply's ``` block (``GEPA/extractInstruction(from:)``).
        public static let gepa = ReflectionPrompt(name: "gepa")
    }

    /// gepa's default reflection prompt; `<curr_param>` is replaced by the current instruction and `<side_info>`
    /// by the records as markdown (``reflectionMarkdown(_:)``).
    public static let reflectionTemplate = """
        I provided an assistant with the following instructions to perform a task for me:
        ```
        <curr_param>
        ```

        The following are examples of different task inputs provided to the assistant along with the assistant's \
        response for each of them, and some feedback on how the assistant's response could be better:
        ```
        <side_info>
        ```

        Your task is to write a new instruction for the assistant.

        Read the inputs carefully and identify the input format and infer detailed task description about the task \
        I wish to solve with the assistant.

        Read all the assistant responses and the corresponding feedback. Identify all niche and domain specific \
        factual information about the task and include it in the instruction, as a lot of it may not be available \
        to the assistant in the future. The assistant may have utilized a generalizable strategy to solve the task, \
        if so, include that in the instruction as well.

        Provide the new instructions within ``` blocks.
        """

    /// DSPy's `ProposeInstruction` signature, which ``ReflectionPrompt/dspy`` runs.
    public static let proposeInstructionSignature = Signature(
        inputs: [
            Field(
                name: "current_instruction", type: .string,
                description: "The instructions I provided to the assistant."),
            Field(
                name: "examples_with_feedback", type: .list(.dictionary(.json)),
                description: "Task inputs provided to the assistant, the assistant's response for each, and "
                    + "feedback on how the response could be better."),
        ],
        outputs: [
            Field(name: "new_instruction", type: .string, description: "The new instruction for the assistant.")
        ],
        instructions: """
            I provided an assistant with instructions to perform a task for me. You are given those instructions, \
            along with examples of different task inputs provided to the assistant, the assistant's response for \
            each of them, and some feedback on how the assistant's response could be better.

            Your task is to write a new instruction for the assistant.

            Read the inputs carefully and identify the input format and infer detailed task description about the \
            task I wish to solve with the assistant.

            Read all the assistant responses and the corresponding feedback. Identify all niche and domain specific \
            factual information about the task and include it in the instruction, as a lot of it may not be \
            available to the assistant in the future. The assistant may have utilized a generalizable strategy to \
            solve the task, if so, include that in the instruction as well.
            """)

    /// gepa's reflection message: ``reflectionTemplate`` with the instruction and the records filled in.
    public static func reflectionMessage(instruction: String, records: [Value]) -> String {
        reflectionTemplate.replacingOccurrences(of: "<curr_param>", with: instruction)
            .replacingOccurrences(of: "<side_info>", with: reflectionMarkdown(records))
    }

    /// The records as gepa renders them: `# Example n`, then `## key` per record field, nested objects as
    /// `###`-headed sections (lists as `### Item n`, at most six `#`), each leaf as its stripped text and a blank
    /// line; examples separated by a blank line.
    public static func reflectionMarkdown(_ records: [Value]) -> String {
        records.enumerated().map { number, record in
            var text = "# Example \(number + 1)\n"
            for (key, value) in record.objectValue ?? [:] {
                text += "## \(key)\n" + markdown(value, level: 3)
            }
            return text
        }.joined(separator: "\n\n")
    }

    private static func markdown(_ value: Value, level: Int) -> String {
        let heading = String(repeating: "#", count: level)
        switch value {
        case .object(let members):
            var text = ""
            for (key, member) in members { text += "\(heading) \(key)\n" + markdown(member, level: min(level + 1, 6)) }
            return members.isEmpty ? text + "\n" : text
        case .array(let elements):
            var text = ""
            for (index, element) in elements.enumerated() {
                text += "\(heading) Item \(index + 1)\n" + markdown(element, level: min(level + 1, 6))
            }
            return elements.isEmpty ? text + "\n" : text
        default:
            return pythonString(value).pythonStripped + "\n\n"
        }
    }

    /// Python's `str` of the value DSPy would hold: a string as it is, anything else as its `repr`.
    static func pythonString(_ value: Value) -> String {
        if case .string(let string) = value { return string }
        return value.pythonRepr
    }

    /// gepa's `output_extractor`: the text between the reply's first and last ```, without a language tag line;
    /// a reply with a single fence loses it (an opening fence with its tag, or a closing one); a reply without
    /// fences is taken whole. Stripped of surrounding whitespace.
    ///
    /// ```swift
    /// GEPA.extractInstruction(from: "Here:\n```text\nAdd the two numbers.\n```")   // "Add the two numbers."
    /// ```
    public static func extractInstruction(from reply: String) -> String {
        let scalars = Array(reply.unicodeScalars)
        let fence = Array("```".unicodeScalars)
        func occurrences() -> [Int] {
            guard scalars.count >= 3 else { return [] }
            return (0...(scalars.count - 3)).filter { Array(scalars[$0..<($0 + 3)]) == fence }
        }
        let found = occurrences()
        let start = (found.first ?? -1) + 3
        let end = found.last ?? -1
        func text(_ slice: ArraySlice<Unicode.Scalar>) -> String {
            var string = String.UnicodeScalarView()
            string.append(contentsOf: slice)
            return String(string)
        }
        /// The position after a run of non-space scalars from `position` and one newline, or `nil` without the
        /// newline (`^\S*\n`).
        func afterTag(from position: Int, newlineOptional: Bool) -> Int? {
            var index = position
            while index < scalars.count, !isPythonSpace(scalars[index]) { index += 1 }
            if index < scalars.count, scalars[index] == "\n" { return index + 1 }
            return newlineOptional ? index : nil
        }
        guard start < end else {
            let stripped = reply.pythonStripped
            if stripped.hasPrefix("```") {
                guard scalars.starts(with: fence), let body = afterTag(from: 3, newlineOptional: true) else {
                    return stripped
                }
                return text(scalars[body...]).pythonStripped
            }
            if stripped.hasSuffix("```") {
                return text(Array(stripped.unicodeScalars).dropLast(3)[...]).pythonStripped
            }
            return stripped
        }
        var content = scalars[start..<end]
        var index = content.startIndex
        while index < content.endIndex, !isPythonSpace(content[index]) { index += 1 }
        if index < content.endIndex, content[index] == "\n" { content = content[(index + 1)...] }
        return text(content).pythonStripped
    }

    /// Whether Python's `\s` matches the scalar.
    private static func isPythonSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || (0x1C...0x1F).contains(scalar.value)
    }

    /// A new instruction for `instruction` from the reflection model, or `nil` when the reply gives none (an
    /// unparseable or empty reply, or a failed call that does not stop the run); recorded under `key` so a resumed
    /// run asks nothing twice. The record is `{"instruction": text or null, "reply": raw reply or null}`.
    func propose(
        instruction: String, records: [Value], key: String, context: OptimizationContext
    ) async throws -> String? {
        let lm = reflectionLM
        let style = reflectionPrompt
        let value = try await context.journal.memo(key) {
            do {
                if style == .gepa {
                    let message = Self.reflectionMessage(instruction: instruction, records: records)
                    let response = try await lm.call(lm.request([.user(message)]))
                    let reply = response.choices.first?.text ?? ""
                    return ["instruction": .string(Self.extractInstruction(from: reply)), "reply": .string(reply)]
                }
                let predict = Predict(Self.proposeInstructionSignature, lm: lm, adapter: JSONAdapter())
                let prediction = try await predict([
                    "current_instruction": .string(instruction), "examples_with_feedback": .array(records),
                ])
                let draft = prediction["new_instruction"].map(Self.pythonString)?.pythonStripped ?? ""
                return ["instruction": draft.isEmpty ? .null : .string(draft), "reply": .null]
            } catch let error as LMError where error.stopsRun {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch is AdapterError {
                return ["instruction": .null, "reply": .null]
            } catch let error as LMError {
                return ["instruction": .null, "reply": .null, "error": .string(error.description)]
            }
        }
        return value["instruction"]?.stringValue
    }
}
