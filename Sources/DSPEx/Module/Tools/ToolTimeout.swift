/// Runs a tool call against a deadline in one task group: the first of the call and the timer to finish wins and
/// the other is cancelled. A tool's body must honour cancellation (``MCPTool`` cancels its request on the server).
enum ToolTimeout {
    static func run(_ tool: some Tool, _ arguments: ToolArguments, within timeout: Duration) async throws -> Value {
        let name = tool.name
        return try await withThrowingTaskGroup(of: Value.self) { group in
            group.addTask { try await tool.call(arguments) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw ToolError(
                    code: .timedOut, tool: name, message: "the call took longer than its timeout of \(timeout)")
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else {
                throw ToolError(code: .cancelled, tool: name, message: "the call was cancelled")
            }
            return first
        }
    }
}
