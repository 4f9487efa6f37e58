import Crypto
import Foundation
import Testing

@testable import DSPEx

/// One invalid pipeline file and the error it must produce.
struct PipelineErrorCase: Sendable, CustomTestStringConvertible {
    var name: String
    var yaml: String
    var environment: [String: String] = [:]
    var code: PipelineFileError.Code
    var line: Int
    var column: Int
    var phrase: String
    var suggestion: String?

    var testDescription: String { name }
}

@Suite struct PipelineFileTests {
    // MARK: Helpers

    /// `Tests/DSPExTests/Fixtures/pipelines`, found next to this file.
    static let fixtures = Fixtures.folder("pipelines")

    static func fixture(_ name: String) -> String {
        fixtures.appendingPathComponent(name).path
    }

    static func parse(_ yaml: String, environment: [String: String] = [:]) throws(PipelineFileError) -> PipelineSpec {
        try PipelineFile.parse(yaml, file: "test.yaml", environment: environment)
    }

    /// The error `yaml` throws, or a recorded issue when it parses.
    static func error(_ yaml: String, environment: [String: String] = [:]) -> PipelineFileError? {
        do {
            let spec = try parse(yaml, environment: environment)
            Issue.record("expected an error, got a spec with stages \(spec.stages.map(\.id))")
            return nil
        } catch {
            return error
        }
    }

    static func location(_ line: Int, _ column: Int, file: String = "test.yaml") -> DSPEx.SourceLocation {
        DSPEx.SourceLocation(file: file, line: line, column: column)
    }

    // MARK: Valid files

    @Test("a full valid file parses to the expected spec")
    func fullFile() throws {
        let path = Self.fixture("arithmetic-cot.yaml")
        let spec = try PipelineFile.load(path: path, environment: ["DSPEX_BASE_URL": "http://127.0.0.1:8089/v1"])

        #expect(spec.name == "arithmetic-cot")
        #expect(spec.file == path)
        #expect(spec.adapter == .chat)
        #expect(spec.adapterLocation == Self.location(12, 10, file: path))

        let lm = try #require(spec.lm)
        #expect(lm.model == "dspex-sim")
        #expect(lm.baseURL == "http://127.0.0.1:8089/v1")
        #expect(lm.apiKeyEnvironmentVariable == "OPENAI_API_KEY")
        #expect(lm.temperature == 0.0)
        #expect(lm.maxTokens == 512)
        #expect(lm.maxConcurrency == 64)
        #expect(lm.requestsPerMinute == 600)
        #expect(lm.tokensPerMinute == 100_000)
        #expect(lm.location == Self.location(4, 3, file: path))
        #expect(lm.locations["base_url"] == Self.location(5, 13, file: path))
        #expect(lm.locations.count == 8)

        #expect(spec.stages.count == 1)
        let solve = spec.stages[0]
        #expect(solve.id == "solve")
        #expect(solve.module == .chainOfThought)
        #expect(
            solve.signature == (try Signature("question -> answer: int", instructions: "Solve the arithmetic problem."))
        )
        #expect(solve.signature.instructions == "Solve the arithmetic problem.")
        #expect(solve.signatureText == "question -> answer: int")
        #expect(solve.instructions == "Solve the arithmetic problem.")
        #expect(solve.concurrency == 64)
        #expect(solve.effectiveConcurrency == 64)
        #expect(solve.outputs.map(\.name) == ["reasoning", "answer"])
        #expect(solve.location == Self.location(14, 5, file: path))
        #expect(solve.idLocation == Self.location(14, 9, file: path))
        #expect(solve.signatureLocation == Self.location(16, 16, file: path))
        #expect(
            solve.inputs == [
                InputBinding(
                    field: "question", source: .input(field: "question"), location: Self.location(24, 17, file: path),
                    fieldLocation: Self.location(24, 7, file: path))
            ])

        #expect(solve.demos.count == 2)
        #expect(solve.demos[0] == Example(["question": "What is 1 + 1?", "answer": 2], inputKeys: ["question"]))
        #expect(Array(solve.demos[1].values.keys) == ["question", "reasoning", "answer"])
        #expect(solve.demos[1]["answer"] == .int(42))
        #expect(solve.demos[1].inputKeys == ["question"])
        #expect(solve.demos[1].labels == ["reasoning": "6 times 7 is 42.", "answer": 42])

        #expect(
            spec.outputs == [
                OutputSpec(name: "answer", stage: "solve", field: "answer", location: Self.location(27, 11, file: path))
            ])
        #expect(
            spec.metric
                == MetricSpec(
                    name: "exact_match", field: "answer", location: Self.location(29, 3, file: path),
                    fieldLocation: Self.location(30, 10, file: path)))
        #expect(spec.metric?.effectiveLabel == "answer")
    }

    @Test("a multi-stage file keeps stage order, list outputs and a metric given by name")
    func reviewTriage() throws {
        let spec = try PipelineFile.load(path: Self.fixture("review-triage.yaml"), environment: [:])
        #expect(spec.adapter == .json)
        #expect(spec.lm?.temperature == 0.7)
        #expect(spec.lm?.baseURL == nil)
        #expect(spec.stages.map(\.id) == ["summarize", "classify", "explain"])
        #expect(
            spec.stages[0].instructions
                == "Summarize the review in one sentence.\nKeep the reviewer's own words where you can.\n")
        #expect(spec.stages[0].module == .predict)
        #expect(spec.stages[0].concurrency == nil)
        #expect(spec.stages[0].effectiveConcurrency == StageSpec.defaultConcurrency)
        #expect(spec.stages[1].signature.outputs.map(\.type) == [.literal(["positive", "negative", "neutral"])])
        #expect(spec.stages[1].demos[0].inputKeys == ["summary", "product"])
        #expect(
            spec.stages[2].inputs.map(\.source) == [
                .stage(id: "summarize", field: "summary"), .stage(id: "classify", field: "sentiment"),
                .stage(id: "classify", field: "reasoning"),
            ])
        #expect(spec.outputs.map(\.name) == ["sentiment", "explanation"])
        #expect(spec.outputs.map(\.stage) == ["classify", "explain"])
        #expect(spec.metric?.name == "exact_match")
        #expect(spec.metric?.field == nil)
    }

    @Test("anchors, merge keys, x- keys, defaults in variables and $${ escapes all work")
    func factMerge() throws {
        let spec = try PipelineFile.load(path: Self.fixture("fact-merge.yaml"), environment: ["DSPEX_PORT": "9000"])
        #expect(spec.lm?.model == "dspex-sim")
        #expect(spec.lm?.baseURL == "http://127.0.0.1:9000/v1")
        #expect(spec.stages.map(\.id) == ["combine", "people", "places"])
        #expect(spec.stages[0].instructions == "Merge the lists. Placeholders such as ${name} are literal.")
        #expect(spec.stages[1].module == .predict)
        #expect(spec.stages[1].concurrency == 32)
        #expect(spec.stages[2].concurrency == 4)
        #expect(spec.outputs.map(\.name) == ["facts", "total", "people"])
        #expect(spec.metric?.name == "f1")
        #expect(spec.metric?.field == "facts")
        #expect(spec.metric?.effectiveLabel == "gold_facts")
    }

    @Test("the example pipelines in the repository are valid")
    func repositoryPipelines() throws {
        let folder = Fixtures.repositoryRoot.appendingPathComponent("pipelines")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in names where name.hasSuffix(".yaml") {
            let spec = try PipelineFile.load(path: folder.appendingPathComponent(name).path, environment: [:])
            #expect(!spec.stages.isEmpty, "\(name)")
        }
    }

    @Test("a chain_of_thought stage's reasoning can feed a later stage; a predict stage has none")
    func reasoningOutput() throws {
        let yaml = """
            name: t
            stages:
              - id: think
                module: chain_of_thought
                signature: "question -> answer"
                inputs: {question: input.question}
              - id: judge
                signature: "why -> verdict: bool"
                inputs: {why: think.reasoning}
            """
        let spec = try Self.parse(yaml)
        #expect(spec.stages[1].inputs[0].source == .stage(id: "think", field: "reasoning"))
        let error = Self.error(yaml.replacingOccurrences(of: "module: chain_of_thought", with: "module: predict"))
        #expect(error?.code == .unknownField)
        #expect(error?.location == Self.location(9, 19))
    }

    @Test("without outputs, the pipeline returns every output of its last stage")
    func defaultOutputs() throws {
        let spec = try Self.parse(
            """
            name: t
            stages:
              - id: solve
                module: chain_of_thought
                signature: "question -> answer, confidence: float"
                inputs: {question: input.question}
            """)
        #expect(spec.outputs.map(\.name) == ["reasoning", "answer", "confidence"])
        #expect(spec.outputsLocation == nil)
    }

    @Test("compatible types connect: str takes anything, int feeds float, literals feed larger literals")
    func compatibleTypes() throws {
        let spec = try Self.parse(
            """
            name: t
            stages:
              - id: a
                signature: "q -> items: list[int], n: int, mood: Literal['up'], text"
                inputs: {q: input.q}
              - id: b
                signature: "items: str, n: float, mood: Literal['up', 'down'], text, more: list[float] -> out"
                inputs: {items: a.items, n: a.n, mood: a.mood, text: a.text, more: a.items}
            """)
        #expect(spec.stages[1].inputs.count == 5)
        // The file's check and the graph's are one rule: what parses also builds.
        _ = try spec.makeGraph(lm: nil)
        #expect(FieldType.list(.string).canFeed(.int) == false)
        #expect(FieldType.optional(.int).canFeed(.double))
        #expect(FieldType.double.canFeed(.int) == false)
        #expect(FieldType.string.canFeed(.int) == false)
        #expect(FieldType.literal(["a", "b"]).canFeed(.literal(["a"])) == false)
        #expect(FieldType.literal(["a"]).canFeed(.literal(["a", "b"])))
    }

    @Test("scalars follow YAML 1.2: yes and no stay text, quoted numbers stay text")
    func coreSchema() throws {
        let spec = try Self.parse(
            """
            name: t
            stages:
              - id: s
                signature: "question -> answer"
                demos:
                  - {question: "Is it on?", answer: no}
                  - {question: "42", answer: 4.5}
                  - {question: ~, answer: [1, true, {k: v}]}
                inputs: {question: input.question}
            """)
        let demos = spec.stages[0].demos
        #expect(demos[0]["answer"] == .string("no"))
        #expect(demos[1]["question"] == .string("42"))
        #expect(demos[1]["answer"] == .double(4.5))
        #expect(demos[2]["question"] == .null)
        #expect(demos[2]["answer"] == [1, true, ["k": "v"]])
    }

    @Test("variables expand in every value, including numbers and demos; $${ stays literal")
    func variableExpansion() throws {
        let spec = try Self.parse(
            """
            name: ${NAME}
            lm:
              model: m
              temperature: ${TEMP}
              max_tokens: ${TOKENS:-256}
            stages:
              - id: s
                signature: "question -> answer"
                instructions: "Cost: $$5, literal $${NAME}, user ${USER_NAME:-}"
                demos: [{question: "${Q}", answer: x}]
                inputs: {question: input.question}
            """, environment: ["NAME": "expanded", "TEMP": "0.5", "Q": "Why?", "USER_NAME": ""])
        #expect(spec.name == "expanded")
        #expect(spec.lm?.temperature == 0.5)
        #expect(spec.lm?.maxTokens == 256)
        #expect(spec.stages[0].instructions == "Cost: $$5, literal ${NAME}, user ")
        #expect(spec.stages[0].demos[0]["question"] == "Why?")
    }

    @Test("a demo that aliases expand into a huge tree is refused, not expanded")
    func aliasBomb() throws {
        var yaml = "name: t\nx-0: &a0 [v, v, v, v, v, v, v, v, v, v]\n"
        for level in 1...6 {
            let previous = "*a\(level - 1)"
            let list = Array(repeating: previous, count: 10).joined(separator: ", ")
            yaml += "x-\(level): &a\(level) [\(list)]\n"
        }
        yaml += """
            stages:
              - id: s
                signature: "question -> answer"
                demos: [{question: q, answer: *a6}]
                inputs: {question: input.question}
            """
        let error = try #require(Self.error(yaml))
        #expect(error.code == .invalidValue)
        #expect(error.location == Self.location(12, 27))
        #expect(error.message.contains("expands to more than"))
    }

    @Test("the content hash is the SHA-256 of the expanded text and follows variable values")
    func contentHash() throws {
        let yaml = """
            name: t
            lm: {model: "${MODEL}"}
            stages: [{id: s, signature: "q -> a", inputs: {q: input.q}}]
            """
        let first = try Self.parse(yaml, environment: ["MODEL": "one"])
        let again = try Self.parse(yaml, environment: ["MODEL": "one", "UNRELATED": "x"])
        let other = try Self.parse(yaml, environment: ["MODEL": "two"])
        #expect(first.contentHash == again.contentHash)
        #expect(first.contentHash != other.contentHash)
        let expanded = yaml.replacingOccurrences(of: "${MODEL}", with: "one")
        let expected = SHA256.hash(data: Data(expanded.utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(first.contentHash == expected)
        #expect(PipelineFile.contentHash(of: yaml, environment: ["MODEL": "one"]) == expected)
    }

    @Test("source references parse input.<field> and <stage>.<field> only")
    func sourceReferences() {
        #expect(SourceReference("input.question") == .input(field: "question"))
        #expect(SourceReference("solve.answer") == .stage(id: "solve", field: "answer"))
        #expect(SourceReference("solve.answer")?.description == "solve.answer")
        #expect(SourceReference("solve") == nil)
        #expect(SourceReference("a.b.c") == nil)
        #expect(SourceReference(".answer") == nil)
        #expect(SourceReference("solve.") == nil)
        #expect(SourceReference("1st.answer") == nil)
    }

    @Test("spelling hints suggest a close name, or list the accepted ones")
    func spellingHints() {
        #expect(SpellingSuggestion.hint(for: "signatrue", among: StageSpec.keys) == "did you mean 'signature'?")
        #expect(SpellingSuggestion.hint(for: "modle", among: LMSpec.keys) == "did you mean 'model'?")
        #expect(SpellingSuggestion.hint(for: "xyz", among: ["a", "b"]) == "expected 'a' or 'b'")
        #expect(SpellingSuggestion.editDistance("kitten", "sitting") == 3)
    }

    // MARK: Errors

    @Test("an error reads file:line:column: error: message; suggestion, then the line and a caret")
    func errorDescription() throws {
        let error = try #require(
            Self.error(
                """
                name: t
                stages:
                  - id: solve
                    signatrue: "question -> answer"
                """))
        #expect(
            error.summary == "test.yaml:4:5: error: unknown key 'signatrue' in stage 'solve'; did you mean 'signature'?"
        )
        #expect(
            error.description == """
                test.yaml:4:5: error: unknown key 'signatrue' in stage 'solve'; did you mean 'signature'?
                    signatrue: "question -> answer"
                    ^
                """)
        #expect(error.code.description == "unknown_key")
    }

    @Test("a missing file is an unreadable_file error at the path")
    func missingFile() {
        #expect(throws: PipelineFileError.self) { try PipelineFile.load(path: "/nonexistent/x.yaml", environment: [:]) }
        do {
            _ = try PipelineFile.load(path: "/nonexistent/x.yaml", environment: [:])
        } catch {
            #expect(error.code == .unreadableFile)
            #expect(error.location == Self.location(1, 1, file: "/nonexistent/x.yaml"))
            #expect(error.summary.hasPrefix("/nonexistent/x.yaml:1:1: error: no such pipeline file"))
        }
    }

    @Test("a key pasted into api_key_env is neither repeated nor shown")
    func secretNotEchoed() throws {
        let error = try #require(
            Self.error(
                """
                name: t
                lm:
                  model: m
                  api_key_env: sk-live-123456
                stages: [{id: s, signature: "q -> a", inputs: {q: input.q}}]
                """))
        #expect(error.code == .invalidValue)
        #expect(error.location == Self.location(4, 16))
        #expect(error.sourceLine == nil)
        #expect(!error.description.contains("sk-live"))
    }

    @Test(
        "a signature error points into the signature text",
        arguments: [
            ("plain", "signature: question -> answer.x", 34, "expected ':' and a type"),
            ("double-quoted", "signature: \"question -> answer: strr\"", 37, "unknown type 'strr'"),
            ("single-quoted", "signature: 'question -> answer: strr'", 37, "unknown type 'strr'"),
            ("escaped", "signature: \"\\u0071uestion -> answer: strr\"", 16, "unknown type 'strr'"),
        ])
    func signatureColumns(style: String, line: String, column: Int, phrase: String) throws {
        let error = try #require(
            Self.error(
                """
                name: t
                stages:
                  - id: s
                    \(line)
                    inputs: {question: input.question}
                """))
        #expect(error.code == .invalidSignature, "\(style)")
        #expect(error.location == Self.location(4, column), "\(style)")
        #expect(error.message.contains(phrase), "\(style)")
    }

    @Test("a signature error in a flow mapping and in a block scalar")
    func signatureColumnsInFlowAndBlock() throws {
        let flow = try #require(
            Self.error(
                """
                name: t
                stages: [{id: s, signature: "question -> answer: strr", inputs: {question: input.question}}]
                """))
        #expect(flow.location == Self.location(2, 50))
        let block = try #require(
            Self.error(
                """
                name: t
                stages:
                  - id: s
                    signature: >
                      question -> answer: strr
                    inputs: {question: input.question}
                """))
        #expect(block.code == .invalidSignature)
        #expect(block.location == Self.location(4, 16))
    }

    static let errorCases: [PipelineErrorCase] = [
        PipelineErrorCase(
            name: "invalid YAML", yaml: "name: a: b\nstages: []\n", code: .syntax, line: 1, column: 8,
            phrase: "mapping values are not allowed"),
        PipelineErrorCase(
            name: "unclosed flow list", yaml: "name: t\nstages: [\n  {id: s}\n", code: .syntax, line: 4, column: 1,
            phrase: "invalid YAML"),
        PipelineErrorCase(
            name: "duplicate key", yaml: "name: a\nname: b\nstages: []\n", code: .syntax, line: 2, column: 1,
            phrase: "'name' appears more than once in the same mapping (first at line 1)"),
        PipelineErrorCase(
            name: "duplicate key in a flow mapping", yaml: "name: t\nlm: {model: a, model: b}\n", code: .syntax,
            line: 2, column: 6, phrase: "'model' appears more than once"),
        PipelineErrorCase(
            name: "empty file", yaml: "# nothing\n", code: .missingField, line: 1, column: 1,
            phrase: "the pipeline file is empty"),
        PipelineErrorCase(
            name: "top level is a list", yaml: "- name: t\n", code: .wrongType, line: 1, column: 1,
            phrase: "expected a mapping with 'name' and 'stages' at the top of the file, found a list"),
        PipelineErrorCase(
            name: "unknown top-level key", yaml: valid.replacingOccurrences(of: "name: t", with: "nmae: t"),
            code: .unknownKey, line: 1, column: 1, phrase: "unknown key 'nmae' at the top level",
            suggestion: "did you mean 'name'?"),
        PipelineErrorCase(
            name: "unknown stage key", yaml: valid.replacingOccurrences(of: "signature:", with: "signatrue:"),
            code: .unknownKey, line: 4, column: 5, phrase: "unknown key 'signatrue' in stage 'solve'",
            suggestion: "did you mean 'signature'?"),
        PipelineErrorCase(
            name: "unknown lm key", yaml: "name: t\nlm:\n  model: m\n  modle: n\n" + validStages,
            code: .unknownKey, line: 4, column: 3, phrase: "unknown key 'modle' in 'lm'",
            suggestion: "did you mean 'model'?"),
        PipelineErrorCase(
            name: "unknown key far from any", yaml: valid + "    zzzzzz: 1\n", code: .unknownKey, line: 7, column: 5,
            phrase: "unknown key 'zzzzzz'",
            suggestion: "expected one of 'id', 'module', 'signature', 'instructions', 'demos', 'inputs',"
                + " 'concurrency', 'tools', 'max_iters'"),
        PipelineErrorCase(
            name: "unknown metric key", yaml: valid + "metric: {name: f1, feild: answer}\n", code: .unknownKey,
            line: 7, column: 20, phrase: "unknown key 'feild' in 'metric'", suggestion: "did you mean 'field'?"),
        PipelineErrorCase(
            name: "concurrency is not a number", yaml: valid + "    concurrency: fast\n", code: .wrongType, line: 7,
            column: 18,
            phrase: "expected a positive whole number for 'concurrency' in stage 'solve', found the text 'fast'"),
        PipelineErrorCase(
            name: "quoted concurrency", yaml: valid + "    concurrency: \"4\"\n", code: .wrongType, line: 7,
            column: 18, phrase: "found the text '4'"),
        PipelineErrorCase(
            name: "stages is a mapping", yaml: "name: t\nstages: {}\n", code: .wrongType, line: 2, column: 9,
            phrase: "expected a list of stages for 'stages', found a mapping"),
        PipelineErrorCase(
            name: "demos is text", yaml: valid + "    demos: \"x\"\n", code: .wrongType, line: 7, column: 12,
            phrase: "expected a list of demos for 'demos', found the text 'x'"),
        PipelineErrorCase(
            name: "temperature is text", yaml: "name: t\nlm: {model: m, temperature: hot}\n" + validStages,
            code: .wrongType, line: 2, column: 29, phrase: "expected a number for 'temperature'"),
        PipelineErrorCase(
            name: "a stage is text", yaml: "name: t\nstages:\n  - solve\n", code: .wrongType, line: 3, column: 5,
            phrase: "expected a stage (a mapping with 'id' and 'signature') in 'stages', found the text 'solve'"),
        PipelineErrorCase(
            name: "missing name", yaml: valid.replacingOccurrences(of: "name: t\n", with: ""), code: .missingField,
            line: 1, column: 1, phrase: "missing required key 'name' at the top level"),
        PipelineErrorCase(
            name: "missing stages", yaml: "name: t\nadapter: chat\n", code: .missingField, line: 1, column: 1,
            phrase: "missing required key 'stages' at the top level"),
        PipelineErrorCase(
            name: "missing stage id", yaml: valid.replacingOccurrences(of: "- id: solve\n    ", with: "- "),
            code: .missingField, line: 3, column: 5, phrase: "missing required key 'id' in stage #1"),
        PipelineErrorCase(
            name: "missing signature",
            yaml: valid.replacingOccurrences(of: "    signature: \"question -> answer\"\n", with: ""),
            code: .missingField, line: 3, column: 5, phrase: "missing required key 'signature' in stage 'solve'"),
        PipelineErrorCase(
            name: "missing lm model", yaml: "name: t\nlm:\n  temperature: 0\n" + validStages, code: .missingField,
            line: 3, column: 3, phrase: "missing required key 'model' in 'lm'"),
        PipelineErrorCase(
            name: "bad signature",
            yaml: valid.replacingOccurrences(of: "\"question -> answer\"", with: "\"question => answer\""),
            code: .invalidSignature, line: 4, column: 35, phrase: "expected '->'"),
        PipelineErrorCase(
            name: "unknown module", yaml: valid + "    module: cot\n", code: .invalidValue, line: 7, column: 13,
            phrase: "unknown module 'cot'",
            suggestion:
                "expected one of 'predict', 'chain_of_thought', 'react', 'best_of_n', 'refine', 'multi_chain_comparison', 'knn_few_shot'"
        ),
        PipelineErrorCase(
            name: "misspelt module", yaml: valid + "    module: chain_of_thougt\n", code: .invalidValue, line: 7,
            column: 13, phrase: "unknown module 'chain_of_thougt'",
            suggestion:
                "did you mean 'chain_of_thought'? expected one of 'predict', 'chain_of_thought', 'react', 'best_of_n', 'refine', 'multi_chain_comparison', 'knn_few_shot'"
        ),
        PipelineErrorCase(
            name: "unknown adapter", yaml: "name: t\nadapter: xml\n" + validStages, code: .invalidValue, line: 2,
            column: 10, phrase: "unknown adapter 'xml'", suggestion: "expected 'chat' or 'json'"),
        PipelineErrorCase(
            name: "zero concurrency", yaml: valid + "    concurrency: 0\n", code: .invalidValue, line: 7, column: 18,
            phrase: "'concurrency' in stage 'solve' must be positive, found 0"),
        PipelineErrorCase(
            name: "negative max_tokens", yaml: "name: t\nlm: {model: m, max_tokens: -5}\n" + validStages,
            code: .invalidValue, line: 2, column: 28, phrase: "'max_tokens' in 'lm' must be positive, found -5"),
        PipelineErrorCase(
            name: "empty stages", yaml: "name: t\nstages: []\n", code: .invalidValue, line: 2, column: 9,
            phrase: "'stages' must list at least one stage"),
        PipelineErrorCase(
            name: "stage id input", yaml: valid.replacingOccurrences(of: "id: solve", with: "id: input"),
            code: .invalidValue, line: 3, column: 9, phrase: "'input' is reserved"),
        PipelineErrorCase(
            name: "stage id not an identifier", yaml: valid.replacingOccurrences(of: "id: solve", with: "id: 2nd step"),
            code: .invalidValue, line: 3, column: 9, phrase: "stage id '2nd step' is not an identifier"),
        PipelineErrorCase(
            name: "api_key_env is a reference",
            yaml: "name: t\nlm: {model: m, api_key_env: \"${KEY}\"}\n" + validStages,
            code: .invalidValue, line: 2, column: 29, phrase: "not a reference to its value"),
        PipelineErrorCase(
            name: "input not in the signature",
            yaml: valid.replacingOccurrences(of: "question: input.question", with: "questoin: input.question"),
            code: .unknownField, line: 6, column: 7,
            phrase: "'questoin' is not an input of the signature in stage 'solve'",
            suggestion: "did you mean 'question'?"),
        PipelineErrorCase(
            name: "signature input without a source",
            yaml: valid.replacingOccurrences(of: "question -> answer", with: "question, context -> answer"),
            code: .missingField, line: 6, column: 7,
            phrase: "input 'context' of the signature has no source in stage 'solve'",
            suggestion: "add 'context: input.context' or 'context: <stage>.<field>' under 'inputs'"),
        PipelineErrorCase(
            name: "stage without inputs",
            yaml: "name: t\nstages:\n  - id: s\n    signature: \"q -> a\"\n", code: .missingField, line: 3, column: 5,
            phrase: "input 'q' of the signature has no source in stage 's'"),
        PipelineErrorCase(
            name: "demo field not in the signature", yaml: valid + "    demos: [{question: q, answr: a}]\n",
            code: .unknownField, line: 7, column: 27, phrase: "demo field 'answr' is not a field of the signature",
            suggestion: "did you mean 'answer'?"),
        PipelineErrorCase(
            name: "binding to an unknown stage",
            yaml: twoStages.replacingOccurrences(of: "draft: solve.answer", with: "draft: slove.answer"),
            code: .unknownStage, line: 9, column: 14,
            phrase: "input 'draft' of stage 'check' reads unknown stage 'slove'",
            suggestion: "did you mean 'solve'?"),
        PipelineErrorCase(
            name: "binding to a missing output",
            yaml: twoStages.replacingOccurrences(of: "draft: solve.answer", with: "draft: solve.answr"),
            code: .unknownField, line: 9, column: 14, phrase: "stage 'solve' has no output 'answr'",
            suggestion: "did you mean 'answer'?"),
        PipelineErrorCase(
            name: "binding to reasoning of a predict stage",
            yaml: twoStages.replacingOccurrences(of: "draft: solve.answer", with: "draft: solve.reasoning"),
            code: .unknownField, line: 9, column: 14, phrase: "stage 'solve' has no output 'reasoning'",
            suggestion:
                "only chain_of_thought stages output 'reasoning'; set 'module: chain_of_thought' on stage 'solve'"),
        PipelineErrorCase(
            name: "reference without a dot",
            yaml: twoStages.replacingOccurrences(of: "draft: solve.answer", with: "draft: solve"),
            code: .invalidValue, line: 9, column: 14,
            phrase: "malformed source 'solve' for input 'draft' in stage 'check'",
            suggestion: "expected 'input.<field>' or '<stage>.<field>'"),
        PipelineErrorCase(
            name: "reference with two dots",
            yaml: twoStages.replacingOccurrences(of: "draft: solve.answer", with: "draft: a.b.c"),
            code: .invalidValue, line: 9, column: 14, phrase: "malformed source 'a.b.c'"),
        PipelineErrorCase(
            name: "duplicate stage ids", yaml: twoStages.replacingOccurrences(of: "id: check", with: "id: solve"),
            code: .duplicateStage, line: 6, column: 9,
            phrase: "duplicate stage id 'solve'; the first stage with this id is at line 3"),
        PipelineErrorCase(
            name: "two stages in a cycle",
            yaml: """
                name: t
                stages:
                  - id: a
                    signature: "x -> y"
                    inputs: {x: b.z}
                  - id: b
                    signature: "y -> z"
                    inputs: {y: a.y}
                """,
            code: .cycle, line: 5, column: 17, phrase: "stages 'a', 'b' form a cycle: a reads b.z, b reads a.y"),
        PipelineErrorCase(
            name: "three stages in a cycle behind an acyclic one",
            yaml: """
                name: t
                stages:
                  - id: start
                    signature: "q -> a"
                    inputs: {q: input.q}
                  - id: b
                    signature: "s, c -> x"
                    inputs: {s: start.a, c: d.x}
                  - id: c
                    signature: "b -> x"
                    inputs: {b: b.x}
                  - id: d
                    signature: "c -> x"
                    inputs: {c: c.x}
                """,
            code: .cycle, line: 8, column: 29,
            phrase: "stages 'b', 'd', 'c' form a cycle: b reads d.x, d reads c.x, c reads b.x"),
        PipelineErrorCase(
            name: "a stage reading itself",
            yaml: "name: t\nstages:\n  - id: a\n    signature: \"x -> x2\"\n    inputs: {x: a.x2}\n",
            code: .cycle, line: 5, column: 17, phrase: "stage 'a' reads its own output: a reads a.x2"),
        PipelineErrorCase(
            name: "output from an unknown stage", yaml: valid + "outputs: {answer: solv.answer}\n", code: .unknownStage,
            line: 7, column: 19, phrase: "output 'answer' reads unknown stage 'solv'",
            suggestion: "did you mean 'solve'?"),
        PipelineErrorCase(
            name: "output of an unknown field", yaml: valid + "outputs:\n  - solve.answre\n", code: .unknownField,
            line: 8, column: 5, phrase: "stage 'solve' has no output 'answre' (named by output 'answre')",
            suggestion: "did you mean 'answer'?"),
        PipelineErrorCase(
            name: "output from the dataset", yaml: valid + "outputs: [input.question]\n", code: .invalidValue,
            line: 7, column: 11, phrase: "names a dataset field"),
        PipelineErrorCase(
            name: "metric field not an output", yaml: valid + "metric: {name: f1, field: answr}\n", code: .unknownField,
            line: 7, column: 27, phrase: "metric field 'answr' is not an output", suggestion: "did you mean 'answer'?"),
        PipelineErrorCase(
            name: "undefined variable", yaml: "name: t\nlm:\n  model: m\n  base_url: http://${HOST}/v1\n" + validStages,
            code: .undefinedVariable, line: 4, column: 20, phrase: "environment variable 'HOST' is not set"),
        PipelineErrorCase(
            name: "undefined variable in a quoted demo",
            yaml: valid + "    demos: [{question: \"a ${Q}\", answer: b}]\n",
            code: .undefinedVariable, line: 7, column: 27, phrase: "environment variable 'Q' is not set"),
        PipelineErrorCase(
            name: "malformed variable", yaml: "name: ${1X}\n" + validStages, code: .invalidValue, line: 1, column: 7,
            phrase: "'${1X}' is not a variable reference"),
        PipelineErrorCase(
            name: "incompatible types",
            yaml: """
                name: t
                stages:
                  - id: split
                    signature: "text -> items: list[str]"
                    inputs: {text: input.text}
                  - id: count
                    signature: "n: int -> total: int"
                    inputs: {n: split.items}
                """,
            code: .typeMismatch, line: 8, column: 17,
            phrase: "input 'n: int' of stage 'count' cannot take 'split.items' of type list[str]"),
        PipelineErrorCase(
            name: "text into a number (the graph refuses it, so the file does too)",
            yaml: """
                name: t
                stages:
                  - id: read
                    signature: "text -> amount"
                    inputs: {text: input.text}
                  - id: double
                    signature: "n: int -> total: int"
                    inputs: {n: read.amount}
                """,
            code: .typeMismatch, line: 8, column: 17,
            phrase: "input 'n: int' of stage 'double' cannot take 'read.amount' of type str"),
    ]

    static let valid = """
        name: t
        stages:
          - id: solve
            signature: "question -> answer"
            inputs:
              question: input.question

        """

    static let validStages = """
        stages:
          - id: solve
            signature: "question -> answer"
            inputs:
              question: input.question

        """

    static let twoStages = """
        name: t
        stages:
          - id: solve
            signature: "question -> answer"
            inputs: {question: input.question}
          - id: check
            signature: "question, draft -> answer"
            inputs:
              draft: solve.answer
              question: input.question

        """

    @Test("each invalid file fails with its code, line, column and message", arguments: errorCases)
    func invalidFile(_ testCase: PipelineErrorCase) throws {
        let error = try #require(Self.error(testCase.yaml, environment: testCase.environment))
        #expect(error.code == testCase.code)
        #expect(error.location == Self.location(testCase.line, testCase.column))
        #expect(error.message.contains(testCase.phrase), "\(error.message)")
        if let suggestion = testCase.suggestion {
            #expect(error.suggestion == suggestion)
        }
        #expect(error.summary.hasPrefix("test.yaml:\(testCase.line):\(testCase.column): error: "))
    }
}
