/// Everything the simulator reads from one chat-completion request before answering it.
///
/// The system message gives the output fields and instructions (see ``PromptSchema``);
/// prior user/assistant pairs are demos; the final user message gives the input values
/// (`[[ ## question ## ]]` blocks) and possibly an addition question.
struct PromptAnalysis: Sendable {
    var outputFields: [OutputField]
    var format: ReplyFormat
    /// Input values from the final user message, in order.
    var inputs: [(name: String, value: String)]
    var finalUserMessage: String
    var demoCount: Int
    var instructionsHaveHint: Bool
    /// The tools of a ReAct prompt.
    var agentTools: [AgentTool]
    var arithmetic: ArithmeticProblem?
    /// A reflective optimizer's proposal request: gepa's template (a prompt with no output fields) or DSPy's
    /// `ProposeInstruction` inputs.
    var reflection: ReflectionPolicy?
    /// A stable hash of every message's role and content (the seed and choice are mixed in later).
    var promptHash: UInt64

    init(request: ChatCompletionRequest, schemas: PromptSchemaCache) {
        let messages = request.messages
        var hash = StableHash()
        var system = ""
        var finalUserIndex: Int?
        for (index, message) in messages.enumerated() {
            hash.combine(message.role)
            hash.combine(message.content)
            if message.role == "system" || message.role == "developer" {
                system = system.isEmpty ? message.content : system + "\n" + message.content
            } else if message.role == "user" {
                finalUserIndex = index
            }
        }
        self.promptHash = hash.finalize()
        let schema = system.isEmpty ? nil : schemas.schema(for: system)

        let finalUser = finalUserIndex.map { messages[$0].content } ?? ""
        self.finalUserMessage = finalUser
        let userText = PromptText(finalUser)

        var demos = (schema?.foldedDemoCount ?? 0) + (schema?.workedExampleCount ?? 0)
        for message in messages[..<(finalUserIndex ?? messages.count)] where message.role == "assistant" {
            demos += 1
        }
        for line in userText.lines() where userText.equals("[[ ## completed ## ]]", trimming: line) {
            demos += 1
        }
        self.demoCount = demos
        self.instructionsHaveHint = schema?.instructionsHaveHint ?? false
        self.agentTools = schema?.agentTools ?? []

        var fields = schema?.outputFields ?? []
        if fields.isEmpty {
            fields = Self.fieldsFromReminder(in: userText)
        }
        if let schemaJSON = request.responseSchema {
            fields = fields.isEmpty ? Self.fieldsFromJSONSchema(schemaJSON) : Self.refine(fields, with: schemaJSON)
        }
        self.outputFields = fields

        let saysJSON =
            request.wantsJSON || (schema?.saysJSON ?? false) || userText.find("Respond with a JSON object") != nil
        self.format = saysJSON ? .json : (fields.isEmpty ? .prose : .chat)
        self.inputs = Self.inputs(in: userText)
        self.arithmetic = ArithmeticProblem(in: userText)
        self.reflection =
            self.format == .prose
            ? ReflectionPolicy(finalUserMessage: userText) : ReflectionPolicy(inputs: self.inputs)
    }

    /// The probability of answering the addition correctly (see ``ArithmeticOracle``).
    var probabilityCorrect: Double {
        ArithmeticOracle.probabilityCorrect(demoCount: self.demoCount, hasHint: self.instructionsHaveHint)
    }

    /// Reads `[[ ## name ## ]]` blocks up to DSPy's "Respond with ..." reminder.
    private static func inputs(in text: PromptText) -> [(name: String, value: String)] {
        var inputs: [(name: String, value: String)] = []
        var current: (name: String, start: Int)?
        var end = text.count
        for line in text.lines() {
            if text.hasPrefix("Respond with ", at: line.lowerBound) {
                end = line.lowerBound
                break
            }
            if let name = text.markerName(line) {
                if let open = current {
                    inputs.append((open.name, text.string(text.trimmed(open.start..<line.lowerBound))))
                }
                current = (name, min(line.upperBound + 1, text.count))
            }
        }
        if let open = current, open.start <= end {
            inputs.append((open.name, text.string(text.trimmed(open.start..<end))))
        }
        return inputs
    }

    /// Reads output fields from the final reminder when the system message does not list them:
    /// "... starting with the field `[[ ## answer ## ]]` (must be formatted as a valid Python int), ..."
    /// or "Respond with a JSON object in the following order of fields: `answer` (must be ...)."
    static func fieldsFromReminder(in text: PromptText) -> [OutputField] {
        let chatStart = text.find("Respond with the corresponding output fields")
        let jsonStart = text.find("Respond with a JSON object")
        guard let start = chatStart ?? jsonStart else { return [] }
        let typeMarker = Array(" (must be formatted as a valid Python ".utf8)
        var fields: [OutputField] = []
        var position = start
        while let open = text.find([UInt8(ascii: "`")], from: position, before: text.count),
            let close = text.find([UInt8(ascii: "`")], from: open + 1, before: text.count)
        {
            position = close + 1
            var name = text.string(open + 1..<close)
            if chatStart != nil {
                guard name.hasPrefix("[[ ## "), name.hasSuffix(" ## ]]"), name.utf8.count > 12 else { continue }
                name = String(name.dropFirst(6).dropLast(6))
            }
            guard name != "completed" else { continue }
            var type = FieldType.string
            if text.find(typeMarker, from: position, before: min(text.count, position + typeMarker.count)) != nil,
                let typeEnd = PromptSchema.closingParenthesis(in: text, after: position + 1, before: text.count)
            {
                let typeName = text.string(position + typeMarker.count..<typeEnd)
                type = FieldType.parse(typeName)
                position = typeEnd + 1
            }
            fields.append(OutputField(name: name, type: type))
        }
        return fields
    }

    /// Reads output fields from a `json_schema` response format's `properties`.
    static func fieldsFromJSONSchema(_ schema: JSONValue) -> [OutputField] {
        guard let properties = schema["properties"]?.objectValue else { return [] }
        return properties.map { member in
            let type: FieldType
            switch member.value["type"]?.stringValue {
            case "integer": type = .integer
            case "number": type = .number
            case "boolean": type = .boolean
            case "string" where member.value["enum"] == nil: type = .string
            default: type = .custom(member.key, schema: Self.standalone(member.value, root: schema))
            }
            return OutputField(name: member.key, type: type)
        }
    }

    /// Lets a structured-output schema decide the shape of dictionary and custom-typed fields, as a real model
    /// constrained by it would (DSPy's bare `dict` output, for example, is forced to an empty object).
    static func refine(_ fields: [OutputField], with schema: JSONValue) -> [OutputField] {
        fields.map { field in
            switch field.type {
            case .dictionary, .custom:
                guard let property = schema["properties"]?[field.name] else { return field }
                return OutputField(
                    name: field.name, type: .custom(field.name, schema: Self.standalone(property, root: schema)))
            default:
                return field
            }
        }
    }

    /// A property schema carrying the root's `$defs`, so its `$ref`s still resolve.
    private static func standalone(_ property: JSONValue, root: JSONValue) -> JSONValue {
        guard let definitions = root["$defs"], case .object(var members) = property else { return property }
        members.append((key: "$defs", value: definitions))
        return .object(members)
    }
}
