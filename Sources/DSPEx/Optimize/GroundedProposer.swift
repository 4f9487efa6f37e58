import Foundation
import OrderedCollections

/// Proposes instruction candidates for a program's predictors with a prompt model, grounded — as DSPy's
/// `GroundedProposer` — on a summary of the training data, a description of the program and of each predictor's
/// role, a few of the predictor's bootstrapped demos, and a randomly drawn ``InstructionTip``.
///
/// Every model answer is memoized in the ``CompileJournal``, so a resumed optimization reads its proposals back
/// instead of asking again. The first candidate of every predictor is its current instruction; a reply the adapter
/// cannot parse counts as no proposal (the current instruction stands in), as an empty summary or description.
struct GroundedProposer {
    /// The model that writes summaries and instructions.
    let promptModel: any LanguageModel
    let context: OptimizationContext
    /// Examples per batch the dataset summarizer reads.
    var viewDataBatchSize = 10
    /// Batches of observations before they are summarized.
    var maxObservationBatches = 3
    /// Demos shown to the proposer per instruction.
    var demosInContext = 3
    /// The prompt model's sampling temperature for instructions.
    var temperature = 0.5

    /// `count` candidates per predictor, keyed by predictor name; candidate 0 is the predictor's instruction.
    ///
    /// - Parameters:
    ///   - program: The program whose predictors need instructions.
    ///   - trainset: Examples the dataset summary is written from.
    ///   - demoSets: Demo-set candidates per predictor (candidate `j` is shown demo set `j`).
    ///   - count: Candidates per predictor, the current instruction included.
    ///   - generator: Draws the tips; advanced the same way whether or not proposals are recorded.
    func propose(
        for program: Graph, trainset: [Example], demoSets: [String: [[Example]]], count: Int,
        generator: inout SeededGenerator
    ) async throws -> [String: [String]] {
        let summary = try await datasetSummary(trainset)
        let programText = Self.describeStructure(of: program)
        let programDescription = try await text(
            "program-description",
            signature: "program_code, program_example -> program_description",
            instructions: """
                Below is the structure of a language-model program: its stages, what each stage's signature \
                takes and produces, and how data flows between them. Describe in two or three sentences what task \
                the program solves and how.
                """,
            inputs: [
                "program_code": .string(programText),
                "program_example": .string(trainset.first.map(Self.render) ?? ""),
            ])
        var proposals: [String: [String]] = [:]
        for predictor in program.namedPredictors {
            let current = predictor.state.signature.instructions
            var candidates = [current]
            let moduleDescription = try await text(
                "module-description/\(predictor.name)",
                signature: "program_code, program_description, module -> module_description",
                instructions: """
                    Given a language-model program and one of its predictors, describe in one or two sentences the \
                    predictor's role in the program.
                    """,
                inputs: [
                    "program_code": .string(programText), "program_description": .string(programDescription),
                    "module": .string("\(predictor.name): \(predictor.state.signature.shortDescription)"),
                ])
            let sets = demoSets[predictor.name] ?? []
            for index in 1..<max(1, count) {
                let tip = InstructionTip.allCases.randomElement(using: &generator) ?? .none
                let demos = sets.isEmpty ? [] : Array(sets[index % sets.count].prefix(demosInContext))
                let proposal = try await text(
                    "propose/\(predictor.name)/\(index)",
                    signature: """
                        dataset_description, program_code, program_description, module, module_description, \
                        task_demos, basic_instruction, tip -> proposed_instruction
                        """,
                    instructions: """
                        Use the information below about a task that a language-model program solves to write a new \
                        instruction for one of its predictors. The instruction will prompt the language model \
                        directly, so it must be self-contained and help the model solve its part of the task better \
                        than the basic instruction.
                        """,
                    inputs: [
                        "dataset_description": .string(summary), "program_code": .string(programText),
                        "program_description": .string(programDescription),
                        "module": .string("\(predictor.name): \(predictor.state.signature.shortDescription)"),
                        "module_description": .string(moduleDescription),
                        "task_demos": .string(
                            demos.isEmpty
                                ? "No task demos provided."
                                : demos.map(Self.render)
                                    .joined(separator: "\n\n")),
                        "basic_instruction": .string(current), "tip": .string(tip.text),
                    ],
                    options: LMOptions(temperature: temperature, rolloutID: index))
                let cleaned = Self.clean(proposal)
                candidates.append(cleaned.isEmpty ? current : cleaned)
            }
            proposals[predictor.name] = candidates
        }
        return proposals
    }

    /// A few sentences on the training data: observations over a few batches, then a summary.
    func datasetSummary(_ trainset: [Example]) async throws -> String {
        var observations = ""
        let batches = stride(from: 0, to: trainset.count, by: max(1, viewDataBatchSize)).prefix(maxObservationBatches)
        for (number, start) in batches.enumerated() {
            let batch = trainset[start..<min(trainset.count, start + viewDataBatchSize)]
            let examples = batch.map(Self.render).joined(separator: "\n\n")
            if number == 0 {
                observations = try await text(
                    "summary/observations/0", signature: "examples -> observations",
                    instructions: """
                        Given several examples from a dataset, write observations about trends that hold for most or \
                        all of the samples: the topic, the content, the syntax and the format of the inputs and \
                        outputs. Be concise.
                        """,
                    inputs: ["examples": .string(examples)])
            } else {
                let more = try await text(
                    "summary/observations/\(number)", signature: "examples, prior_observations -> observations",
                    instructions: """
                        Given several examples from a dataset and observations already made about it, add new \
                        observations that hold for most samples and are not yet listed. Be concise.
                        """,
                    inputs: ["examples": .string(examples), "prior_observations": .string(observations)])
                observations += "\n" + more
            }
        }
        return try await text(
            "summary", signature: "observations -> summary",
            instructions: """
                Given a series of observations about a dataset, summarize them in two or three sentences that keep \
                only the most important details.
                """,
            inputs: ["observations": .string(observations)])
    }

    /// The prompt model's answer to one call, memoized in the journal under `key`.
    private func text(
        _ key: String, signature: String, instructions: String, inputs: OrderedDictionary<String, Value>,
        options: LMOptions = LMOptions()
    ) async throws -> String {
        let value = try await context.journal.memo("proposer/\(key)") {
            let predict = try Predict(signature, instructions: instructions, lm: promptModel, options: options)
            // A reply that does not follow the format (small models drift) yields no proposal: the caller keeps the
            // current instruction. Recorded like any answer, so a resumed run makes the same choice; its calls are
            // counted anyway.
            let prediction: Prediction?
            do {
                prediction = try await predict(inputs)
            } catch is AdapterError {
                prediction = nil
            }
            let output = predict.signature.outputs.last?.name ?? ""
            return .string(prediction?[output]?.plainText ?? "")
        }
        return value.stringValue ?? value.plainText
    }

    /// The program's stages, signatures and data flow as text (what DSPy shows as the program's code).
    static func describeStructure(of program: Graph) -> String {
        var lines: [String] = []
        for stage in program.stages {
            let bindings = stage.inputs.map { "\($0.key) ← \($0.value)" }.joined(separator: ", ")
            lines.append(
                "stage \(stage.id): \(type(of: stage.module))(\"\(stage.signature.shortDescription)\") "
                    + "with inputs \(bindings)")
            lines.append("  instructions: \(stage.signature.instructions)")
        }
        let outputs = program.outputs.map { "\($0.key) ← \($0.value)" }.joined(separator: ", ")
        lines.append("program outputs: \(outputs)")
        return lines.joined(separator: "\n")
    }

    /// An example as `field: value` lines.
    static func render(_ example: Example) -> String {
        example.values.filter { $0.key != "augmented" }.map { "\($0.key): \($0.value.plainText)" }
            .joined(separator: "\n")
    }

    /// A proposal without surrounding quotes, labels or blank space.
    static func clean(_ proposal: String) -> String {
        var text = proposal.trimmingCharacters(in: .whitespacesAndNewlines)
        for label in ["Proposed Instruction:", "proposed_instruction:", "Instruction:"] where text.hasPrefix(label) {
            text = String(text.dropFirst(label.count)).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if text.count >= 2, let first = text.first, let last = text.last, first == last, first == "\"" {
            text = String(text.dropFirst().dropLast())
        }
        return text
    }
}
