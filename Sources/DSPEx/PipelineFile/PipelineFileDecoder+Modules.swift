import Foundation
import Yams

/// The keys of the module kinds that wrap another module or take settings of their own: `inner`, the attempts and
/// reward of `best_of_n` and `refine`, `m` and `temperature` of `multi_chain_comparison`, and the trainset, `k`
/// and embedder of `knn_few_shot` — each checked against the stage's module.
extension PipelineFileDecoder {
    /// The kinds each module-specific key applies to (`tools` and `max_iters` are checked by ``StageSpec/usesTools``).
    static let moduleKeys: [String: [ModuleKind]] = {
        var keys: [String: [ModuleKind]] = ["inner": [.bestOfN, .refine, .knnFewShot]]
        for key in SamplingSpec.keys { keys[key] = [.bestOfN, .refine] }
        keys["reward_description"] = [.refine]
        for key in ComparisonSpec.keys { keys[key] = [.multiChainComparison] }
        for key in KNNSpec.keys { keys[key] = [.knnFewShot] }
        return keys
    }()

    /// Throws `unknown_key` for the first key no stage takes: a close spelling among every stage key is suggested,
    /// else the keys of the stage's module are listed.
    func checkStageKeys(_ entries: [MappingEntry], context: String) throws(PipelineFileError) {
        var module = ModuleKind.predict
        if let node = reader.optional("module", in: entries)?.value, case .scalar(let scalar) = node {
            module = ModuleKind(rawValue: scalar.string)
        }
        for entry in entries where !StageSpec.keys.contains(entry.key) {
            let hint = SpellingSuggestion.closest(to: entry.key, among: StageSpec.keys).map { "did you mean '\($0)'?" }
            throw reader.error(
                .unknownKey, "unknown key '\(entry.key)' \(context)", at: entry.keyNode,
                suggestion: hint ?? "expected " + SpellingSuggestion.list(StageSpec.keys(for: module)))
        }
    }

    /// The stage's `inner` kind, for a module that wraps one; `nil` when the file does not name one.
    func decodeInner(
        _ entries: [MappingEntry], module: ModuleKind, context: String
    ) throws(PipelineFileError) -> ModuleKind? {
        guard !module.innerKinds.isEmpty, let entry = reader.optional("inner", in: entries) else { return nil }
        let allowed = module.innerKinds.map(\.rawValue)
        let text = try reader.string(entry.value, expected: "one of \(allowed.joined(separator: ", ")) for 'inner'")
        guard allowed.contains(text) else {
            if ModuleKind.allCases.contains(ModuleKind(rawValue: text)) {
                throw reader.error(
                    .invalidValue, "'module: \(module)' cannot run 'inner: \(text)' \(context)", at: entry.value,
                    suggestion: "expected " + SpellingSuggestion.list(allowed))
            }
            let hint = SpellingSuggestion.closest(to: text, among: allowed).map { "did you mean '\($0)'? " } ?? ""
            throw reader.error(
                .invalidValue, "unknown inner module '\(text)' \(context)", at: entry.value,
                suggestion: hint + "expected " + SpellingSuggestion.list(allowed))
        }
        return ModuleKind(rawValue: text)
    }

    /// Throws `unknown_key` at the first key, in file order, that the stage's module does not take.
    func checkModuleKeys(
        _ entries: [MappingEntry], module: ModuleKind, inner: ModuleKind?, context: String
    ) throws(PipelineFileError) {
        let innermost = module.innerKinds.isEmpty ? module : inner ?? .predict
        for entry in entries where reader.optional(entry.key, in: entries) != nil {
            if ["tools", "max_iters"].contains(entry.key), innermost != .react {
                throw reader.error(
                    .unknownKey,
                    "'\(entry.key)' applies only to 'module: react' (and to best_of_n and refine stages with"
                        + " 'inner: react') \(context)",
                    at: entry.keyNode)
            }
            if let kinds = Self.moduleKeys[entry.key], !kinds.contains(module) {
                let names = kinds.map { "'module: \($0)'" }
                let owners =
                    names.count == 1
                    ? names[0] : names.dropLast().joined(separator: ", ") + " and " + names[names.count - 1]
                throw reader.error(
                    .unknownKey, "'\(entry.key)' applies only to \(owners) \(context)", at: entry.keyNode,
                    suggestion: "this stage runs 'module: \(module)'")
            }
            if entry.key == "demos", module == .knnFewShot {
                throw reader.error(
                    .unknownKey, "'demos' does not apply to 'module: knn_few_shot' \(context)", at: entry.keyNode,
                    suggestion: "each call's demos are bootstrapped from the k nearest examples of 'trainset'")
            }
        }
    }

    /// The output fields a demo of the stage may hold: those of the module that the demos go to (the attempts'
    /// chain of thought for `multi_chain_comparison`).
    static func demoOutputs(module: ModuleKind, inner: ModuleKind?, signature: Signature) -> [Field] {
        if module == .multiChainComparison { return ModuleKind.chainOfThought.outputs(of: signature) }
        return module.outputs(of: signature, inner: inner)
    }

    /// Reads the settings of the stage's module kind into `stage`.
    func decodeModuleSettings(
        _ entries: [MappingEntry], of node: Node, into stage: inout StageSpec, context: String
    ) throws(PipelineFileError) {
        switch stage.module {
        case .bestOfN, .refine:
            stage.sampling = try decodeSampling(entries, of: node, stage: stage, context: context)
        case .multiChainComparison:
            var comparison = ComparisonSpec()
            comparison.m = try positiveInteger("m", in: entries, context: context) ?? ComparisonSpec.defaultM
            if let entry = reader.optional("temperature", in: entries) {
                comparison.temperature = try nonNegativeNumber(entry.value, key: "temperature", context: context)
            }
            stage.comparison = comparison
        case .knnFewShot:
            stage.knn = try decodeKNN(entries, of: node, context: context)
        default:
            break
        }
    }

    // MARK: best_of_n and refine

    private func decodeSampling(
        _ entries: [MappingEntry], of node: Node, stage: StageSpec, context: String
    ) throws(PipelineFileError) -> SamplingSpec {
        let required = "for 'module: \(stage.module)' \(context)"
        let nNode = try reader.required("n", in: entries, of: node, context: required).value
        let n = try positive(nNode, key: "n", context: context)
        let thresholdNode = try reader.required("threshold", in: entries, of: node, context: required).value
        let threshold = try reader.number(thresholdNode, expected: "a number for 'threshold' \(context)")
        guard threshold.isFinite else {
            throw reader.error(
                .invalidValue, "'threshold' \(context) must be a finite number, found \(threshold)", at: thresholdNode)
        }
        var failCount: Int?
        if let entry = reader.optional("fail_count", in: entries) {
            let value = try reader.integer(entry.value, expected: "a whole number for 'fail_count' \(context)")
            guard value >= 0 else {
                throw reader.error(
                    .invalidValue, "'fail_count' \(context) must be 0 or more, found \(value)", at: entry.value)
            }
            failCount = value
        }
        let rewardNode = try reader.required("reward", in: entries, of: node, context: required).value
        let reward = try decodeReward(rewardNode, stage: stage, context: context)
        var description: String?
        if let entry = reader.optional("reward_description", in: entries) {
            description = try reader.string(entry.value, expected: "text for 'reward_description' \(context)")
        }
        return SamplingSpec(
            n: n, threshold: threshold, failCount: failCount, reward: reward, rewardDescription: description)
    }

    private func decodeReward(
        _ node: Node, stage: StageSpec, context: String
    ) throws(PipelineFileError) -> RewardSpec {
        let kinds = RewardSpec.Kind.allCases.map(\.rawValue)
        let defaultField = stage.signature.outputs.last?.name ?? ""
        if case .scalar = node {
            let kind = try rewardKind(node, allowed: kinds)
            guard kind == .oneWord else {
                throw reader.error(
                    .invalidValue, "a '\(kind.rawValue)' reward needs a mapping with its settings", at: node,
                    suggestion: "write it as {kind: \(kind.rawValue), field: \(defaultField), ...}")
            }
            return RewardSpec(kind: kind, field: defaultField, location: reader.location(of: node))
        }
        let entries = try reader.entries(
            of: node, expected: "a reward (a mapping with 'kind', or a kind such as one_word) for 'reward'")
        let where_ = "in the reward \(context)"
        try reader.checkKeys(entries, allowed: RewardSpec.keys, context: where_)
        let kind = try rewardKind(
            try reader.required("kind", in: entries, of: node, context: where_).value, allowed: kinds)
        let allowed: [String]
        let needed: String?
        switch kind {
        case .fieldMatches: (allowed, needed) = (["kind", "field", "pattern"], "pattern")
        case .oneWord: (allowed, needed) = (["kind", "field"], nil)
        case .maxLength: (allowed, needed) = (["kind", "field", "chars"], "chars")
        case .judge: (allowed, needed) = (["kind", "field", "instructions"], "instructions")
        }
        for entry in entries where !allowed.contains(entry.key) {
            throw reader.error(
                .unknownKey, "'\(entry.key)' does not apply to a '\(kind.rawValue)' reward", at: entry.keyNode,
                suggestion: "it takes " + SpellingSuggestion.list(allowed.filter { $0 != "kind" }))
        }
        if let needed, reader.optional(needed, in: entries) == nil {
            throw reader.error(
                .missingField, "a '\(kind.rawValue)' reward needs '\(needed)' \(context)", at: node,
                suggestion: Self.rewardExample(kind, field: defaultField))
        }
        var reward = RewardSpec(kind: kind, field: defaultField, location: reader.location(of: node))
        if let entry = reader.optional("field", in: entries) {
            reward.field = try reader.string(entry.value, expected: "an output of the stage for the reward's 'field'")
            let names = stage.outputs.map(\.name)
            guard names.contains(reward.field) else {
                throw reader.error(
                    .unknownField, "reward field '\(reward.field)' is not an output of stage '\(stage.id)'",
                    at: entry.value, suggestion: SpellingSuggestion.hint(for: reward.field, among: names))
            }
        }
        if let entry = reader.optional("pattern", in: entries) {
            let pattern = try reader.string(entry.value, expected: "a regular expression as text for 'pattern'")
            do {
                _ = try Regex(pattern)
            } catch {
                throw reader.error(
                    .invalidValue, "'pattern' is not a valid regular expression: \(error)", at: entry.value)
            }
            reward.pattern = pattern
        }
        if let entry = reader.optional("chars", in: entries) {
            reward.chars = try positive(entry.value, key: "chars", context: where_)
        }
        if let entry = reader.optional("instructions", in: entries) {
            let text = try reader.string(entry.value, expected: "the judge's instructions as text")
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw reader.error(.invalidValue, "the judge's 'instructions' must not be empty", at: entry.value)
            }
            reward.instructions = text
        }
        return reward
    }

    private func rewardKind(_ node: Node, allowed: [String]) throws(PipelineFileError) -> RewardSpec.Kind {
        let text = try reader.string(node, expected: "a reward kind: \(allowed.joined(separator: ", "))")
        guard let kind = RewardSpec.Kind(rawValue: text) else {
            let hint = SpellingSuggestion.closest(to: text, among: allowed).map { "did you mean '\($0)'? " } ?? ""
            throw reader.error(
                .invalidValue, "unknown reward kind '\(text)'", at: node,
                suggestion: hint + "expected " + SpellingSuggestion.list(allowed))
        }
        return kind
    }

    /// A complete declaration of a reward kind, for suggestions.
    private static func rewardExample(_ kind: RewardSpec.Kind, field: String) -> String {
        switch kind {
        case .fieldMatches: "e.g. {kind: field_matches, field: \(field), pattern: \"^[0-9]+$\"}"
        case .oneWord: "e.g. {kind: one_word, field: \(field)}"
        case .maxLength: "e.g. {kind: max_length, field: \(field), chars: 40}"
        case .judge: "e.g. {kind: judge, field: \(field), instructions: \"Is the \(field) concise and complete?\"}"
        }
    }

    // MARK: knn_few_shot

    private func decodeKNN(
        _ entries: [MappingEntry], of node: Node, context: String
    ) throws(PipelineFileError) -> KNNSpec {
        let required = "for 'module: knn_few_shot' \(context)"
        let k = try positive(
            try reader.required("k", in: entries, of: node, context: required).value, key: "k", context: context)
        let trainsetNode = try reader.required("trainset", in: entries, of: node, context: required).value
        let trainset = try reader.string(trainsetNode, expected: "the path of a JSONL or CSV dataset for 'trainset'")
        let url = try trainsetURL(trainset, node: trainsetNode)
        let embedderNode = try reader.required("embedder", in: entries, of: node, context: required).value
        var spec = KNNSpec(
            k: k, trainset: trainset, trainsetURL: url, trainsetLocation: reader.location(of: trainsetNode),
            embedder: try decodeEmbedder(embedderNode, context: context))
        spec.maxBootstrappedDemos = try demoCount("max_bootstrapped_demos", in: entries, context: context)
        spec.maxLabeledDemos = try demoCount("max_labeled_demos", in: entries, context: context)
        return spec
    }

    /// The trainset's file: relative to the pipeline file's folder unless absolute, with a dataset extension, and
    /// present (its rows are read when the graph is built).
    private func trainsetURL(_ path: String, node: Node) throws(PipelineFileError) -> URL {
        guard !path.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw reader.error(.invalidValue, "'trainset' must not be empty", at: node)
        }
        let folder = URL(fileURLWithPath: reader.file).deletingLastPathComponent()
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : folder.appendingPathComponent(path)
        guard Dataset.Format(fileExtension: url.pathExtension) != nil else {
            throw reader.error(
                .invalidValue, "trainset '\(path)' is not a dataset file", at: node,
                suggestion: "use a .jsonl, .ndjson, .json-lines or .csv file")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue
        else {
            throw reader.error(
                .unreadableFile, "no trainset file '\(path)' (looked for \(url.standardizedFileURL.path))", at: node,
                suggestion: "a relative path starts from the pipeline file's folder")
        }
        return url
    }

    private func decodeEmbedder(_ node: Node, context: String) throws(PipelineFileError) -> EmbedderSpec {
        let entries = try reader.entries(
            of: node, expected: "a mapping with the embedding 'model' (and optionally 'base_url', 'api_key_env')")
        let where_ = "in 'embedder' \(context)"
        try reader.checkKeys(entries, allowed: EmbedderSpec.keys, context: where_)
        let modelNode = try reader.required("model", in: entries, of: node, context: where_).value
        let model = try reader.string(modelNode, expected: "an embedding model name as text for 'model'")
        if model.trimmingCharacters(in: .whitespaces).isEmpty {
            throw reader.error(.invalidValue, "'model' \(where_) must not be empty", at: modelNode)
        }
        var spec = EmbedderSpec(model: model, location: reader.location(of: node))
        if let entry = reader.optional("base_url", in: entries) {
            let url = try reader.string(entry.value, expected: "a URL as text for 'base_url'")
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw reader.error(
                    .invalidValue, "'base_url' \(where_) must start with http:// or https://, found '\(url)'",
                    at: entry.value)
            }
            spec.baseURL = url
        }
        if let entry = reader.optional("api_key_env", in: entries) {
            spec.apiKeyEnvironmentVariable = try decodeKeyVariable(entry.value)
        }
        return spec
    }

    // MARK: shared

    private func demoCount(_ key: String, in entries: [MappingEntry], context: String) throws(PipelineFileError) -> Int?
    {
        guard let entry = reader.optional(key, in: entries) else { return nil }
        let value = try reader.integer(entry.value, expected: "a whole number for '\(key)' \(context)")
        guard value >= 0 else {
            throw reader.error(.invalidValue, "'\(key)' \(context) must be 0 or more, found \(value)", at: entry.value)
        }
        return value
    }

    private func nonNegativeNumber(_ node: Node, key: String, context: String) throws(PipelineFileError) -> Double {
        let value = try reader.number(node, expected: "a number for '\(key)' \(context)")
        guard value >= 0, value.isFinite else {
            throw reader.error(
                .invalidValue, "'\(key)' \(context) must be a number of at least 0, found \(value)", at: node)
        }
        return value
    }
}
