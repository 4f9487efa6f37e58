import OrderedCollections

/// DSPy's `OfferFeedback` signature (`dspy/predict/refine.py`): after an attempt scored below the threshold,
/// ``Refine`` asks the model which predictor is to blame and what each should do differently next time.
///
/// The instructions, fields, descriptions and types are DSPy 3.4.1's, its typo included ("kind ofscenario"). As
/// in DSPy, every input is passed as text although some are declared `float` or `list[str]`: Refine turns
/// objects, lists and numbers into JSON the way `orjson.dumps(value, option=OPT_INDENT_2)` writes them
/// (``jsonText(_:)``).
///
/// ```swift
/// let feedback = try await Predict<OfferFeedback>(lm: lm)(inputs)
/// feedback.advice["predict"]   // "Answer with one word."
/// ```
public struct OfferFeedback: TypedSignature, Hashable {
    /// The inputs, as the text DSPy passes.
    public struct Inputs: Sendable, Hashable {
        /// The code of the program (DSPy: its Python source; DSPEx: a description, see ``Refine``).
        public var programCode: String
        /// Each predictor's fields and instructions (``Refine/inspectModules(_:)``).
        public var modulesDefn: String
        /// The program's inputs as JSON.
        public var programInputs: String
        /// Each predictor call of the attempt (`module_name`, `inputs`, `outputs`) as JSON.
        public var programTrajectory: String
        /// The program's outputs as JSON.
        public var programOutputs: String
        /// The code of the reward (DSPy: its Python source; DSPEx: the caller's description).
        public var rewardCode: String
        /// The threshold as JSON (`1.0`).
        public var targetThreshold: String
        /// The attempt's reward as JSON (`0.0`).
        public var rewardValue: String
        /// The predictor names as a JSON list.
        public var moduleNames: String

        /// Creates the inputs.
        public init(
            programCode: String, modulesDefn: String, programInputs: String, programTrajectory: String,
            programOutputs: String, rewardCode: String, targetThreshold: String, rewardValue: String,
            moduleNames: String
        ) {
            self.programCode = programCode
            self.modulesDefn = modulesDefn
            self.programInputs = programInputs
            self.programTrajectory = programTrajectory
            self.programOutputs = programOutputs
            self.rewardCode = rewardCode
            self.targetThreshold = targetThreshold
            self.rewardValue = rewardValue
            self.moduleNames = moduleNames
        }
    }

    /// The inputs the model was given.
    public var inputs: Inputs
    /// Where each predictor went wrong, if it did.
    public var discussion: String
    /// Advice for each predictor by name ("N/A" for one not to blame), in the model's order.
    public var advice: OrderedDictionary<String, String>

    /// DSPy's docstring, dedented as DSPy's `Signature` stores it (a `\` ends a source line, not a line of text).
    public static let instructions = """
        In the discussion, assign blame to each module that contributed to the final reward being below the \
        threshold, if
        any. Then, prescribe concrete advice of how the module should act on its future input when we retry the \
        process, if
        it were to receive the same or similar inputs. If a module is not to blame, the advice should be N/A.
        The module will not see its own history, so it needs to rely on entirely concrete and actionable advice from you
        to avoid the same mistake on the same or similar inputs.
        """

    /// The signature: nine inputs, `discussion` and `advice` (`dict[str, str]`).
    public static let signature = Signature(
        inputs: [
            Field(name: "program_code", description: "The code of the program that we are analyzing"),
            Field(
                name: "modules_defn", description: "The definition of each module in the program, including its I/O"),
            Field(name: "program_inputs", description: "The inputs to the program that we are analyzing"),
            Field(
                name: "program_trajectory",
                description: "The trajectory of the program's execution, showing each module's I/O"),
            Field(name: "program_outputs", description: "The outputs of the program that we are analyzing"),
            Field(name: "reward_code", description: "The code of the reward function that we are analyzing"),
            Field(
                name: "target_threshold", type: .double, description: "The target threshold for the reward function"),
            Field(
                name: "reward_value", type: .double, description: "The reward value assigned to the program's outputs"),
            Field(
                name: "module_names", type: .list(.string),
                description: "The names of the modules in the program, for which we seek advice"),
        ],
        outputs: [
            Field(name: "discussion", description: "Discussing blame of where each module went wrong, if it did"),
            Field(
                name: "advice", type: .dictionary(.string),
                description: "For each module, describe very concretely, in this order: the specific scenarios in "
                    + "which it has made mistakes in the past and what each mistake was, followed by what it should "
                    + "do differently in that kind ofscenario in the future. If the module is not to blame, write N/A."
            ),
        ],
        instructions: instructions)

    public static func values(of inputs: Inputs) -> [String: Value] {
        [
            "program_code": .string(inputs.programCode), "modules_defn": .string(inputs.modulesDefn),
            "program_inputs": .string(inputs.programInputs), "program_trajectory": .string(inputs.programTrajectory),
            "program_outputs": .string(inputs.programOutputs), "reward_code": .string(inputs.rewardCode),
            "target_threshold": .string(inputs.targetThreshold), "reward_value": .string(inputs.rewardValue),
            "module_names": .string(inputs.moduleNames),
        ]
    }

    /// Reads the model's outputs; a non-text advice value is kept as its JSON text.
    public init(inputs: Inputs, outputs: [String: Value]) {
        self.inputs = inputs
        self.discussion = outputs["discussion"].map { $0.stringValue ?? $0.plainText } ?? ""
        var advice = OrderedDictionary<String, String>()
        for (name, value) in outputs["advice"]?.objectValue ?? [:] {
            advice[name] = value.stringValue ?? value.plainText
        }
        self.advice = advice
    }

    /// `orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()`, how DSPy turns a non-text input into text:
    /// two-space indentation, `,` at the end of a line and `": "` after a key, UTF-8 kept, `[]` and `{}` for
    /// empty containers, and orjson's numbers (`1e-7` and `0.00001` where Python writes `1e-07` and `1e-05`;
    /// `null` for NaN and infinities).
    public static func jsonText(_ value: Value) -> String {
        var output: [UInt8] = []
        write(value, level: 0, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    private static func write(_ value: Value, level: Int, to output: inout [UInt8]) {
        func newline(_ level: Int) {
            output.append(UInt8(ascii: "\n"))
            output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * level))
        }
        switch value {
        case .double(let double): output.append(contentsOf: orjsonNumber(double).utf8)
        case .array(let elements) where !elements.isEmpty:
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                newline(level + 1)
                write(element, level: level + 1, to: &output)
            }
            newline(level)
            output.append(UInt8(ascii: "]"))
        case .object(let members) where !members.isEmpty:
            output.append(UInt8(ascii: "{"))
            for (index, (key, member)) in members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                newline(level + 1)
                Value.writeString(key, to: &output, escapeNonASCII: false)
                output.append(contentsOf: ": ".utf8)
                write(member, level: level + 1, to: &output)
            }
            newline(level)
            output.append(UInt8(ascii: "}"))
        default:
            // Strings escape as orjson does (quote, backslash and control characters only); null, booleans,
            // integers and empty containers are written alike.
            output.append(contentsOf: value.jsonBytes(.compact))
        }
    }

    /// orjson's text for a double: Python's `repr` except for negative exponents, written without zero padding
    /// (`1e-7`) and from -5 up in positional notation (`0.00001`); `null` for NaN and infinities.
    static func orjsonNumber(_ double: Double) -> String {
        guard double.isFinite else { return "null" }
        let text = Value.jsonNumber(double)
        guard let mark = text.firstIndex(of: "e"), let exponent = Int(text[text.index(after: mark)...]) else {
            return text
        }
        let mantissa = text[..<mark]
        guard exponent < 0 else { return String(mantissa) + "e+" + String(exponent) }
        guard exponent >= -5 else { return String(mantissa) + "e" + String(exponent) }
        let negative = mantissa.hasPrefix("-")
        let digits = mantissa.filter { $0.isNumber }
        return (negative ? "-" : "") + "0." + String(repeating: "0", count: -exponent - 1) + digits
    }
}
