extension PipelineSpec {
    /// The dataset fields this pipeline reads (its `input.<field>` references), in order of first use.
    public var inputFields: [String] {
        var fields: [String] = []
        for stage in stages {
            for binding in stage.inputs {
                if case .input(let field) = binding.source, !fields.contains(field) { fields.append(field) }
            }
        }
        return fields
    }

    /// The input fields a row must have: those read by a stage input that is not optional (an optional input
    /// may be missing or null).
    public var requiredInputFields: [String] {
        var required: [String] = []
        for stage in stages {
            for binding in stage.inputs {
                guard case .input(let field) = binding.source, !required.contains(field) else { continue }
                let type = stage.signature.inputs.first { $0.name == binding.field }?.type
                if type?.isOptional != true { required.append(field) }
            }
        }
        return required
    }

    /// How to read a dataset for this pipeline — the same for `eval`'s data and `compile`'s training and
    /// validation sets: the fields it reads are the inputs, the non-optional ones required.
    public func datasetConfiguration(
        idField: String = "id", onBadRow: BadRowPolicy = .stop, limit: Int? = nil
    ) -> Dataset.Configuration {
        Dataset.Configuration(
            inputKeys: inputFields, requiredFields: requiredInputFields, idField: idField, onBadRow: onBadRow,
            limit: limit)
    }
}
