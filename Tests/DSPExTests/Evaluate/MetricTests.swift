import DSPEx
import DSPExTesting
import Testing

@Suite struct MetricTests {
    private func score(
        _ metric: Metric, label: Value?, prediction: Value?, labelField: String = "answer",
        predictionField: String = "answer"
    ) async throws -> Double {
        var example = Example([:])
        example[labelField] = label
        var outputs = Prediction([:])
        outputs[predictionField] = prediction
        return try await metric(example, outputs)
    }

    // MARK: normalisation

    // Expected texts printed by DSPy 3.4.1's `dspy.evaluate.metrics.normalize_text`.
    @Test(
        "normalisation matches DSPy's normalize_text",
        arguments: [
            ("The,  Eiffel  Tower!", "eiffel tower"),
            ("thé cat", "\u{301} cat"),  // NFD splits off the accent, so "the" is a whole word to Python's \b
            ("A-team", "ateam"),
            ("Ünïcödé", "u\u{308}ni\u{308}co\u{308}de\u{301}"),
            ("the\u{00A0}end", "end"),
            ("ΟΔΟΣ", "οδος"),  // Python lowercases a word-final capital sigma to ς
            ("“Paris”", "“paris”"),  // only ASCII punctuation is removed
            ("  An apple\tthe_end a", "apple theend"),  // ASCII text takes a byte-level path: same rules
            ("x\u{01}a b", "x\u{01} b"),
            ("a\u{1C}The B", "b"),
        ])
    func normalisation(input: String, expected: String) {
        #expect(Array(Metric.normalizeText(input).unicodeScalars) == Array(expected.unicodeScalars))
    }

    // MARK: exact match

    // Expected verdicts printed by DSPy 3.4.1's `dspy.evaluate.metrics.EM`.
    @Test(
        "exact match normalises case, punctuation, articles, whitespace and Unicode as DSPy does",
        arguments: [
            ("The Eiffel Tower", "Eiffel Tower", 1.0),
            ("paris", "Paris", 1),
            ("paris", "Paris, France", 0),
            ("  PARIS!!! ", "paris", 1),
            ("an apple", "Apple", 1),
            ("caf\u{E9}", "cafe\u{301}", 1),  // composed and decomposed é are the same
            ("café", "cafe", 0),  // accents are kept, not stripped
            ("thé", "\u{301}", 1),
            ("“Paris”", "Paris", 0),
            ("ΟΔΟΣ", "οδος", 1),
            ("ΟΔΟΣ", "οδοσ", 0),
            ("the_answer", "answer", 0),
        ])
    func exactMatchNormalisation(prediction: String, label: String, expected: Double) async throws {
        let score = try await score(.exactMatch(), label: .string(label), prediction: .string(prediction))
        #expect(score == expected)
    }

    @Test("exact match accepts any answer of a list of gold answers")
    func exactMatchList() async throws {
        let gold: Value = ["Eiffel Tower", "Louvre"]
        #expect(try await score(.exactMatch(), label: gold, prediction: "the louvre") == 1)
        #expect(try await score(.exactMatch(), label: gold, prediction: "Notre Dame") == 0)
        #expect(try await score(.exactMatch(), label: [], prediction: "Notre Dame") == 0)
    }

    @Test(
        "exact match compares numbers with their text",
        arguments: [
            (Value.int(42), Value.string("42"), 1.0),
            (.string("42"), .int(42), 1),
            (.int(42), .double(42), 1),
            (.double(2.5), .string("2.5"), 1),
            (.int(42), .string("43"), 0),
            (.bool(true), .string("true"), 1),
        ])
    func exactMatchNumbers(label: Value, prediction: Value, expected: Double) async throws {
        #expect(try await score(.exactMatch(), label: label, prediction: prediction) == expected)
    }

    @Test("a missing prediction field or label scores 0 for every built-in metric")
    func missingFields() async throws {
        for metric in [Metric.exactMatch(), .f1(), .contains(), .numeric()] {
            #expect(try await score(metric, label: "42", prediction: nil) == 0)
            #expect(try await score(metric, label: nil, prediction: "42") == 0)
            #expect(try await score(metric, label: .null, prediction: "42") == 0)
            #expect(try await score(metric, label: "42", prediction: "42", labelField: "gold") == 0)
        }
    }

    @Test("field and label choose the prediction output and the example field")
    func fieldAndLabel() async throws {
        let metric = Metric.exactMatch(field: "city", label: "gold_city")
        #expect(
            try await score(
                metric, label: "Paris", prediction: "paris", labelField: "gold_city", predictionField: "city") == 1)
        #expect(
            try await score(metric, label: "Paris", prediction: "paris", labelField: "city", predictionField: "city")
                == 0)
    }

    // MARK: F1

    // Hand computation: tokens after normalisation, shared = multiset intersection,
    // F1 = 2PR/(P+R). E.g. "eiffel tower is in paris" vs "paris": P = 1/5, R = 1, F1 = 1/3;
    // "cat sat on mat" vs "cat sat": P = 2/4, R = 1, F1 = 2/3; "new york city" vs "new york": 0.8;
    // "barack obama was president" vs "president barack obama": P = 3/4, R = 1, F1 = 6/7.
    // The expected doubles were printed by DSPy 3.4.1's `dspy.evaluate.metrics.F1` and pasted
    // here; they are compared exactly because the arithmetic is the same.
    @Test(
        "F1 equals DSPy's token F1",
        arguments: [
            ("Eiffel Tower is in Paris", ["Paris"], 0.33333333333333337),
            ("the cat sat on the mat", ["The cat sat"], 0.6666666666666666),
            ("New York City", ["New York"], 0.8),
            ("a b c", ["x y"], 0),
            ("Paris Paris", ["Paris"], 0.6666666666666666),
            ("The city of Paris", ["Paris", "Paris, France"], 0.5),
            ("Barack Obama was president", ["President Barack Obama"], 0.8571428571428571),
            ("", [""], 0),
            ("café au lait", ["cafe au lait"], 0.6666666666666666),
        ] as [(String, [String], Double)])
    func f1MatchesDSPy(prediction: String, gold: [String], expected: Double) async throws {
        let label: Value = gold.count == 1 ? .string(gold[0]) : .array(gold.map(Value.string))
        #expect(try await score(.f1(), label: label, prediction: .string(prediction)) == expected)
    }

    // MARK: contains

    // Expected verdicts printed by DSPy 3.4.1's `answer_passage_match` with the prediction as the context.
    @Test(
        "contains finds the normalised answer as whole tokens, as DSPy's passage match does",
        arguments: [
            (Value.string("It is Paris, France."), Value.string("Paris"), 1.0),
            (.string("42"), .string("4"), 0),
            (.array(["The Eiffel Tower is in Paris.", "..."]), .string("Eiffel Tower"), 1),
            (.string("eiffel towers"), .string("eiffel tower"), 0),
            (.string("anything"), .string("the"), 1),  // an answer normalising to nothing is in every text
            (.array(["x", "y 4"]), .array(["5", "4"]), 1),
            (.string("Paris—France"), .string("france"), 1),
            (.string("The answer is 42."), .int(42), 1),
            (.string("Lyon"), .string("Paris"), 0),
        ])
    func contains(prediction: Value, label: Value, expected: Double) async throws {
        #expect(try await score(.contains(), label: label, prediction: prediction) == expected)
    }

    // MARK: numeric

    @Test(
        "numeric reads the first number of a text and compares within the tolerance",
        arguments: [
            (Value.string("The answer is 42."), Value.int(42), 1.0),
            (.string("42"), .string("42.0"), 1),
            (.int(7), .double(7), 1),
            (.string("It costs $1,234.50 in total"), .double(1234.5), 1),
            (.string("-3 degrees"), .int(-3), 1),
            (.string("about .5 of it"), .double(0.5), 1),
            (.string("1e3 items"), .int(1000), 1),
            (.string("1, 2, 3"), .int(1), 1),
            (.string("43"), .int(42), 0),
            (.string("no number here"), .int(42), 0),
            (.bool(true), .int(1), 0),
            (.string("0.1 + 0.2 = 0.30000000000000004"), .double(0.1), 1),
            (.double(0.1 + 0.2), .double(0.3), 1),
            (.string("9"), .array([8, "nine or 9"]), 1),
        ])
    func numeric(prediction: Value, label: Value, expected: Double) async throws {
        #expect(try await score(.numeric(), label: label, prediction: prediction) == expected)
    }

    @Test("numeric tolerance widens what counts as equal")
    func numericTolerance() async throws {
        #expect(try await score(.numeric(tolerance: 0.5), label: 10, prediction: "10.4") == 1)
        #expect(try await score(.numeric(tolerance: 0.5), label: 10, prediction: "10.6") == 0)
        #expect(try await score(.numeric(), label: 10, prediction: "10.001") == 0)
    }

    // MARK: custom

    @Test("a custom metric keeps its name and scoring rule")
    func custom() async throws {
        let metric = Metric.custom("short") { _, prediction in
            (prediction["answer"]?.plainText.count ?? .max) <= 5 ? 1 : 0
        }
        #expect(metric.name == "short")
        #expect(try await score(metric, label: nil, prediction: "yes") == 1)
        #expect(try await score(metric, label: nil, prediction: "a long answer") == 0)
    }

    // MARK: judged

    private static let example = Example(["question": "Capital of France?", "answer": "Paris"]).withInputs("question")

    @Test("a judge with a bool output scores 1 for True and 0 for False, reading the mapped fields")
    func judgedBool() async throws {
        let lm = ScriptedLM(replies: [
            "[[ ## correct ## ]]\nTrue\n\n[[ ## completed ## ]]",
            "[[ ## correct ## ]]\nFalse\n\n[[ ## completed ## ]]",
        ])
        let metric = try Metric.judged(
            by: "question, gold_answer, predicted_answer -> correct: bool", lm: lm,
            inputs: [
                "question": .example("question"), "gold_answer": .example("answer"),
                "predicted_answer": .prediction("answer"),
            ])
        #expect(try await metric(Self.example, Prediction(["answer": "It's Paris"])) == 1)
        #expect(try await metric(Self.example, Prediction(["answer": "Lyon"])) == 0)
        let prompt = lm.requests[0].messages.map(\.content).joined(separator: "\n")
        #expect(prompt.contains("[[ ## gold_answer ## ]]\nParis"))
        #expect(prompt.contains("[[ ## predicted_answer ## ]]\nIt's Paris"))
        #expect(prompt.contains("[[ ## question ## ]]\nCapital of France?"))
    }

    @Test("a judge's score output is clamped to 0...1", arguments: [("0.75", 0.75), ("7", 1.0), ("-2", 0.0)])
    func judgedScore(reply: String, expected: Double) async throws {
        let lm = ScriptedLM(replies: ["[[ ## score ## ]]\n\(reply)\n\n[[ ## completed ## ]]"])
        let metric = try Metric.judged(by: "question, answer -> score: float", lm: lm)
        #expect(try await metric(Self.example, Prediction(["answer": "Paris"])) == expected)
    }

    @Test("unmapped judge inputs are read by name from the prediction, then the example")
    func judgedDefaultInputs() async throws {
        let lm = ScriptedLM(replies: ["[[ ## correct ## ]]\nTrue\n\n[[ ## completed ## ]]"])
        let metric = try Metric.judged(by: "question, answer -> correct: bool", lm: lm)
        #expect(try await metric(Self.example, Prediction(["answer": "Lyon"])) == 1)
        let prompt = lm.requests[0].messages.map(\.content).joined(separator: "\n")
        #expect(prompt.contains("[[ ## answer ## ]]\nLyon"))
    }

    @Test("a judge's call is not recorded in the program's trace")
    func judgedOutsideTrace() async throws {
        let lm = ScriptedLM(replies: ["[[ ## correct ## ]]\nTrue\n\n[[ ## completed ## ]]"])
        let metric = try Metric.judged(by: "question, answer -> correct: bool", lm: lm)
        let (score, entries) = try await withTrace {
            try await metric(Self.example, Prediction(["answer": "Paris"]))
        }
        #expect(score == 1)
        #expect(entries.isEmpty)
        #expect(lm.requests.count == 1)
    }

    @Test("a judge input whose field is missing scores 0 without calling the model")
    func judgedMissingInput() async throws {
        let lm = ScriptedLM(replies: ["[[ ## correct ## ]]\nTrue\n\n[[ ## completed ## ]]"])
        let metric = try Metric.judged(
            by: "gold, predicted -> correct: bool", lm: lm,
            inputs: ["gold": .example("answer"), "predicted": .prediction("answer")])
        // A mapped field is not looked up elsewhere: the example's "predicted" is not used.
        var example = Self.example
        example["predicted"] = "Paris"
        #expect(try await metric(example, Prediction(["reasoning": "..."])) == 0)
        #expect(lm.requests.isEmpty)
    }

    @Test("a judge reply that does not parse throws the adapter's error")
    func judgedParseFailure() async throws {
        let lm = ScriptedLM(replies: ["I think it is probably right."])
        let metric = try Metric.judged(by: "question, answer -> correct: bool", lm: lm)
        await #expect(throws: AdapterError.self) {
            try await metric(Self.example, Prediction(["answer": "Paris"]))
        }
    }

    @Test("a judge signature without a verdict output or with an unknown input is rejected")
    func judgedInvalid() throws {
        #expect(throws: EvaluateError.self) { try Metric.judged(by: "question, answer -> explanation") }
        let error = #expect(throws: EvaluateError.self) {
            try Metric.judged(by: "question, answer -> correct: bool", inputs: ["gold": .example("answer")])
        }
        #expect(error?.code == .invalidJudge)
        #expect(error?.description.contains("'gold'") == true)
        #expect(throws: SignatureError.self) { try Metric.judged(by: "question answer correct") }
    }

    // MARK: named

    @Test(
        "named returns the built-in metric for each name and alias",
        arguments: [
            ("exact_match", "exact_match"), ("em", "exact_match"), ("exact", "exact_match"), ("f1", "f1"),
            ("contains", "contains"), ("numeric", "numeric"),
        ])
    func named(name: String, canonical: String) async throws {
        let metric = try Metric.named(name, field: "result", label: "gold")
        #expect(metric.name == canonical)
        #expect(Metric.knownNames.contains(canonical))
        let score = try await score(
            metric, label: "42", prediction: "42", labelField: "gold", predictionField: "result")
        #expect(score == 1)
    }

    @Test("named defaults the field to answer and the label to the field")
    func namedDefaults() async throws {
        let metric = try Metric.named("f1", field: nil, label: nil)
        #expect(try await score(metric, label: "Paris", prediction: "Paris") == 1)
    }

    @Test("an unknown metric name throws an error listing the known names")
    func namedUnknown() {
        let error = #expect(throws: EvaluateError.self) { try Metric.named("accuracy", field: nil, label: nil) }
        #expect(error?.code == .unknownMetric)
        for name in Metric.knownNames { #expect(error?.description.contains(name) == true) }
        #expect(error?.description.contains("'accuracy'") == true)
    }
}
