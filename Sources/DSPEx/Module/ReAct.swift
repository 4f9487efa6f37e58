import OrderedCollections

/// DSPy's `ReAct` (reasoning and acting): a tool-using agent over any signature.
///
/// Each step, the `react` predictor reads the inputs and the trajectory so far and writes `next_thought`,
/// `next_tool_name` (one of the tools or `finish`) and `next_tool_args` (a JSON object); the tool runs and its
/// observation — or `Execution error in <tool>: …` — joins the trajectory. After `finish` or `maxIters` steps the
/// `extract` chain of thought produces the signature's outputs from the trajectory. As in DSPy 3.4.1
/// (`dspy/predict/react.py`): the same instructions and field layout, a prompt over the context window drops the
/// oldest step and tries again (three times), and a reply the adapter cannot read fails the module (DSPy's
/// `except ValueError` does not catch its `AdapterParseError`).
///
/// The prediction holds `trajectory` (thought, tool name, args and observation of each step) and the extract
/// step's outputs (`reasoning` and the signature's outputs). Its predictors are `react` and `extract.predict`.
///
/// ```swift
/// let agent = try ReAct("question -> answer: int", tools: [add], lm: lm)
/// let prediction = try await agent(["question": "What is 123456789 + 987654321?"])
/// prediction["trajectory"]?["tool_name_0"]   // "add"
/// ```
public struct ReAct: Module {
    /// The signature the agent answers.
    public var signature: Signature
    /// The tools the model may call, in the order it sees them (`finish` comes last, added by the module).
    public var tools: [any Tool]
    /// The most steps before the extract step.
    public var maxIters: Int
    /// The step predictor.
    public var react: Predict<DynamicSignature>
    /// The final step, producing the outputs from the trajectory.
    public var extract: ChainOfThought<DynamicSignature>

    /// The tool that ends the loop.
    public static let finishToolName = "finish"

    /// Creates an agent for a signature value.
    ///
    /// - Throws: ``ToolError`` (`bad_declaration`) for two tools with one name or a tool called `finish`.
    public init(
        _ signature: Signature, tools: [any Tool], maxIters: Int = 20, lm: (any LanguageModel)? = nil,
        adapter: (any Adapter)? = nil, options: LMOptions = LMOptions()
    ) throws(ToolError) {
        var seen = Set<String>()
        for tool in tools {
            guard tool.name != Self.finishToolName else {
                throw ToolError(
                    code: .badDeclaration, tool: tool.name, message: "'finish' is ReAct's own tool; rename this one")
            }
            guard seen.insert(tool.name).inserted else {
                throw ToolError(code: .badDeclaration, tool: tool.name, message: "two tools have this name")
            }
        }
        let finish = Self.finishTool(signature)
        self.signature = signature
        self.tools = tools
        self.maxIters = maxIters
        react = Predict(
            signature: Self.reactSignature(signature, tools: tools + [finish]), lm: lm, adapter: adapter,
            options: options, demos: [], name: "react")
        var extract = ChainOfThought<DynamicSignature>(
            signature: Signature(
                inputs: signature.inputs + [Field(name: "trajectory")], outputs: signature.outputs,
                instructions: signature.instructions),
            lm: lm, adapter: adapter, options: options, demos: [])
        extract.predict.name = "extract.predict"
        self.extract = extract
    }

    /// Creates an agent from DSPy's string form, `"question -> answer"`.
    public init(
        _ signature: String, instructions: String? = nil, tools: [any Tool], maxIters: Int = 20,
        lm: (any LanguageModel)? = nil, adapter: (any Adapter)? = nil, options: LMOptions = LMOptions()
    ) throws {
        try self.init(
            try Signature(signature, instructions: instructions), tools: tools, maxIters: maxIters, lm: lm,
            adapter: adapter, options: options)
    }

    /// Creates an agent for the `@Signature` struct `S`.
    public init<S: TypedSignature>(
        _ type: S.Type, tools: [any Tool], maxIters: Int = 20, lm: (any LanguageModel)? = nil,
        adapter: (any Adapter)? = nil, options: LMOptions = LMOptions()
    ) throws(ToolError) {
        try self.init(S.signature, tools: tools, maxIters: maxIters, lm: lm, adapter: adapter, options: options)
    }

    public var namedPredictors: [NamedPredictor] { react.namedPredictors + extract.namedPredictors }

    public mutating func setPredictorState(_ state: PredictorState, named name: String) throws {
        if name == react.name {
            try react.setPredictorState(state, named: name)
        } else {
            try extract.setPredictorState(state, named: name)
        }
    }

    public func forward(_ inputs: OrderedDictionary<String, Value>) async throws -> Prediction {
        var inputs = inputs
        let steps = inputs.removeValue(forKey: "max_iters")?.intValue ?? maxIters
        var trajectory = OrderedDictionary<String, Value>()
        var usage = Usage()
        for index in 0..<max(0, steps) {
            let step: Prediction
            do {
                step = try await callTruncating(react, inputs: inputs, trajectory: &trajectory, usage: &usage)
            } catch let error as LMError where error.code == .contextWindowExceeded {
                break  // DSPy: "Ending the trajectory".
            }
            let toolName = step["next_tool_name"]?.stringValue ?? ""
            let arguments = step["next_tool_args"]?.objectValue ?? [:]
            trajectory["thought_\(index)"] = step["next_thought"] ?? .string("")
            trajectory["tool_name_\(index)"] = .string(toolName)
            trajectory["tool_args_\(index)"] = .object(arguments)
            trajectory["observation_\(index)"] = await observe(toolName, arguments)
            if toolName == Self.finishToolName { break }
        }
        let extracted = try await callTruncating(
            extract.predict, inputs: inputs, trajectory: &trajectory, usage: &usage)
        var outputs: OrderedDictionary<String, Value> = ["trajectory": .object(trajectory)]
        for (name, value) in extracted.outputs { outputs[name] = value }
        return Prediction(outputs, usage: usage)
    }

    /// What the model observes after calling `toolName`: the tool's value, or DSPy's `Execution error in …` text.
    func observe(_ toolName: String, _ arguments: OrderedDictionary<String, Value>) async -> Value {
        if toolName == Self.finishToolName { return .string("Completed.") }
        guard let tool = tools.first(where: { $0.name == toolName }) else {
            return .string("Execution error in \(toolName): there is no tool named '\(toolName)'")
        }
        do {
            return try await tool.invoke(arguments)
        } catch {
            return .string("Execution error in \(toolName): \(error.message)")
        }
    }

    /// The trajectory as the adapter writes it into the `trajectory` input (DSPy's `_format_trajectory`).
    public func formatTrajectory(_ trajectory: OrderedDictionary<String, Value>) -> String {
        (react.adapter ?? LMContext.adapter ?? ChatAdapter()).formatSections(trajectory)
    }

    /// Calls `predictor` with the trajectory; a prompt over the context window drops the oldest step (thought,
    /// tool, args, observation) and tries again, three attempts in all.
    private func callTruncating(
        _ predictor: Predict<DynamicSignature>, inputs: OrderedDictionary<String, Value>,
        trajectory: inout OrderedDictionary<String, Value>, usage: inout Usage
    ) async throws -> Prediction {
        for _ in 0..<3 {
            var call = inputs
            call["trajectory"] = .string(formatTrajectory(trajectory))
            do {
                let prediction = try await predictor.forward(call)
                usage = usage + prediction.usage
                return prediction
            } catch let error as LMError where error.code == .contextWindowExceeded {
                guard trajectory.count > 4 else {
                    throw LMError(
                        code: .contextWindowExceeded,
                        message: "The trajectory is too long so your prompt exceeded the context window, but the "
                            + "trajectory cannot be truncated because it only has one tool call.")
                }
                trajectory.removeFirst(4)
            }
        }
        throw LMError(
            code: .contextWindowExceeded,
            message: "The context window was exceeded even after 3 attempts to truncate the trajectory.")
    }

    /// ReAct's `finish` tool, described with the signature's outputs.
    static func finishTool(_ signature: Signature) -> FunctionTool {
        let outputs = signature.outputs.map { "`\($0.name)`" }.joined(separator: ", ")
        return FunctionTool(
            checkedName: finishToolName,
            description: "Marks the task as complete. That is, signals that all information for producing the "
                + "outputs, i.e. \(outputs), are now available to be extracted.",
            arguments: [:]
        ) { _ in .string("Completed.") }
    }

    /// The step signature: the inputs and `trajectory` to `next_thought`, `next_tool_name`, `next_tool_args`, with
    /// DSPy's agent instructions listing every tool.
    static func reactSignature(_ signature: Signature, tools: [any Tool]) -> Signature {
        let inputs = signature.inputs.map { "`\($0.name)`" }.joined(separator: ", ")
        let outputs = signature.outputs.map { "`\($0.name)`" }.joined(separator: ", ")
        var lines = signature.instructions.isEmpty ? [] : ["\(signature.instructions)\n"]
        lines += [
            "You are an Agent. In each episode, you will be given the fields \(inputs) as input. And you can see your "
                + "past trajectory so far.",
            "Your goal is to use one or more of the supplied tools to collect any necessary information for "
                + "producing \(outputs).\n",
            "To do this, you will interleave next_thought, next_tool_name, and next_tool_args in each turn, and also "
                + "when finishing the task.",
            "After each tool call, you receive a resulting observation, which gets appended to your trajectory.\n",
            "When writing next_thought, you may reason about the current situation and plan for future steps.",
            "When selecting the next_tool_name and its next_tool_args, the tool must be one of:\n",
        ]
        for (index, tool) in tools.enumerated() { lines.append("(\(index + 1)) \(tool.promptDescription)") }
        lines.append("When providing `next_tool_args`, the value inside the field must be in JSON format")
        return Signature(
            inputs: signature.inputs + [Field(name: "trajectory")],
            outputs: [
                Field(name: "next_thought"),
                Field(name: "next_tool_name", type: .literal(tools.map(\.name))),
                Field(name: "next_tool_args", type: .dictionary(.json)),
            ],
            instructions: lines.joined(separator: "\n"))
    }
}
