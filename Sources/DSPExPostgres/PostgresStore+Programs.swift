import DSPEx
import Foundation
import PostgresNIO

extension PostgresStore {
    /// Saves a program's JSON under `name` (a later save of the same name is a new version).
    public func saveProgram(name: String, json: String, runID: Int64?) async throws -> ProgramRecord {
        let now = Date().timeIntervalSince1970
        let saved = try await records(
            ProgramRecord.self, "save program '\(name)'", runID: runID,
            """
            INSERT INTO program ("runId", name, json, "createdAt") VALUES (\(runID), \(name), \(json), to_timestamp(\(now)))
            RETURNING \(unescaped: PostgresTableShape.program.json("program"))
            """)
        guard let record = saved.first else {
            throw StoreError(
                code: .write, message: "could not save program '\(name)' in \(url): nothing was returned",
                path: location)
        }
        return record
    }

    /// The saved programs, oldest first; only the run's when `runID` is given.
    public func programs(runID: Int64?) async throws -> [ProgramRecord] {
        let json = PostgresTableShape.program.json("p")
        if let runID {
            return try await records(
                ProgramRecord.self, "list programs", runID: runID,
                "SELECT \(unescaped: json) FROM program p WHERE p.\"runId\" = \(runID) ORDER BY p.\"createdAt\", p.id")
        }
        return try await records(
            ProgramRecord.self, "list programs",
            "SELECT \(unescaped: json) FROM program p ORDER BY p.\"createdAt\", p.id")
    }

    /// The newest program saved under `name`, or `nil`.
    public func program(named name: String) async throws -> ProgramRecord? {
        try await records(
            ProgramRecord.self, "find program '\(name)'",
            """
            SELECT \(unescaped: PostgresTableShape.program.json("p")) FROM program p WHERE p.name = \(name)
            ORDER BY p."createdAt" DESC, p.id DESC LIMIT 1
            """
        ).first
    }
}
