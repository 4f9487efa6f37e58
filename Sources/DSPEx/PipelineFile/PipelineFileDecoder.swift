import Foundation
import OrderedCollections
import Yams

/// Reads the YAML tree of a pipeline file into a ``PipelineSpec``, checking each part on its own:
/// keys, types, required keys, allowed values, signatures, references and stage-local bindings.
///
/// Checks that involve several stages (unknown stages and fields, types across stages, cycles,
/// outputs) are ``PipelineGraphValidator``'s. The first problem found is thrown.
struct PipelineFileDecoder {
    /// Located access to the nodes.
    let reader: NodeReader

    /// The specification of the document whose root is `root` (`nil` for an empty file).
    func decode(_ root: Node?, contentHash: String) throws(PipelineFileError) -> PipelineSpec {
        guard let root else {
            throw reader.error(
                .missingField, "the pipeline file is empty; it needs at least 'name' and 'stages'",
                at: SourceLocation(file: reader.file, line: 1, column: 1))
        }
        // Top-level keys starting with `x-` hold anchors for reuse and are otherwise ignored.
        let expected = "a mapping with 'name' and 'stages' at the top of the file"
        let entries = try reader.entries(of: root, expected: expected).filter {
            !$0.key.hasPrefix(Self.extensionPrefix)
        }
        let context = "at the top level"
        try reader.checkKeys(entries, allowed: PipelineSpec.keys, context: context)

        let nameNode = try reader.required("name", in: entries, of: root, context: context).value
        let name = try reader.string(nameNode, expected: "the pipeline's name as text for 'name'")
        if name.trimmingCharacters(in: .whitespaces).isEmpty {
            throw reader.error(.invalidValue, "'name' must not be empty", at: nameNode)
        }
        let lm = try reader.optional("lm", in: entries).map { entry throws(PipelineFileError) in
            try decodeLM(entry.value)
        }
        var adapter = AdapterKind.chat
        let adapterNode = reader.optional("adapter", in: entries)?.value
        if let adapterNode {
            adapter = try kind(
                adapterNode, what: "adapter", allowed: AdapterKind.allCases.map(\.rawValue),
                make: { AdapterKind(rawValue: $0) })
        }
        let stagesEntry = try reader.required("stages", in: entries, of: root, context: context)
        let stageNodes = try reader.elements(of: stagesEntry.value, expected: "a list of stages for 'stages'")
        if stageNodes.isEmpty {
            throw reader.error(.invalidValue, "'stages' must list at least one stage", at: stagesEntry.value)
        }
        var stages: [StageSpec] = []
        for (index, stageNode) in stageNodes.enumerated() {
            stages.append(try decodeStage(stageNode, position: index + 1))
        }
        let outputsNode = reader.optional("outputs", in: entries)?.value
        let outputs =
            try outputsNode.map { node throws(PipelineFileError) in try decodeOutputs(node) }
            ?? Self.defaultOutputs(of: stages)
        let metric = try reader.optional("metric", in: entries).map { entry throws(PipelineFileError) in
            try decodeMetric(entry.value)
        }
        return PipelineSpec(
            name: name, lm: lm, adapter: adapter, stages: stages, outputs: outputs, metric: metric, file: reader.file,
            contentHash: contentHash, location: reader.location(of: root), nameLocation: reader.location(of: nameNode),
            adapterLocation: adapterNode.map(reader.location(of:)),
            outputsLocation: outputsNode.map(reader.location(of:)))
    }

    /// The prefix of top-level keys that the format ignores, as in `x-defaults: &defaults`.
    static let extensionPrefix = "x-"

    /// Without `outputs:`, a pipeline returns every output of its last stage.
    static func defaultOutputs(of stages: [StageSpec]) -> [OutputSpec] {
        guard let last = stages.last else { return [] }
        return last.outputs.map { field in
            OutputSpec(name: field.name, stage: last.id, field: field.name, location: last.location)
        }
    }

    // MARK: lm

    private func decodeLM(_ node: Node) throws(PipelineFileError) -> LMSpec {
        let entries = try reader.entries(of: node, expected: "a mapping of model settings for 'lm'")
        let context = "in 'lm'"
        try reader.checkKeys(entries, allowed: LMSpec.keys, context: context)
        var locations: [String: SourceLocation] = [:]
        for entry in entries { locations[entry.key] = reader.location(of: entry.value) }

        let modelNode = try reader.required("model", in: entries, of: node, context: context).value
        let model = try reader.string(modelNode, expected: "a model name as text for 'model'")
        if model.trimmingCharacters(in: .whitespaces).isEmpty {
            throw reader.error(.invalidValue, "'model' in 'lm' must not be empty", at: modelNode)
        }
        var spec = LMSpec(model: model, location: reader.location(of: node), locations: locations)
        if let entry = reader.optional("base_url", in: entries) {
            let url = try reader.string(entry.value, expected: "a URL as text for 'base_url'")
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw reader.error(
                    .invalidValue, "'base_url' must start with http:// or https://, found '\(url)'", at: entry.value)
            }
            spec.baseURL = url
        }
        if let entry = reader.optional("api_key_env", in: entries) {
            spec.apiKeyEnvironmentVariable = try decodeKeyVariable(entry.value)
        }
        if let entry = reader.optional("temperature", in: entries) {
            let temperature = try reader.number(entry.value, expected: "a number for 'temperature'")
            guard temperature >= 0, temperature.isFinite else {
                throw reader.error(
                    .invalidValue, "'temperature' must be a number of at least 0, found \(temperature)",
                    at: entry.value)
            }
            spec.temperature = temperature
        }
        spec.maxTokens = try positiveInteger("max_tokens", in: entries, context: context)
        spec.maxConcurrency = try positiveInteger("max_concurrency", in: entries, context: context)
        spec.requestsPerMinute = try positiveInteger("requests_per_minute", in: entries, context: context)
        spec.tokensPerMinute = try positiveInteger("tokens_per_minute", in: entries, context: context)
        return spec
    }

    /// `api_key_env` holds a variable's name; it is never expanded, and a value that is not a
    /// name may be the key itself, so the message does not repeat it and shows no source line.
    func decodeKeyVariable(_ node: Node) throws(PipelineFileError) -> String {
        let name = try reader.rawString(node, expected: "the name of an environment variable for 'api_key_env'")
        if name.contains("${") {
            throw reader.error(
                .invalidValue,
                "'api_key_env' takes the name of the variable that holds the key, not a reference to its value",
                at: node, suggestion: "write 'api_key_env: OPENAI_API_KEY', without ${...}")
        }
        guard SourceReference.isIdentifier(name) else {
            throw reader.error(
                .invalidValue,
                "'api_key_env' must be the name of an environment variable such as OPENAI_API_KEY; never write the"
                    + " key itself in a pipeline file",
                at: reader.location(of: node), showingLine: false)
        }
        return name
    }

    // MARK: stages

    private func decodeStage(_ node: Node, position: Int) throws(PipelineFileError) -> StageSpec {
        let entries = try reader.entries(
            of: node, expected: "a stage (a mapping with 'id' and 'signature') in 'stages'")
        var context = "in stage #\(position)"
        if let idNode = reader.optional("id", in: entries)?.value, case .scalar(let scalar) = idNode {
            context = "in stage '\(scalar.string)'"
        }
        try checkStageKeys(entries, context: context)

        let idNode = try reader.required("id", in: entries, of: node, context: context).value
        let id = try reader.string(idNode, expected: "a stage id as text for 'id'")
        guard SourceReference.isIdentifier(id) else {
            throw reader.error(
                .invalidValue,
                "stage id '\(id)' is not an identifier; use letters, digits and '_', not starting with a digit",
                at: idNode)
        }
        guard id != SourceReference.datasetPrefix else {
            throw reader.error(
                .invalidValue, "'input' is reserved for dataset fields (input.<field>); choose another stage id",
                at: idNode)
        }
        context = "in stage '\(id)'"

        var module = ModuleKind.predict
        if let entry = reader.optional("module", in: entries) {
            module = try kind(
                entry.value, what: "module", allowed: ModuleKind.allCases.map(\.rawValue),
                make: { ModuleKind(rawValue: $0) })
        }
        let inner = try decodeInner(entries, module: module, context: context)
        try checkModuleKeys(entries, module: module, inner: inner, context: context)
        var instructions: String?
        if let entry = reader.optional("instructions", in: entries) {
            instructions = try reader.string(entry.value, expected: "text for 'instructions'")
        }
        let signatureNode = try reader.required("signature", in: entries, of: node, context: context).value
        let signatureText = try reader.string(
            signatureNode, expected: "a signature string such as \"question -> answer\" for 'signature'")
        let signature: Signature
        do {
            signature = try Signature(signatureText, instructions: instructions)
        } catch {
            throw signatureError(error, text: signatureText, node: signatureNode)
        }

        var demos: [Example] = []
        if let entry = reader.optional("demos", in: entries) {
            let fields = signature.inputs + Self.demoOutputs(module: module, inner: inner, signature: signature)
            for demoNode in try reader.elements(of: entry.value, expected: "a list of demos for 'demos'") {
                demos.append(try decodeDemo(demoNode, fields: fields, signature: signature, context: context))
            }
        }
        let inputs = try decodeInputs(entries, of: node, signature: signature, context: context)
        var concurrency: Int?
        if let entry = reader.optional("concurrency", in: entries) {
            concurrency = try positive(entry.value, key: "concurrency", context: context)
        }
        var stage = StageSpec(
            id: id, module: module, signature: signature, signatureText: signatureText, instructions: instructions,
            demos: demos, inputs: inputs, concurrency: concurrency, location: reader.location(of: node),
            idLocation: reader.location(of: idNode), signatureLocation: reader.location(of: signatureNode))
        stage.inner = inner
        if let entry = reader.optional("tools", in: entries) {
            stage.tools = try decodeTools(entry.value, context: context)
            var seen: [String: SourceLocation] = [:]
            for tool in stage.tools where tool.kind != .mcp {
                let name = tool.name ?? tool.kind.rawValue
                if let first = seen[name] {
                    throw PipelineFileError(
                        code: .invalidValue,
                        message: "two tools are named '\(name)' \(context) (the first at line \(first.line))",
                        location: tool.location)
                }
                seen[name] = tool.location
            }
        }
        stage.maxIters = try positiveInteger("max_iters", in: entries, context: context)
        try decodeModuleSettings(entries, of: node, into: &stage, context: context)
        return stage
    }

    /// Points a signature error into the signature text when the text is in the file verbatim.
    private func signatureError(_ error: SignatureError, text: String, node: Node) -> PipelineFileError {
        var location = reader.location(of: node)
        if let column = error.column, case .scalar(let scalar) = node, scalar.string == text {
            location = reader.location(ofOffset: column - 1, in: node)
        }
        return reader.error(.invalidSignature, "invalid signature: \(error.message)", at: location)
    }

    private func decodeDemo(
        _ node: Node, fields: [Field], signature: Signature, context: String
    ) throws(PipelineFileError) -> Example {
        let entries = try reader.entries(of: node, expected: "a demo (a mapping of field names to values)")
        let names = fields.map(\.name)
        var values = OrderedDictionary<String, Value>()
        for entry in entries {
            guard names.contains(entry.key) else {
                throw reader.error(
                    .unknownField, "demo field '\(entry.key)' is not a field of the signature \(context)",
                    at: entry.keyNode, suggestion: SpellingSuggestion.hint(for: entry.key, among: names))
            }
            values[entry.key] = try reader.value(entry.value, owner: entry.keyNode)
        }
        let inputKeys = signature.inputNames.filter { values[$0] != nil }
        return Example(values, inputKeys: inputKeys)
    }

    private func decodeInputs(
        _ entries: [MappingEntry], of stageNode: Node, signature: Signature, context: String
    ) throws(PipelineFileError) -> [InputBinding] {
        let entry = reader.optional("inputs", in: entries)
        var bindings: [InputBinding] = []
        if let entry {
            let pairs = try reader.entries(
                of: entry.value, expected: "a mapping of input fields to sources (input.<field> or <stage>.<field>)")
            for pair in pairs {
                guard signature.inputNames.contains(pair.key) else {
                    throw reader.error(
                        .unknownField, "'\(pair.key)' is not an input of the signature \(context)", at: pair.keyNode,
                        suggestion: SpellingSuggestion.hint(for: pair.key, among: signature.inputNames))
                }
                let text = try reader.string(pair.value, expected: "a source such as input.\(pair.key)")
                guard let source = SourceReference(text) else {
                    throw reader.error(
                        .invalidValue, "malformed source '\(text)' for input '\(pair.key)' \(context)",
                        at: pair.value, suggestion: "expected 'input.<field>' or '<stage>.<field>'")
                }
                bindings.append(
                    InputBinding(
                        field: pair.key, source: source, location: reader.location(of: pair.value),
                        fieldLocation: reader.location(of: pair.keyNode)))
            }
        }
        let bound = Set(bindings.map(\.field))
        for field in signature.inputNames where !bound.contains(field) {
            throw reader.error(
                .missingField, "input '\(field)' of the signature has no source \(context)",
                at: entry?.value ?? stageNode,
                suggestion: "add '\(field): input.\(field)' or '\(field): <stage>.<field>' under 'inputs'")
        }
        return bindings
    }

    // MARK: outputs

    private func decodeOutputs(_ node: Node) throws(PipelineFileError) -> [OutputSpec] {
        var outputs: [OutputSpec] = []
        switch node {
        case .mapping:
            for entry in try reader.entries(of: node, expected: "a mapping for 'outputs'") {
                guard SourceReference.isIdentifier(entry.key) else {
                    throw reader.error(
                        .invalidValue, "output name '\(entry.key)' is not an identifier", at: entry.keyNode)
                }
                outputs.append(try decodeOutput(entry.value, name: entry.key))
            }
        case .sequence(let sequence):
            for element in sequence {
                let output = try decodeOutput(element, name: nil)
                if let first = outputs.first(where: { $0.name == output.name }) {
                    throw reader.error(
                        .invalidValue,
                        "two outputs are named '\(output.name)' (the first at line \(first.location.line))",
                        at: element, suggestion: "use the mapping form to rename one, as in 'other_name: stage.field'")
                }
                outputs.append(output)
            }
        default:
            throw reader.wrongType(
                "a mapping of names to '<stage>.<field>' or a list of '<stage>.<field>' for 'outputs'", found: node)
        }
        if outputs.isEmpty {
            throw reader.error(.invalidValue, "'outputs' must name at least one stage field", at: node)
        }
        return outputs
    }

    private func decodeOutput(_ node: Node, name: String?) throws(PipelineFileError) -> OutputSpec {
        let text = try reader.string(node, expected: "a stage field such as solve.answer in 'outputs'")
        guard let reference = SourceReference(text) else {
            throw reader.error(
                .invalidValue, "malformed output '\(text)'", at: node, suggestion: "expected '<stage>.<field>'")
        }
        guard case .stage(let stage, let field) = reference else {
            throw reader.error(
                .invalidValue, "output '\(text)' names a dataset field; outputs name stage fields", at: node,
                suggestion: "expected '<stage>.<field>'")
        }
        return OutputSpec(name: name ?? field, stage: stage, field: field, location: reader.location(of: node))
    }

    // MARK: shared

    /// A value that must be one of `allowed`, such as a module or an adapter.
    func kind<Kind>(
        _ node: Node, what: String, allowed: [String], make: (String) -> Kind
    ) throws(PipelineFileError) -> Kind {
        let text = try reader.string(node, expected: "one of \(allowed.joined(separator: ", ")) for '\(what)'")
        guard allowed.contains(text) else {
            let hint = SpellingSuggestion.closest(to: text, among: allowed).map { "did you mean '\($0)'? " } ?? ""
            throw reader.error(
                .invalidValue, "unknown \(what) '\(text)'", at: node,
                suggestion: hint + "expected " + SpellingSuggestion.list(allowed))
        }
        return make(text)
    }

    func positive(_ node: Node, key: String, context: String) throws(PipelineFileError) -> Int {
        let value = try reader.integer(node, expected: "a positive whole number for '\(key)' \(context)")
        guard value > 0 else {
            throw reader.error(.invalidValue, "'\(key)' \(context) must be positive, found \(value)", at: node)
        }
        return value
    }

    func positiveInteger(
        _ key: String, in entries: [MappingEntry], context: String
    ) throws(PipelineFileError) -> Int? {
        guard let entry = reader.optional(key, in: entries) else { return nil }
        return try positive(entry.value, key: key, context: context)
    }
}
