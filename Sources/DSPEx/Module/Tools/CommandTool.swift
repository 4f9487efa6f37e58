import DSPExProcess
import Foundation
import OrderedCollections

/// A built-in tool that runs a local program with a fixed argument list — no shell: each `{name}` in an argument
/// is replaced by the value of the tool's parameter `name` — and returns its standard output. A non-zero exit is a
/// tool error carrying standard error; a run past ``commandTimeout`` is stopped (SIGTERM, then SIGKILL).
///
/// ```swift
/// let wc = try CommandTool(name: "count_words", argv: ["wc", "-w", "{path}"],
///                          parameters: [ToolParameter("path", type: .string)])
/// ```
public struct CommandTool: Tool {
    public var name: String
    public var description: String?
    public var arguments: OrderedDictionary<String, Value>
    /// The program and its arguments, with `{parameter}` placeholders.
    public var argv: [String]
    /// The longest the program may run.
    public var commandTimeout: Duration
    /// The most bytes of output returned to the model.
    public var maxBytes: Int

    /// Creates the tool.
    ///
    /// - Throws: ``ToolError`` (`bad_declaration`) for an empty `argv`, a program that is not found, or a
    ///   placeholder that names no parameter.
    public init(
        name: String, description: String? = nil, argv: [String], parameters: [ToolParameter] = [],
        timeout: Duration = .seconds(10), maxBytes: Int = 100_000
    ) throws(ToolError) {
        try FunctionTool.checkName(name)
        guard let program = argv.first else {
            throw ToolError(code: .badDeclaration, tool: name, message: "argv must name a program")
        }
        guard ExecutablePath.find(program) != nil else {
            throw ToolError(code: .badDeclaration, tool: name, message: "cannot find the program '\(program)'")
        }
        let names = Set(parameters.map(\.name))
        for argument in argv {
            for placeholder in Self.placeholders(in: argument) where !names.contains(placeholder) {
                throw ToolError(
                    code: .badDeclaration, tool: name,
                    message: "argv uses {\(placeholder)}, which is not a parameter of the tool")
            }
        }
        let tool = try FunctionTool(name: name, parameters: parameters) { _ in .null }
        self.name = name
        self.description = description ?? "Runs \(program)."
        self.arguments = tool.arguments
        self.argv = argv
        self.commandTimeout = timeout
        self.maxBytes = maxBytes
    }

    public func call(_ arguments: ToolArguments) async throws -> Value {
        let filled = argv.map { argument in
            var argument = argument
            for (key, value) in arguments.values {
                argument = argument.replacingOccurrences(of: "{\(key)}", with: value.plainText)
            }
            return argument
        }
        guard let executable = ExecutablePath.find(filled[0]) else {
            throw ToolError(code: .failed, tool: name, message: "cannot find the program '\(filled[0])'")
        }
        let child = try SpawnedProcess.start(executable, Array(filled.dropFirst()))
        let ended = await withTaskCancellationHandler {
            await child.wait(timeout: commandTimeout.seconds)
        } onCancel: {
            child.send(SIGKILL)
        }
        let output = String(child.stdout.utf8.prefix(maxBytes)) ?? ""
        switch ended {
        case .exited(0): return .string(output.trimmingCharacters(in: .whitespacesAndNewlines))
        case .exited(let status):
            throw ToolError(
                code: .failed, tool: name,
                message: "\(filled[0]) exited with status \(status): \(child.stderr.prefix(2_000))")
        case .signalled(let signal):
            throw ToolError(
                code: .timedOut, tool: name,
                message: "\(filled[0]) was stopped by signal \(signal) (timeout \(commandTimeout))")
        }
    }

    private static func placeholders(in argument: String) -> [String] {
        var names: [String] = []
        var rest = Substring(argument)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            names.append(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }
}
