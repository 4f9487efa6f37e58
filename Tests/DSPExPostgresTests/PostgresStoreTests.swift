import DSPEx
import DSPExPostgres
import DSPExProcess
import Foundation
import Testing

extension PostgresServerTests {
    /// What only the PostgreSQL store does: share one database between stores, refuse a wrong password clearly,
    /// commit a cancelled task's writes, and ride out a server restart.
    @Suite(.timeLimit(.minutes(3)), .serialized)
    struct PostgresStoreTests {
        @Test("two stores on one database share runs, results and the LM cache")
        func shared() async throws {
            guard let url = StoreBackend.freshPostgresURL() else { return }
            let first = try await PostgresStore.open(url: url)
            let second = try await PostgresStore.open(url: url)
            defer { _ = first }
            let runID = try await StoreConformanceTests.makeRun(first)
            try await second.insertResults([StoreConformanceTests.result(runID, 0)])
            try await first.storeCachedReplies([LMCacheRecord(key: "k", response: "r")])
            #expect(try await first.resultCount(runID: runID) == 1)
            #expect(try await second.run(named: "run-1")?.id == runID)
            #expect(try await second.cachedReplyText(forKey: "k") == "r")
            await second.close()
            await StoreBackend.drop(first)
        }

        @Test("a wrong password is a cannot-open error naming the database, never the password")
        func wrongPassword() async throws {
            guard let text = StoreBackend.freshPostgresURL() else { return }
            let url = try PostgresURL(text)
            let error = await #expect(throws: StoreError.self) {
                _ = try await PostgresStore.open(url, password: "not-the-password-123")
            }
            #expect(error?.code == .cannotOpen)
            #expect(error?.message.contains(url.description) == true)
            #expect(error?.message.contains("not-the-password-123") == false)
        }

        @Test("a closed store's calls fail as closed")
        func closed() async throws {
            guard let url = StoreBackend.freshPostgresURL() else { return }
            let store = try await PostgresStore.open(url: url)
            try await store.dropSchema()
            await store.close()
            let error = await #expect(throws: StoreError.self) { _ = try await store.runs() }
            #expect(error?.code == .closed)
        }

        @Test("writes from a cancelled task still commit")
        func cancelledWrite() async throws {
            try await StoreBackend.postgres.withStore { store in
                let runID = try await StoreConformanceTests.makeRun(store)
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        withUnsafeCurrentTask { $0?.cancel() }
                        try? await store.insertResults((0..<50).map { StoreConformanceTests.result(runID, $0) })
                    }
                }
                #expect(try await store.resultCount(runID: runID) == 50)
            }
        }

        @Test("writes go on through a server restart (pg_ctl restart): none is lost or doubled")
        func restart() async throws {
            guard FileManager.default.isExecutableFile(atPath: Self.script), StoreBackend.postgresURL != nil,
                ProcessInfo.processInfo.environment["DSPEX_TEST_POSTGRES_RESTART"] != "0"
            else {
                if StoreBackend.postgresURL == nil { _ = StoreBackend.freshPostgresURL() }
                return
            }
            try await StoreBackend.postgres.withStore { store in
                let runID = try await StoreConformanceTests.makeRun(store)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for batch in 0..<60 {
                            try await store.insertResults(
                                (0..<10).map { StoreConformanceTests.result(runID, batch * 10 + $0) })
                            try await Task.sleep(for: .milliseconds(20))
                        }
                    }
                    group.addTask {
                        try await Task.sleep(for: .milliseconds(200))
                        let restart = try SpawnedProcess.start(URL(fileURLWithPath: Self.script), ["restart"])
                        #expect(await restart.wait(timeout: 60) == .exited(0), "\(restart.stderr)")
                    }
                    try await group.waitForAll()
                }
                #expect(try await store.resultCount(runID: runID) == 600)
                #expect(try await store.results(runID: runID).map(\.exampleIndex) == Array(0..<600))
            }
        }

        /// scripts/postgres.sh, which manages the test server.
        static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/postgres.sh").path
    }
}
