/// What a DSPy system message says about the task: the output fields with their types,
/// whether outputs are a JSON object, and the instructions ("your objective is: ...").
///
/// DSPy's ChatAdapter and JSONAdapter both open the system message with
///
/// ```
/// Your input fields are:
/// 1. `question` (str): The question.
/// Your output fields are:
/// 1. `reasoning` (str):
/// 2. `answer` (int): The answer,
///     possibly described over several lines.
/// All interactions will be structured in the following way, ...
/// ```
///
/// then show the structure (`[[ ## answer ## ]]` blocks or a JSON object whose values carry
/// `# note: the value you produce must ...`), and end with
/// `In adhering to this structure, your objective is: ...`. The schema is parsed once per
/// distinct system message and cached by ``PromptSchemaCache``.
struct PromptSchema: Sendable {
    /// Output fields in prompt order; empty when the system message is not in DSPy's format.
    var outputFields: [OutputField]
    /// Whether the structure section says outputs are a JSON object (DSPy's JSONAdapter).
    var saysJSON: Bool
    /// The objective text, or the whole system message when it has no objective marker.
    var instructions: String
    /// Whether the instructions contain one of ``ArithmeticOracle/hintPhrases``.
    var instructionsHaveHint: Bool
    /// Demos written into the system message itself (completed-marker lines beyond the template's one).
    var foldedDemoCount: Int
    /// Correct worked additions written into the instructions (``ArithmeticOracle/workedExampleCount(in:)``).
    var workedExampleCount: Int
    /// The tools a ReAct prompt lists in its instructions.
    var agentTools: [AgentTool]

    /// Parses a system message.
    init(system: String) {
        let text = PromptText(system)
        self.outputFields = Self.outputFields(in: text)
        self.saysJSON = text.find("Outputs will be a JSON object") != nil
        if let objective = text.find("your objective is:") {
            self.instructions = text.string(text.trimmed(objective + 18..<text.count))
        } else {
            self.instructions = system
        }
        self.instructionsHaveHint = ArithmeticOracle.containsHint(self.instructions)
        self.workedExampleCount = ArithmeticOracle.workedExampleCount(in: self.instructions)
        self.agentTools = text.find("It takes arguments {") == nil ? [] : AgentTool.tools(in: self.instructions)
        var completedLines = 0
        for line in text.lines() where text.equals("[[ ## completed ## ]]", trimming: line) {
            completedLines += 1
        }
        self.foldedDemoCount = max(0, completedLines - 1)
        self.applyNotes(from: text)
    }

    /// Reads the numbered list under "Your output fields are:".
    private static func outputFields(in text: PromptText) -> [OutputField] {
        guard let header = text.find("Your output fields are:") else { return [] }
        var fields: [OutputField] = []
        for line in text.lines(from: header + 23) {
            let line = text.trimmed(line)
            if text.hasPrefix("All interactions will be structured", at: line.lowerBound)
                || text.hasPrefix("[[ ##", at: line.lowerBound)
                || text.hasPrefix("Your input fields are:", at: line.lowerBound)
                || text.hasPrefix("In adhering to this structure", at: line.lowerBound)
            {
                break
            }
            if let field = Self.fieldDeclaration(in: text, line: line) {
                fields.append(field)
            }
        }
        return fields
    }

    /// Reads "N. `name` (type): description" from one line.
    static func fieldDeclaration(in text: PromptText, line: Range<Int>) -> OutputField? {
        var position = line.lowerBound
        let digitsStart = position
        while position < line.upperBound, text.bytes[position] >= UInt8(ascii: "0"),
            text.bytes[position] <= UInt8(ascii: "9")
        {
            position += 1
        }
        guard position > digitsStart, text.hasPrefix(". `", at: position) else { return nil }
        position += 3
        let nameStart = position
        while position < line.upperBound, text.bytes[position] != UInt8(ascii: "`") { position += 1 }
        guard position < line.upperBound, position > nameStart else { return nil }
        let name = text.string(nameStart..<position)
        position += 1
        while position < line.upperBound, text.bytes[position] == UInt8(ascii: " ") { position += 1 }
        guard position < line.upperBound, text.bytes[position] == UInt8(ascii: "(") else {
            return OutputField(name: name, type: .string)
        }
        guard let typeEnd = Self.closingParenthesis(in: text, after: position, before: line.upperBound) else {
            return OutputField(name: name, type: .string)
        }
        return OutputField(name: name, type: FieldType.parse(text.string(position + 1..<typeEnd)))
    }

    /// The position of the `)` that closes the `(` at `open`, skipping brackets and quoted text.
    static func closingParenthesis(in text: PromptText, after open: Int, before end: Int) -> Int? {
        var depth = 0
        var quote: UInt8?
        var position = open
        while position < end {
            let byte = text.bytes[position]
            if let active = quote {
                if byte == UInt8(ascii: "\\") {
                    position += 1
                } else if byte == active {
                    quote = nil
                }
            } else {
                switch byte {
                case UInt8(ascii: "'"), UInt8(ascii: "\""): quote = byte
                case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1
                case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"):
                    depth -= 1
                    if depth == 0 { return byte == UInt8(ascii: ")") ? position : nil }
                default: break
                }
            }
            position += 1
        }
        return nil
    }

    /// Applies the `# note: the value you produce ...` hints of custom types: a JSON schema or an enum's values.
    private mutating func applyNotes(from text: PromptText) {
        guard self.outputFields.contains(where: { if case .custom = $0.type { true } else { false } }) else {
            return
        }
        let notes = self.saysJSON ? Self.jsonNotes(in: text) : Self.chatNotes(in: text)
        for index in self.outputFields.indices {
            guard case .custom(let name, _) = self.outputFields[index].type,
                let note = notes[self.outputFields[index].name]
            else { continue }
            let schemaMarker = "must adhere to the JSON schema: "
            let enumMarker = "must be one of: "
            if let range = note.range(ofASCII: schemaMarker) {
                let schema = try? JSONParser.parse(String(note[range.upperBound...]))
                self.outputFields[index].type = .custom(name, schema: schema)
            } else if let range = note.range(ofASCII: enumMarker) {
                let options = note[range.upperBound...].split(separator: ";").map {
                    FieldType.LiteralOption(text: $0.trimmingSpaces, isString: true)
                }
                self.outputFields[index].type = .literal(options)
            }
        }
    }

    private static let noteMarker = "# note: the value you produce "

    /// Notes on `{name}        # note: ...` lines of the ChatAdapter structure.
    private static func chatNotes(in text: PromptText) -> [String: String] {
        var notes: [String: String] = [:]
        for line in text.lines() where text.hasPrefix("{", at: line.lowerBound) {
            let lineText = text.string(line)
            guard let close = lineText.firstIndex(of: "}"), let marker = lineText.range(ofASCII: Self.noteMarker)
            else { continue }
            let name = String(lineText[lineText.index(after: lineText.startIndex)..<close])
            notes[name] = String(lineText[marker.upperBound...])
        }
        return notes
    }

    /// Notes inside the JSON object the JSONAdapter prints after "Outputs will be a JSON object ...".
    private static func jsonNotes(in text: PromptText) -> [String: String] {
        guard let start = text.find("Outputs will be a JSON object"),
            let open = text.find("{", from: start)
        else { return [:] }
        let end = text.find("In adhering to this structure", from: open) ?? text.count
        let block = text.string(text.trimmed(open..<end))
        guard let object = (try? JSONParser.parse(block))?.objectValue else { return [:] }
        var notes: [String: String] = [:]
        for member in object {
            guard let template = member.value.stringValue, let marker = template.range(ofASCII: Self.noteMarker)
            else { continue }
            notes[member.key] = String(template[marker.upperBound...])
        }
        return notes
    }
}
