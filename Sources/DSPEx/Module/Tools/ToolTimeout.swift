/// Runs a tool call against a deadline: the first of the call and the timer to finish wins, the other is cancelled.
enum ToolTimeout {
    static func run(_ tool: some Tool, _ arguments: ToolArguments, within timeout: Duration) async throws -> Value {
        try await withThrowingTaskGroup(of: Value?.self) { group in
            group.addTask { try await tool.call(arguments) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw ToolError(
                    code: .timedOut, tool: tool.name, message: "the call took longer than its timeout of \(timeout)")
            }
            return value
        }
    }
}
