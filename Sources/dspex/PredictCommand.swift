import ArgumentParser
import DSPEx
import Foundation
import OrderedCollections

/// `dspex predict`: one Predict or ChainOfThought call from the command line.
struct PredictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Run one signature on one input.",
        discussion: """
            Example:
              dspex predict --signature "question -> answer" --input question="What is 2 + 3?" --lm sim --json
            """)

    @Option(help: ArgumentHelp("The signature, in DSPy's form.", valueName: "\"inputs -> outputs\""))
    var signature: String

    @Option(help: "Instructions for the model (default: DSPy's sentence built from the field names).")
    var instructions: String?

    @Option(
        name: .customLong("input"),
        help: ArgumentHelp("An input value; repeat for each field.", valueName: "name=value"))
    var inputs: [String] = []

    @Flag(help: "Use ChainOfThought: the model reasons before answering.")
    var cot = false

    @Option(help: "The prompt format: chat (DSPy's [[ ## field ## ]] sections) or json.")
    var adapter: AdapterChoice = .chat

    @Flag(help: "Print the outputs as one JSON object.")
    var json = false

    @Flag(help: "Print the chat messages that would be sent, as JSON, without calling the model.")
    var dryRun = false

    @OptionGroup var model: LanguageModelOptions

    func validate() throws {
        do {
            _ = try Signature(signature)
        } catch {
            throw ValidationError("--signature: \(error)")
        }
        for input in inputs where !input.contains("=") {
            throw ValidationError("--input '\(input)' must have the form name=value")
        }
    }

    func run() async throws {
        let parsed = try Signature(signature, instructions: instructions)
        let values = try inputValues(for: parsed)
        let adapter: any Adapter = self.adapter == .json ? JSONAdapter() : ChatAdapter()
        let predict = Predict(parsed, adapter: adapter)
        let module: any Module = cot ? ChainOfThought(parsed, adapter: adapter) : predict
        if dryRun {
            let messages =
                cot ? ChainOfThought(parsed, adapter: adapter).messages(for: values) : predict.messages(for: values)
            print(Value.array(messages.map(\.value)).jsonString(.pretty(indent: 2)))
            return
        }
        let prediction = try await model.withLanguageModel { lm in
            try await withLM(lm) { try await module.forward(values) }
        }
        if json {
            print(Value.object(prediction.outputs).jsonString(.pretty(indent: 2)))
        } else {
            for (name, value) in prediction.outputs { print("\(name): \(value.plainText)") }
        }
    }

    /// Reads `name=value` inputs; values of non-string fields are read as JSON when they parse.
    private func inputValues(for signature: Signature) throws -> OrderedDictionary<String, Value> {
        var values = OrderedDictionary<String, Value>()
        for input in inputs {
            let parts = input.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let text = parts.count > 1 ? String(parts[1]) : ""
            guard let field = signature.inputs.first(where: { $0.name == name }) else {
                throw ValidationError(
                    "--input \(name): the signature has no input field '\(name)' (inputs: "
                        + signature.inputNames.joined(separator: ", ") + ")")
            }
            if field.type == .string {
                values[name] = .string(text)
            } else {
                values[name] = (try? Value(json: text)) ?? .string(text)
            }
        }
        for field in signature.inputs where values[field.name] == nil && !field.type.isOptional {
            throw ValidationError("missing --input \(field.name)=...")
        }
        return values
    }
}

/// The adapters selectable on the command line.
enum AdapterChoice: String, ExpressibleByArgument, CaseIterable {
    case chat
    case json
}
