import Foundation

extension PipelineSpec {
    /// The trainset of a `knn_few_shot` stage, read now: one example per row, its input keys the signature's
    /// inputs, its id the row's `id` (else the row number). Every row must hold the signature's inputs and
    /// outputs. Empty for a stage of another kind.
    ///
    /// ```swift
    /// let examples = try spec.trainset(of: spec.stages[0])   // 200 examples of data/arithmetic_train.jsonl
    /// ```
    ///
    /// - Throws: ``PipelineFileError`` at the stage's `trainset` value for a file that cannot be read, a bad row
    ///   (named by its row and line), a row without a required field, or a file without rows.
    public func trainset(of stage: StageSpec) throws(PipelineFileError) -> [Example] {
        guard let knn = stage.knn else { return [] }
        let inputs = stage.signature.inputNames
        let required = inputs + stage.signature.outputNames.filter { !inputs.contains($0) }
        var examples: [Example] = []
        do throws(DatasetError) {
            let dataset = Dataset(url: knn.trainsetURL, configuration: .init(inputKeys: inputs))
            let reader: any DatasetRowReader
            let emptyIsMissing: Bool
            switch try dataset.resolvedFormat().kind {
            case .jsonl:
                reader = try JSONLRowReader(url: knn.trainsetURL, displayPath: knn.trainset)
                emptyIsMissing = false
            case .csv:
                reader = try CSVRowReader(url: knn.trainsetURL, displayPath: knn.trainset, requiredFields: required)
                emptyIsMissing = true
            }
            while let raw = try reader.nextRow() {
                let values = try raw.content.get()
                for field in required {
                    let value = values[field] ?? .null
                    guard value.isNull || (emptyIsMissing && value == .string("")) else { continue }
                    throw DatasetError(
                        code: .missingField, file: knn.trainset, row: raw.row, line: raw.line, field: field,
                        reason: "has no value for '\(field)', which the examples of a knn_few_shot stage need")
                }
                let id = values["id"].flatMap { $0.isNull || $0 == .string("") ? nil : $0.plainText }
                examples.append(Example(values, inputKeys: inputs, id: id ?? String(raw.row)))
            }
        } catch {
            throw PipelineFileError(
                code: .invalidValue, message: "bad trainset of stage '\(stage.id)': \(error)",
                location: knn.trainsetLocation)
        }
        guard !examples.isEmpty else {
            throw PipelineFileError(
                code: .invalidValue, message: "the trainset '\(knn.trainset)' of stage '\(stage.id)' has no examples",
                location: knn.trainsetLocation)
        }
        return examples
    }
}
