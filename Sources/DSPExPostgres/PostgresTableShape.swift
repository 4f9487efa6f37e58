/// One table of the PostgreSQL store as its statements see it: its columns and their types, for writing records
/// as JSON (`jsonb_to_recordset`) and reading them back as JSON (`to_jsonb`), through the records' `Codable`
/// conformances.
///
/// Dates travel as seconds since 1970 and bytes as base64, which the store's JSON coders expect.
struct PostgresTableShape: Sendable {
    /// A column's PostgreSQL type.
    enum ColumnType: String, Sendable {
        case bigint
        case integer
        case text
        case double = "double precision"
        case timestamp = "timestamptz"
        case bytes = "bytea"

        /// The type the column has in a JSON record set.
        var recordsetType: String {
            switch self {
            case .timestamp: "double precision"
            case .bytes: "text"
            default: rawValue
            }
        }
    }

    /// The table's quoted name.
    let table: String
    /// The columns, in the record's order.
    let columns: [(name: String, type: ColumnType)]

    init(_ table: String, _ columns: [(name: String, type: ColumnType)]) {
        self.table = "\"\(table)\""
        self.columns = columns
    }

    /// The quoted column names, comma-separated.
    var columnList: String { columns.map { "\"\($0.name)\"" }.joined(separator: ", ") }

    /// `FROM jsonb_to_recordset($n::jsonb) AS x(…)`, reading an array of the records encoded as JSON.
    func recordset(parameter: Int = 1) -> String {
        let definitions = columns.map { "\"\($0.name)\" \($0.type.recordsetType)" }.joined(separator: ", ")
        return "jsonb_to_recordset($\(parameter)::jsonb) AS x(\(definitions))"
    }

    /// The record set's columns converted to the table's types.
    var recordsetValues: String {
        columns.map { column in
            switch column.type {
            case .timestamp: "to_timestamp(x.\"\(column.name)\")"
            case .bytes: "decode(x.\"\(column.name)\", 'base64')"
            default: "x.\"\(column.name)\""
            }
        }.joined(separator: ", ")
    }

    /// An insert of the records in `$parameter` (a JSON array); on a conflict over `key`, the other columns are
    /// replaced (an upsert) unless `update` is false.
    func insert(parameter: Int = 1, conflict key: [String]? = nil, update: Bool = true) -> String {
        var sql =
            "INSERT INTO \(table) (\(columnList)) SELECT \(recordsetValues) FROM \(recordset(parameter: parameter))"
        if let key {
            let quoted = key.map { "\"\($0)\"" }.joined(separator: ", ")
            let others = columns.map(\.name).filter { !key.contains($0) }
            if update, !others.isEmpty {
                let assignments = others.map { "\"\($0)\" = excluded.\"\($0)\"" }.joined(separator: ", ")
                sql += " ON CONFLICT (\(quoted)) DO UPDATE SET \(assignments)"
            } else {
                sql += " ON CONFLICT (\(quoted)) DO NOTHING"
            }
        }
        return sql
    }

    /// A row of the table aliased `alias` as JSON text the record decodes from.
    func json(_ alias: String) -> String {
        let converted = columns.compactMap { column -> String? in
            switch column.type {
            case .timestamp: "'\(column.name)', extract(epoch FROM \(alias).\"\(column.name)\")"
            case .bytes: "'\(column.name)', translate(encode(\(alias).\"\(column.name)\", 'base64'), E'\\n', '')"
            default: nil
            }
        }
        let base = "to_jsonb(\(alias))"
        return converted.isEmpty
            ? "\(base)::text" : "(\(base) || jsonb_build_object(\(converted.joined(separator: ", "))))::text"
    }
}

extension PostgresTableShape {
    static let run = PostgresTableShape(
        "run",
        [
            ("id", .bigint), ("name", .text), ("kind", .text), ("pipeline", .text), ("pipelineHash", .text),
            ("datasetHash", .text), ("config", .text), ("status", .text), ("createdAt", .timestamp),
            ("updatedAt", .timestamp), ("totals", .text), ("plan", .text), ("workerPid", .bigint),
            ("workerHost", .text),
        ])
    static let result = PostgresTableShape(
        "result",
        [
            ("runId", .bigint), ("exampleId", .text), ("exampleIndex", .bigint), ("outputs", .text),
            ("score", .double), ("error", .text), ("errorKind", .text), ("lmCalls", .bigint), ("cachedCalls", .bigint),
            ("failedCalls", .bigint), ("requests", .bigint), ("promptTokens", .bigint),
            ("completionTokens", .bigint), ("latencyMs", .double),
        ])
    static let exampleStage = PostgresTableShape(
        "exampleStage",
        [
            ("runId", .bigint), ("exampleId", .text), ("position", .bigint), ("stage", .text), ("inputs", .text),
            ("outputs", .text), ("calls", .text), ("callCount", .bigint), ("fallback", .text), ("error", .text),
            ("rawReply", .text),
        ])
    static let compileStep = PostgresTableShape(
        "compileStep", [("runId", .bigint), ("key", .text), ("value", .text), ("createdAt", .timestamp)])
    static let compileResult = PostgresTableShape(
        "compileResult",
        [
            ("runId", .bigint), ("step", .text), ("exampleId", .text), ("exampleIndex", .bigint), ("outputs", .text),
            ("score", .double), ("error", .text), ("trace", .text), ("lmCalls", .bigint), ("cachedCalls", .bigint),
            ("failedCalls", .bigint), ("requests", .bigint), ("promptTokens", .bigint),
            ("completionTokens", .bigint),
        ])
    static let program = PostgresTableShape(
        "program",
        [("id", .bigint), ("runId", .bigint), ("name", .text), ("json", .text), ("createdAt", .timestamp)])
    static let lmCache = PostgresTableShape(
        "lmCache", [("keyHash", .bigint), ("key", .text), ("response", .text), ("createdAt", .timestamp)])
    static let embeddingCache = PostgresTableShape(
        "embeddingCache", [("keyHash", .bigint), ("key", .text), ("embedding", .bytes), ("createdAt", .timestamp)])
    static let shard = PostgresTableShape(
        "shard",
        [
            ("runId", .bigint), ("shard", .bigint), ("firstIndex", .bigint), ("endIndex", .bigint), ("status", .text),
            ("leaseOwner", .text), ("leaseExpires", .timestamp), ("claims", .bigint), ("finishedBy", .text),
        ])
    static let worker = PostgresTableShape(
        "worker",
        [
            ("id", .text), ("host", .text), ("pid", .bigint), ("startedAt", .timestamp), ("heartbeatAt", .timestamp),
            ("runId", .bigint),
        ])
}
