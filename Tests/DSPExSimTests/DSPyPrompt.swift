import Foundation

/// Builds chat-completion bodies laid out exactly as DSPy 3.4's ChatAdapter and JSONAdapter
/// write them (see the golden fixtures and /tmp/dspy-format-notes.md).
struct DSPyPrompt {
    enum Adapter {
        case chat
        case json
    }

    var inputs: [(name: String, type: String)] = [("question", "str")]
    var outputs: [(name: String, type: String, note: String?)] = [("answer", "int", "must be a single int value")]
    var instructions: String?
    var adapter: Adapter = .chat
    /// Demos as (input values, output values), rendered as user/assistant pairs.
    var demos: [(inputs: [String], outputs: [String])] = []

    /// The arithmetic signature `question -> answer: int`, optionally with chain-of-thought reasoning.
    static func arithmetic(reasoning: Bool = false, instructions: String? = nil) -> DSPyPrompt {
        var prompt = DSPyPrompt()
        if reasoning {
            prompt.outputs.insert(("reasoning", "str", nil), at: 0)
        }
        prompt.instructions = instructions
        return prompt
    }

    /// Adds `count` solved addition demos.
    mutating func addArithmeticDemos(_ count: Int) {
        for index in 0..<count {
            let a = 11 + index * 7
            let b = 5 - index * 3
            var outputs = ["\(a + b)"]
            if self.outputs.first?.name == "reasoning" {
                outputs.insert("\(a) + \(b) = \(a + b).", at: 0)
            }
            self.demos.append((["What is \(a) + \(b)?"], outputs))
        }
    }

    var systemMessage: String {
        func describe(_ fields: [(String, String)]) -> String {
            fields.enumerated().map { "\($0.offset + 1). `\($0.element.0)` (\($0.element.1)): " }
                .joined(separator: "\n").trimmingCharacters(in: .whitespaces)
        }
        var text = "Your input fields are:\n\(describe(self.inputs))\n"
        text += "Your output fields are:\n\(describe(self.outputs.map { ($0.name, $0.type) }))\n"
        text += "All interactions will be structured in the following way, with the appropriate values filled in.\n\n"
        let inputBlocks = self.inputs.map { "[[ ## \($0.name) ## ]]\n{\($0.name)}" }.joined(separator: "\n\n")
        func placeholder(_ field: (name: String, type: String, note: String?)) -> String {
            "{\(field.name)}" + (field.note.map { "        # note: the value you produce \($0)" } ?? "")
        }
        switch self.adapter {
        case .chat:
            let outputBlocks = self.outputs.map { "[[ ## \($0.name) ## ]]\n\(placeholder($0))" }
            text += ([inputBlocks] + outputBlocks + ["[[ ## completed ## ]]"]).joined(separator: "\n\n")
        case .json:
            text += "Inputs will have the following structure:\n\n\(inputBlocks)\n\n"
            text += "Outputs will be a JSON object with the following fields.\n\n{\n"
            text += self.outputs.map { "  \"\($0.name)\": \(Self.jsonString(placeholder($0)))" }.joined(
                separator: ",\n")
            text += "\n}"
        }
        let inputNames = self.inputs.map { "`\($0.name)`" }.joined(separator: ", ")
        let outputNames = self.outputs.filter { $0.name != "reasoning" }.map { "`\($0.name)`" }
            .joined(separator: ", ")
        let instructions = self.instructions ?? "Given the fields \(inputNames), produce the fields \(outputNames)."
        let objective = instructions.split(separator: "\n", omittingEmptySubsequences: false)
            .map { "\n        " + $0 }.joined()
        text += "\nIn adhering to this structure, your objective is: \(objective)"
        return text
    }

    func userMessage(_ values: [String], reminder: Bool) -> String {
        var parts = zip(self.inputs, values).map { "[[ ## \($0.0.name) ## ]]\n\($0.1)" }
        if reminder {
            func typeInfo(_ type: String) -> String {
                type == "str" ? "" : " (must be formatted as a valid Python \(type))"
            }
            switch self.adapter {
            case .chat:
                let fields = self.outputs.map { "`[[ ## \($0.name) ## ]]`\(typeInfo($0.type))" }
                parts.append(
                    "Respond with the corresponding output fields, starting with the field "
                        + fields.joined(separator: ", then ")
                        + ", and then ending with the marker for `[[ ## completed ## ]]`.")
            case .json:
                let fields = self.outputs.map { "`\($0.name)`\(typeInfo($0.type))" }
                parts.append(
                    "Respond with a JSON object in the following order of fields: "
                        + fields.joined(separator: ", then ") + ".")
            }
        }
        return parts.joined(separator: "\n\n")
    }

    func assistantMessage(_ values: [String]) -> String {
        switch self.adapter {
        case .chat:
            return zip(self.outputs, values).map { "[[ ## \($0.0.name) ## ]]\n\($0.1)" }.joined(separator: "\n\n")
                + "\n\n[[ ## completed ## ]]\n"
        case .json:
            return "{\n"
                + zip(self.outputs, values).map { "  \"\($0.0.name)\": \(Self.jsonString($0.1))" }
                .joined(separator: ",\n") + "\n}"
        }
    }

    /// The messages DSPy would send for `values`.
    func messages(for values: [String]) -> [[String: String]] {
        var messages = [["role": "system", "content": self.systemMessage]]
        for demo in self.demos {
            messages.append(["role": "user", "content": self.userMessage(demo.inputs, reminder: false)])
            messages.append(["role": "assistant", "content": self.assistantMessage(demo.outputs)])
        }
        messages.append(["role": "user", "content": self.userMessage(values, reminder: true)])
        return messages
    }

    /// A chat-completion request body for `values`.
    func body(for values: [String], extra: [String: Any] = [:]) -> String {
        Self.body(messages: self.messages(for: values), extra: extra)
    }

    static func body(messages: [[String: String]], extra: [String: Any] = [:]) -> String {
        var object: [String: Any] = ["model": "dspex-sim", "messages": messages]
        for (key, value) in extra {
            object[key] = value
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    static func jsonString(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [])) ?? Data("[\"\"]".utf8)
        let array = String(decoding: data, as: UTF8.self)
        return String(array.dropFirst().dropLast())
    }
}

/// The parts of a chat-completion reply the tests check.
struct ChatCompletionReply: Decodable {
    struct Choice: Decodable {
        struct Message: Decodable {
            var role: String
            var content: String
        }

        var index: Int
        var message: Message
        var finishReason: String

        enum CodingKeys: String, CodingKey {
            case index, message
            case finishReason = "finish_reason"
        }
    }

    struct Usage: Decodable {
        var promptTokens: Int
        var completionTokens: Int
        var totalTokens: Int

        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case completionTokens = "completion_tokens"
            case totalTokens = "total_tokens"
        }
    }

    var id: String
    var object: String
    var created: Int
    var model: String
    var choices: [Choice]
    var usage: Usage

    var content: String { self.choices.first?.message.content ?? "" }
}

/// Splits a ChatAdapter reply into its `[[ ## name ## ]]` sections, in order.
func chatSections(_ content: String) -> [(name: String, value: String)] {
    var sections: [(name: String, value: String)] = []
    for line in content.split(separator: "\n", omittingEmptySubsequences: false) {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("[[ ## "), trimmed.hasSuffix(" ## ]]") {
            sections.append((String(trimmed.dropFirst(6).dropLast(6)), ""))
        } else if !sections.isEmpty {
            sections[sections.count - 1].value += (sections[sections.count - 1].value.isEmpty ? "" : "\n") + line
        }
    }
    return sections.map { ($0.name, $0.value.trimmingCharacters(in: .whitespacesAndNewlines)) }
}
