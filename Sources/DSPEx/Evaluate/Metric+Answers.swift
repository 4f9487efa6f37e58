/// The built-in answer metrics: exact match, token F1, containment and numeric equality.
extension Metric {
    /// DSPy's `answer_exact_match`: 1 when the prediction's field equals the expected answer after
    /// ``normalizeText(_:)``, else 0.
    ///
    /// The label may be a string, a number (`42` matches the text "42") or a list of acceptable
    /// answers, any of which may match. A missing field or label scores 0.
    ///
    /// ```swift
    /// let metric = Metric.exactMatch()
    /// try await metric(["answer": ["Eiffel Tower", "Louvre"]], Prediction(["answer": "the eiffel tower!"]))  // 1
    /// ```
    ///
    /// - Parameters:
    ///   - field: The prediction field to score.
    ///   - label: The example field with the expected answer; `nil` means the same name as `field`.
    public static func exactMatch(field: String = "answer", label: String? = nil) -> Metric {
        answerMetric(name: "exact_match", field: field, label: label) { prediction, answers in
            answers.contains { exactMatchScore(prediction, gold: $0) } ? 1 : 0
        }
    }

    /// DSPy's `F1`: the token F1 of the prediction's field against the expected answer (the best
    /// over a list of acceptable answers), after ``normalizeText(_:)``.
    ///
    /// ```swift
    /// try await Metric.f1()(["answer": "Paris"], Prediction(["answer": "Eiffel Tower is in Paris"]))  // 0.333…
    /// ```
    ///
    /// - Parameters:
    ///   - field: The prediction field to score.
    ///   - label: The example field with the expected answer; `nil` means the same name as `field`.
    public static func f1(field: String = "answer", label: String? = nil) -> Metric {
        answerMetric(name: "f1", field: field, label: label) { prediction, answers in
            answers.map { f1Score(prediction, gold: $0) }.max() ?? 0
        }
    }

    /// 1 when the normalised expected answer appears in the normalised prediction as whole tokens,
    /// DSPy's `answer_passage_match` applied to the prediction's field.
    ///
    /// The field may be a single text or a list of passages (any may contain the answer); the
    /// label may be a list of acceptable answers. See ``passageContains(_:answer:)``.
    ///
    /// ```swift
    /// try await Metric.contains()(["answer": "Paris"], Prediction(["answer": "It is Paris, France."]))  // 1
    /// try await Metric.contains()(["answer": "4"], Prediction(["answer": "42"]))                          // 0
    /// ```
    ///
    /// - Parameters:
    ///   - field: The prediction field to search.
    ///   - label: The example field with the expected answer; `nil` means the same name as `field`.
    public static func contains(field: String = "answer", label: String? = nil) -> Metric {
        Metric(name: "contains", isLocal: true) { example, prediction in
            guard let passages = prediction[field].flatMap(answerTexts),
                let answers = example[label ?? field].flatMap(answerTexts)
            else { return 0 }
            let found = passages.contains { passage in answers.contains { passageContains(passage, answer: $0) } }
            return found ? 1 : 0
        }
    }

    /// 1 when the prediction's number equals the expected number within `tolerance`, else 0.
    ///
    /// Numbers may be `Int` or `Double` values or text, from which the first number is read
    /// ("The answer is 1,234.5." reads 1234.5). The label may be a list of acceptable numbers.
    /// A field or label with no number scores 0.
    ///
    /// ```swift
    /// try await Metric.numeric()(["answer": 42], Prediction(["answer": "The answer is 42."]))  // 1
    /// ```
    ///
    /// - Parameters:
    ///   - field: The prediction field to score.
    ///   - label: The example field with the expected number; `nil` means the same name as `field`.
    ///   - tolerance: The largest absolute difference still counted as equal.
    public static func numeric(field: String = "answer", label: String? = nil, tolerance: Double = 1e-6) -> Metric {
        Metric(name: "numeric", isLocal: true) { example, prediction in
            guard let predicted = prediction[field].flatMap(firstNumber), let expected = example[label ?? field]
            else { return 0 }
            let candidates = expected.arrayValue ?? [expected]
            return candidates.contains { firstNumber(in: $0).map { abs($0 - predicted) <= tolerance } ?? false }
                ? 1 : 0
        }
    }

    /// A metric comparing the prediction's field, as text, with the label's acceptable answers.
    private static func answerMetric(
        name: String, field: String, label: String?, score: @escaping @Sendable (String, [String]) -> Double
    ) -> Metric {
        Metric(name: name, isLocal: true) { example, prediction in
            guard let predicted = prediction[field].flatMap(answerText),
                let answers = example[label ?? field].flatMap(answerTexts)
            else { return 0 }
            return score(predicted, answers)
        }
    }

    /// The text of one answer: strings as they are, numbers as Python prints them (whole doubles
    /// without ".0", so a float field reading 42 matches "42"), `True`/`False`, JSON otherwise;
    /// `nil` for null.
    static func answerText(_ value: Value) -> String? {
        switch value {
        case .null: return nil
        case .string(let string): return string
        case .int(let int): return String(int)
        case .double(let double): return value.intValue.map { String($0) } ?? double.description
        case .bool(let bool): return bool ? "True" : "False"
        case .array, .object: return value.plainText
        }
    }

    /// The acceptable answers: each element of a list, or the single value; `nil` when none.
    static func answerTexts(_ value: Value) -> [String]? {
        let answers = (value.arrayValue ?? [value]).compactMap(answerText)
        return answers.isEmpty ? nil : answers
    }
}
