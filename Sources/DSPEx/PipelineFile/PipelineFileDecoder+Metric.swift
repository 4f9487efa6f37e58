import Yams

/// The `metric` section: a built-in metric's name, or a mapping with the scored field, the label, and for an
/// LM judge its signature, instructions and input sources.
extension PipelineFileDecoder {
    func decodeMetric(_ node: Node) throws(PipelineFileError) -> MetricSpec {
        if case .scalar = node {
            return MetricSpec(name: try metricName(node), location: reader.location(of: node))
        }
        let entries = try reader.entries(of: node, expected: "a metric name or a mapping with 'name' for 'metric'")
        let context = "in 'metric'"
        try reader.checkKeys(
            entries, allowed: ["name", "field", "label", "signature", "instructions", "inputs"], context: context)
        let nameNode = try reader.required("name", in: entries, of: node, context: context).value
        var metric = MetricSpec(name: try metricName(nameNode), location: reader.location(of: node))
        if let entry = reader.optional("field", in: entries) {
            metric.field = try reader.string(entry.value, expected: "an output name for 'field'")
            metric.fieldLocation = reader.location(of: entry.value)
        }
        if let entry = reader.optional("label", in: entries) {
            metric.label = try reader.string(entry.value, expected: "a dataset field name for 'label'")
        }
        if let entry = reader.optional("signature", in: entries) {
            let text = try reader.string(
                entry.value, expected: "a judge signature such as \"question, answer -> correct: bool\"")
            do {
                _ = try Signature(text)
            } catch {
                throw reader.error(.invalidSignature, "invalid judge signature: \(error.message)", at: entry.value)
            }
            metric.signature = text
        }
        if let entry = reader.optional("instructions", in: entries) {
            metric.instructions = try reader.string(entry.value, expected: "text for the judge's 'instructions'")
        }
        if let entry = reader.optional("inputs", in: entries) {
            let bindings = try reader.entries(of: entry.value, expected: "a mapping of judge inputs for 'inputs'")
            for binding in bindings {
                let field = binding.key
                let source = try reader.string(binding.value, expected: "example.<field> or prediction.<field>")
                let parts = source.split(separator: ".", omittingEmptySubsequences: false)
                guard parts.count == 2, parts[0] == "example" || parts[0] == "prediction", !parts[1].isEmpty else {
                    throw reader.error(
                        .invalidValue, "judge input '\(field)' reads '\(source)'", at: binding.value,
                        suggestion: "expected example.<field> or prediction.<field>")
                }
                metric.inputs[field] = source
            }
        }
        if metric.name == "judge" && metric.signature == nil {
            throw reader.error(
                .missingField, "metric 'judge' needs a 'signature' for the judge", at: node,
                suggestion: "e.g. signature: \"question, answer, gold -> correct: bool\"")
        }
        return metric
    }

    private func metricName(_ node: Node) throws(PipelineFileError) -> String {
        let name = try reader.string(node, expected: "a metric name such as exact_match")
        guard SourceReference.isIdentifier(name) else {
            throw reader.error(
                .invalidValue, "metric name '\(name)' is not an identifier", at: node,
                suggestion: "built-in metrics are exact_match, f1, contains and numeric")
        }
        return name
    }
}
