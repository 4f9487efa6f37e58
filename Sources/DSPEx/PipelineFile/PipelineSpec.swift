/// A validated pipeline definition file: its stages, how they connect, its outputs and metric.
///
/// Get one from ``PipelineFile/load(path:environment:)`` or ``PipelineFile/parse(_:file:environment:)``.
/// Everything in it has been checked: every stage input is bound to a dataset field or to an
/// output of another stage, the stages form no cycle, connected types are compatible, and
/// every output names a real stage field. Each part keeps its ``SourceLocation`` so that later
/// layers can report problems at the right line.
///
/// ```swift
/// let spec = try PipelineFile.load(path: "pipelines/arithmetic.yaml")
/// spec.stages.map(\.id)          // ["solve"]
/// spec.outputs.map(\.name)       // ["answer"]
/// ```
public struct PipelineSpec: Sendable, Hashable {
    /// The pipeline's name (`name`).
    public var name: String
    /// The language model settings (`lm`), if the file gives them.
    public var lm: LMSpec?
    /// The adapter (`adapter`); `chat` when the file does not say.
    public var adapter: AdapterKind
    /// The stages, in file order.
    public var stages: [StageSpec]
    /// The program's outputs, in file order.
    public var outputs: [OutputSpec]
    /// The metric (`metric`), if the file names one.
    public var metric: MetricSpec?
    /// The path the file was read from.
    public var file: String
    /// The SHA-256 (lowercase hex) of the file's text after variable expansion; see
    /// ``PipelineFile/contentHash(of:environment:)``.
    public var contentHash: String
    /// The place of the document's top-level mapping.
    public var location: SourceLocation
    /// The place of the name's value.
    public var nameLocation: SourceLocation
    /// The place of the adapter's value, if the file sets one.
    public var adapterLocation: SourceLocation?
    /// The place of the `outputs` value, if the file sets one.
    public var outputsLocation: SourceLocation?

    /// The keys a pipeline file accepts at its top level, in the order the documentation lists them.
    public static let keys = ["name", "lm", "adapter", "stages", "outputs", "metric"]

    /// Creates a specification.
    public init(
        name: String, lm: LMSpec? = nil, adapter: AdapterKind = .chat, stages: [StageSpec], outputs: [OutputSpec],
        metric: MetricSpec? = nil, file: String, contentHash: String = "", location: SourceLocation,
        nameLocation: SourceLocation? = nil, adapterLocation: SourceLocation? = nil,
        outputsLocation: SourceLocation? = nil
    ) {
        self.name = name
        self.lm = lm
        self.adapter = adapter
        self.stages = stages
        self.outputs = outputs
        self.metric = metric
        self.file = file
        self.contentHash = contentHash
        self.location = location
        self.nameLocation = nameLocation ?? location
        self.adapterLocation = adapterLocation
        self.outputsLocation = outputsLocation
    }

    /// The stage with this id.
    public func stage(_ id: String) -> StageSpec? {
        stages.first { $0.id == id }
    }
}
