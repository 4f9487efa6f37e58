import DSPEx
import Foundation
import Testing

@Suite struct DatasetTests {
    static let fixtures = Fixtures.folder("datasets")

    /// A dataset over a fixture, named relative to the fixtures folder so errors show just the file name.
    static func fixture(_ name: String, _ configuration: Dataset.Configuration = .init()) -> Dataset {
        Dataset(url: URL(fileURLWithPath: name, relativeTo: fixtures), configuration: configuration)
    }

    /// Writes `bytes` to `name` in a new temporary folder, runs `body` with its URL (relative to the folder, so
    /// errors show just the name) and deletes the folder.
    static func withTemporaryFile<T>(
        _ name: String, bytes: [UInt8], _ body: (URL) async throws -> T
    ) async throws -> T {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("DatasetTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = URL(fileURLWithPath: name, relativeTo: folder)
        try Data(bytes).write(to: url)
        return try await body(url)
    }

    static func withTemporaryFile<T>(
        _ name: String, _ text: String, _ body: (URL) async throws -> T
    ) async throws -> T {
        try await withTemporaryFile(name, bytes: Array(text.utf8), body)
    }

    /// Reads examples until the first error; returns the ids yielded and the error (if any), and checks that
    /// the iterator is finished after it.
    static func readUntilError(_ dataset: Dataset) async -> (ids: [String], error: DatasetError?) {
        var ids: [String] = []
        var iterator = dataset.rows().makeAsyncIterator()
        do {
            while let example = try await iterator.next() { ids.append(example.id) }
            return (ids, nil)
        } catch {
            let after = try? await iterator.next()
            #expect(after == nil, "the iterator yields nothing after an error")
            return (ids, error)
        }
    }

    @Test("JSONL rows arrive in file order with ids, input keys and their key order")
    func jsonlRowsInOrder() async throws {
        let dataset = Self.fixture("qa.jsonl", .init(inputKeys: ["question"], requiredFields: ["question", "answer"]))
        let examples = try await dataset.examples()

        #expect(examples.map(\.id) == ["q1", "7", "4"])
        #expect(examples.map { $0.inputKeys } == [["question"], ["question"], ["question"]])
        #expect(examples[0].inputs == ["question": "What is 2 + 3?"])
        #expect(examples[0].labels == ["id": "q1", "answer": "5"])
        #expect(Array(examples[1].values.keys) == ["answer", "question", "id"])
        #expect(examples[1]["id"] == .int(7))
        #expect(examples[2]["tags"] == ["play", "author"])
    }

    @Test("the id comes from the configured id field, else the row number")
    func idField() async throws {
        let byQuestion = try await Self.fixture("qa.jsonl", .init(idField: "question")).examples()
        #expect(byQuestion.map(\.id) == ["What is 2 + 3?", "Capital of France?", "Who wrote Hamlet?"])

        let byMissingField = try await Self.fixture("qa.jsonl", .init(idField: "key")).examples()
        #expect(byMissingField.map(\.id) == ["1", "2", "4"])
    }

    @Test("CSV cells keep quoted commas, escaped quotes and newlines")
    func csvQuoting() async throws {
        let dataset = Self.fixture("qa.csv", .init(inputKeys: ["question"], requiredFields: ["question"]))
        let examples = try await dataset.examples()

        #expect(examples.map(\.id) == ["a1", "a2", "3"])
        #expect(examples[0].values == ["id": "a1", "question": "Hello, world?", "answer": "He said \"hi\""])
        #expect(examples[1]["question"] == "Two\nlines")
        #expect(examples[1]["answer"] == "plain")
        #expect(examples[2].values == ["id": "", "question": "no id", "answer": "ends, here"])
        #expect(examples[2].inputs == ["question": "no id"])
    }

    @Test("CSV errors name the record and the physical line it starts on")
    func csvLineNumbers() async throws {
        let text = "id,question,answer\n\na1,\"multi\nline\r\ncell\",x\nonly,two\n"
        let (ids, error) = try await Self.withTemporaryFile("rows.csv", text) { url in
            await Self.readUntilError(Dataset(url: url))
        }
        #expect(ids == ["a1"])
        let failure = try #require(error)
        #expect(failure.code == .invalidCSV)
        #expect(failure.row == 2)
        #expect(failure.line == 6)
        #expect(failure.description == "rows.csv: row 2 (line 6) has 2 cells but the header has 3 columns")
    }

    @Test("CRLF line endings, a UTF-8 byte order mark and a last line without newline are read")
    func crlfAndBOM() async throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let jsonl = "{\"q\": \"one\"}\r\n\r\n{\"q\": \"two\"}\r\n{\"q\": \"three\"}"
        let jsonlExamples = try await Self.withTemporaryFile("crlf.jsonl", bytes: bom + Array(jsonl.utf8)) { url in
            try await Dataset(url: url, configuration: .init(requiredFields: ["q"])).examples()
        }
        #expect(jsonlExamples.map { $0["q"] } == ["one", "two", "three"])
        #expect(jsonlExamples.map(\.id) == ["1", "3", "4"])

        let csv = "\"q\",a\r\none,\"1\r\n2\"\r\n\r\ntwo,2"
        let csvExamples = try await Self.withTemporaryFile("crlf.csv", bytes: bom + Array(csv.utf8)) { url in
            try await Dataset(url: url, configuration: .init(requiredFields: ["q", "a"])).examples()
        }
        #expect(csvExamples.map(\.values) == [["q": "one", "a": "1\r\n2"], ["q": "two", "a": "2"]])
        #expect(csvExamples.map(\.id) == ["1", "2"])
    }

    @Test("blank lines are skipped and not counted as bad rows")
    func blankLines() async throws {
        let jsonl = "\n{\"q\": 1}\n   \n\t\n\n{\"q\": 2}\n\n"
        let rows = try await Self.withTemporaryFile("blank.ndjson", jsonl) { url in
            let rows = Dataset(url: url, configuration: .init(onBadRow: .skip)).rows()
            var ids: [String] = []
            for try await example in rows { ids.append(example.id) }
            #expect(ids == ["2", "6"])
            return rows
        }
        #expect(rows.skippedRowCount == 0)

        let csv = "\nq\n\n1\n  \n2\n\n"
        let examples = try await Self.withTemporaryFile("blank.csv", csv) { url in
            try await Dataset(url: url).examples()
        }
        #expect(examples.map { $0["q"] } == ["1", "2"])
    }

    @Test("an invalid JSON row stops reading with its file, row and column after the rows before it")
    func invalidJSONStops() async throws {
        let (ids, error) = await Self.readUntilError(Self.fixture("invalid_row.jsonl"))

        #expect(ids == ["r1", "r2"])
        let failure = try #require(error)
        #expect(failure.code == .invalidJSON)
        #expect(failure.file == "invalid_row.jsonl")
        #expect(failure.row == 3)
        #expect(failure.column == 34)
        #expect(failure.description == "invalid_row.jsonl:3: row 3 is not valid JSON at column 34: expected ',' or '}'")
    }

    @Test("a JSONL row that is valid JSON but not an object is a bad row")
    func notAnObject() async throws {
        let (ids, error) = try await Self.withTemporaryFile("list.jsonl", "{\"a\": 1}\n[1, 2]\n") { url in
            await Self.readUntilError(Dataset(url: url))
        }
        #expect(ids == ["1"])
        #expect(error?.code == .notAnObject)
        #expect(error?.description == "list.jsonl:2: row 2 is a JSON array, not an object")
    }

    @Test("a missing or null required field is an error naming the field and row")
    func missingRequiredField() async throws {
        let configuration = Dataset.Configuration(requiredFields: ["question", "answer"])
        let jsonl = "{\"question\": \"a\", \"answer\": \"b\"}\n{\"question\": \"c\"}\n"
        let missing = try await Self.withTemporaryFile("dev.jsonl", jsonl) { url in
            await Self.readUntilError(Dataset(url: url, configuration: configuration))
        }
        #expect(missing.ids == ["1"])
        #expect(missing.error?.code == .missingField)
        #expect(missing.error?.field == "answer")
        #expect(missing.error?.description == "dev.jsonl:2: row 2 has no value for required field 'answer'")

        let null = try await Self.withTemporaryFile("dev.jsonl", "{\"question\": null, \"answer\": \"b\"}\n") { url in
            await Self.readUntilError(Dataset(url: url, configuration: configuration))
        }
        #expect(null.error?.field == "question")
        #expect(null.error?.row == 1)

        let csv = "question,answer\na,b\n\"multi\nline\",c\nd,e\n,f\n"
        let empty = try await Self.withTemporaryFile("dev.csv", csv) { url in
            await Self.readUntilError(Dataset(url: url, configuration: configuration))
        }
        #expect(empty.ids == ["1", "2", "3"])
        #expect(empty.error?.description == "dev.csv: row 4 (line 6) has no value for required field 'question'")
    }

    @Test("a CSV header without a required column is an error before any row")
    func csvHeaderMissingRequiredColumn() async throws {
        let (ids, error) = try await Self.withTemporaryFile("dev.csv", "question\nq1\n") { url in
            await Self.readUntilError(Dataset(url: url, configuration: .init(requiredFields: ["answer"])))
        }
        #expect(ids.isEmpty)
        #expect(error?.code == .missingField)
        #expect(error?.description == "dev.csv:1: the header has no column for required field 'answer'")
    }

    @Test("a CSV header with an empty or repeated name is an error naming the column")
    func csvHeaderNames() async throws {
        let repeated = try await Self.withTemporaryFile("dev.csv", "q,a,q\n1,2,3\n") { url in
            await Self.readUntilError(Dataset(url: url, configuration: .init(onBadRow: .skip)))
        }
        #expect(repeated.error?.code == .invalidCSV)
        #expect(repeated.error?.column == 3)
        #expect(repeated.error?.description == "dev.csv:1: the header names column 'q' twice (columns 1 and 3)")

        let empty = try await Self.withTemporaryFile("dev.csv", "\nq,,a\n1,2,3\n") { url in
            await Self.readUntilError(Dataset(url: url))
        }
        #expect(empty.error?.description == "dev.csv:2: column 2 of the header has no name")

        let none = try await Self.withTemporaryFile("empty.csv", "") { url in
            await Self.readUntilError(Dataset(url: url))
        }
        #expect(none.error?.description == "empty.csv: has no header row")
    }

    @Test("skip leaves bad rows out and reports how many and which")
    func skipReportsRows() async throws {
        let jsonl = "{\"q\": 1}\nnot json\n{\"q\": 2}\n{\"x\": 3}\n[4]\n{\"q\": 5}\n"
        let configuration = Dataset.Configuration(requiredFields: ["q"], onBadRow: .skip)
        try await Self.withTemporaryFile("mixed.jsonl", jsonl) { url in
            let dataset = Dataset(url: url, configuration: configuration)
            let rows = dataset.rows()
            var ids: [String] = []
            for try await example in rows { ids.append(example.id) }
            #expect(ids == ["1", "3", "6"])
            #expect(rows.skippedRowCount == 3)
            #expect(rows.skippedRows.map(\.row) == [2, 4, 5])
            #expect(rows.skippedRows.map(\.code) == [.invalidJSON, .missingField, .notAnObject])

            let loaded = try await dataset.load()
            #expect(loaded.examples.map(\.id) == ["1", "3", "6"])
            #expect(loaded.skippedRows == rows.skippedRows)
        }

        let many = String(repeating: "{}\n", count: DatasetRows.maximumReportedSkips + 500)
        let manyRows = try await Self.withTemporaryFile("many.jsonl", many) { url in
            let rows = Dataset(url: url, configuration: configuration).rows()
            for try await _ in rows {}
            return rows
        }
        #expect(manyRows.skippedRowCount == DatasetRows.maximumReportedSkips + 500)
        #expect(manyRows.skippedRows.count == DatasetRows.maximumReportedSkips)

        let csv = "q,a\n1,2\n3\n4,5,6\n7,8\n"
        let loaded = try await Self.withTemporaryFile("mixed.csv", csv) { url in
            try await Dataset(url: url, configuration: .init(onBadRow: .skip)).load()
        }
        #expect(loaded.examples.map { $0["q"] } == ["1", "7"])
        #expect(
            loaded.skippedRows.map(\.description) == [
                "mixed.csv: row 2 (line 3) has 1 cell but the header has 2 columns",
                "mixed.csv: row 3 (line 4) has 3 cells but the header has 2 columns",
            ])
    }

    @Test("a 200,000-row JSONL file streams to the end")
    func largeFileStreams() async throws {
        let count = 200_000
        var text = ""
        text.reserveCapacity(count * 40)
        for index in 1...count {
            text += "{\"id\": \(index), \"answer\": \"\(index + 1)\"}\n"
        }
        let bytes = Array(text.utf8)
        text = ""
        let (rows, lastID) = try await Self.withTemporaryFile("large.jsonl", bytes: bytes) { url in
            var rows = 0
            var lastID = ""
            for try await example in Dataset(url: url, configuration: .init(requiredFields: ["answer"])).rows() {
                rows += 1
                lastID = example.id
            }
            return (rows, lastID)
        }
        #expect(rows == count)
        #expect(lastID == String(count))
    }

    @Test("rows longer than the 64 KiB read chunk are read whole")
    func longRows() async throws {
        let long = String(repeating: "abcdefghij", count: 20_000)
        let jsonl = "{\"q\": \"short\"}\n{\"q\": \"\(long)\"}\n{\"q\": \"last\"}\n{bad\n"
        let jsonlResult = try await Self.withTemporaryFile("long.jsonl", jsonl) { url in
            await Self.readUntilError(Dataset(url: url))
        }
        #expect(jsonlResult.ids == ["1", "2", "3"])
        #expect(jsonlResult.error?.row == 4)

        let cell = String(repeating: "line, \"\"quoted\"\"\n", count: 10_000)
        let csv = "q,a\nfirst,1\n\"\(cell)\",2\nlast,3\nbad\n"
        let (examples, skipped) = try await Self.withTemporaryFile("long.csv", csv) { url in
            try await Dataset(url: url, configuration: .init(onBadRow: .skip)).load()
        }
        #expect(examples.map { $0["a"] } == ["1", "2", "3"])
        #expect(examples[1]["q"]?.stringValue?.count == cell.count - 20_000)
        #expect(skipped.map(\.description) == ["long.csv: row 4 (line 10005) has 1 cell but the header has 2 columns"])
    }

    @Test("invalid UTF-8 is a bad JSONL row but ends a CSV file")
    func invalidUTF8() async throws {
        let jsonl = Array("{\"q\": 1}\n{\"q\": \"".utf8) + [0xFF, 0xFE] + Array("\"}\n{\"q\": 3}\n".utf8)
        let (examples, skipped) = try await Self.withTemporaryFile("bytes.jsonl", bytes: jsonl) { url in
            try await Dataset(url: url, configuration: .init(onBadRow: .skip)).load()
        }
        #expect(examples.map(\.id) == ["1", "3"])
        #expect(skipped.map(\.description) == ["bytes.jsonl:2: row 2 is not valid UTF-8"])

        let csv = Array("q,a\n1,2\n3,".utf8) + [0xFF] + Array("4\n5,6\n".utf8)
        let (ids, error) = try await Self.withTemporaryFile("bytes.csv", bytes: csv) { url in
            await Self.readUntilError(Dataset(url: url, configuration: .init(onBadRow: .skip)))
        }
        #expect(ids == ["1"])
        #expect(error?.code == .invalidCSV)
        #expect(error?.description == "bytes.csv: row 2 (line 3) is not valid UTF-8")
    }

    @Test("malformed CSV quoting stops reading at its record, whatever the policy")
    func malformedQuoting() async throws {
        let skip = Dataset.Configuration(onBadRow: .skip)
        let stray = try await Self.withTemporaryFile("stray.csv", "q,a\n1,2\n\"ab\"x,3\n4,5\n") { url in
            await Self.readUntilError(Dataset(url: url, configuration: skip))
        }
        #expect(stray.ids == ["1"])
        #expect(stray.error?.code == .invalidCSV)
        #expect(
            stray.error?.description
                == "stray.csv: row 2 (line 3) has text after a closing quote at column 5 "
                + "(write a quote inside a quoted cell as \"\")")

        let unclosed = try await Self.withTemporaryFile("open.csv", "q,a\n1,2\n3,\"open\n4,5\n6,7\n") { url in
            await Self.readUntilError(Dataset(url: url, configuration: skip))
        }
        #expect(unclosed.ids == ["1"])
        #expect(unclosed.error?.description == "open.csv: row 2 (line 3) has a quote at column 3 that is never closed")

        let header = try await Self.withTemporaryFile("header.csv", "q,\"a\"b\n1,2\n") { url in
            await Self.readUntilError(Dataset(url: url))
        }
        #expect(header.error?.line == 1)
        #expect(header.error?.column == 6)
    }

    @Test("limit stops after that many examples without reading further rows")
    func limit() async throws {
        let limited = await Self.readUntilError(Self.fixture("invalid_row.jsonl", .init(limit: 2)))
        #expect(limited.ids == ["r1", "r2"])
        #expect(limited.error == nil)

        let none = try await Self.fixture("qa.jsonl", .init(limit: 0)).examples()
        #expect(none.isEmpty)
    }

    @Test("an unknown file extension is an error unless the format is configured")
    func unknownExtension() async throws {
        let text = "{\"q\": 1}\n"
        let (error, examples) = try await Self.withTemporaryFile("data.txt", text) { url in
            let error = await Self.readUntilError(Dataset(url: url)).error
            let examples = try await Dataset(url: url, configuration: .init(format: .jsonl)).examples()
            return (error, examples)
        }
        #expect(error?.code == .unknownFormat)
        #expect(
            error?.description.hasPrefix("data.txt: cannot tell the dataset format from the extension '.txt'") == true)
        #expect(examples.count == 1)
        #expect(Dataset.Format(fileExtension: "JSON-LINES") == .jsonl)
        #expect(Dataset.Format(fileExtension: "json") == nil)
    }

    @Test("a missing file is an unreadable-file error naming it")
    func missingFile() async throws {
        let (_, error) = await Self.readUntilError(Self.fixture("nope.csv"))
        #expect(error?.code == .unreadableFile)
        #expect(error?.description == "nope.csv: does not exist")
        #expect(throws: DatasetError.self) { try Self.fixture("nope.csv").contentHash() }
    }

    @Test("the content hash is stable and changes when one byte changes")
    func contentHash() async throws {
        let original = try Self.fixture("qa.jsonl").contentHash()
        #expect(original.count == 64)
        #expect(try Self.fixture("qa.jsonl").contentHash() == original)

        var bytes = try Array(Data(contentsOf: Self.fixtures.appendingPathComponent("qa.jsonl")))
        let copy = try await Self.withTemporaryFile("copy.jsonl", bytes: bytes) { url in
            try Dataset(url: url).contentHash()
        }
        #expect(copy == original)

        bytes[10] ^= 0x01
        let changed = try await Self.withTemporaryFile("copy.jsonl", bytes: bytes) { url in
            try Dataset(url: url).contentHash()
        }
        #expect(changed != original)

        let empty = try await Self.withTemporaryFile("empty.jsonl", bytes: []) { url in
            try Dataset(url: url).contentHash()
        }
        #expect(empty == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
