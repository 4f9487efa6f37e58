import Crypto
import Foundation
import OrderedCollections

/// A plan made ready to run: its pipeline loaded (and validated, once), its program built (once, without a model:
/// the run's model is bound with ``withLM(_:adapter:_:)``), and the identity a resume checks — the program's and
/// the data's hashes and the metric.
struct PreparedRun: Sendable {
    let plan: RunPlan
    let spec: PipelineSpec
    let program: Graph
    var identity: Evaluate.Run
    /// The `react` stages' tools (MCP servers started); closed when the run ends.
    let tools: PipelineTools

    /// Loads what `plan` names for the run called `name`.
    ///
    /// - Throws: ``PipelineFileError``, ``DatasetError`` or an error reading the saved program.
    init(_ plan: RunPlan, name: String, resume: Bool) async throws {
        self.plan = plan
        spec = try PipelineFile.load(path: plan.pipeline)
        tools = try await spec.connectTools()
        var program = try spec.makeGraph(
            lm: nil, concurrency: plan.concurrency, options: spec.lmSettings(overriding: plan.lm).options, tools: tools)
        var programHash = spec.contentHash
        if let saved = plan.program {
            let url = URL(fileURLWithPath: saved)
            program = try program.loading(from: url)
            programHash = SHA256.hexDigest(of: Data(spec.contentHash.utf8) + (try Data(contentsOf: url)))
        }
        self.program = program
        var datasetHash = try Dataset(url: URL(fileURLWithPath: plan.data)).contentHash()
        if let valset = plan.valset {
            datasetHash += "+" + (try Dataset(url: URL(fileURLWithPath: valset)).contentHash())
        }
        var config: OrderedDictionary<String, Value> = [
            "metric": spec.metricDescription(name: plan.metric, field: plan.metricField)
        ]
        if plan.kind == .compile {
            config["optimizer"] = .string((plan.optimizer ?? OptimizerPlan(name: .bootstrap)).name.rawValue)
        }
        identity = Evaluate.Run(
            name: name, pipeline: plan.pipeline, programHash: programHash, datasetHash: datasetHash,
            config: .object(config), resume: resume, plan: try plan.jsonText())
    }

    /// How the plan's datasets are read: the pipeline's inputs, the non-optional ones required (for eval and
    /// compile alike).
    func datasetConfiguration(limit: Int? = nil) -> Dataset.Configuration {
        spec.datasetConfiguration(idField: plan.idField, onBadRow: plan.skipBadRows ? .skip : .stop, limit: limit)
    }

    /// The run's model settings: the plan's over the file's over the defaults.
    var lmSettings: LMSettings { spec.lmSettings(overriding: plan.lm) }

    /// The reflection model's settings, when the optimizer names one: its overrides over the run's, over the file's.
    var reflectionLMSettings: LMSettings? {
        guard let reflection = plan.optimizer?.reflectionLM else { return nil }
        return spec.lmSettings(overriding: plan.lm.overridden(by: reflection))
    }

    /// The run's metric with a feedback text, for GEPA (see ``PipelineSpec/makeFeedbackMetric(lm:name:field:)``).
    func feedbackMetric(lm: any LanguageModel) throws -> FeedbackMetric {
        try spec.makeFeedbackMetric(lm: lm, name: plan.metric, field: plan.metricField)
    }

    /// The run's metric, made with the run's model (an LM judge uses it).
    func metric(lm: any LanguageModel) throws -> Metric {
        try spec.makeMetric(lm: lm, name: plan.metric, field: plan.metricField)
    }
}
