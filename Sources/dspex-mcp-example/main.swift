import Foundation
import MCP

// A small MCP server over standard input and output, shipped for DSPEx's tests and examples: the tools a ReAct
// agent reaches through `mcp:` in a pipeline file.
//
//   add(a, b)          the sum of two integers, as text
//   lookup(key)        a fact from a small table; an unknown key is a tool error (isError)
//   split_words(text)  each word as its own text content (several contents)
//   wait(seconds)      answers "done" after that many seconds (for timeouts and cancellation)
//   exit(status)       ends the server without answering (a server that crashes mid-call)

let facts = [
    "speed_of_light_m_s": "299792458",
    "earth_radius_km": "6371",
    "boiling_point_water_c": "100",
]

let server = Server(
    name: "dspex-mcp-example", version: "1.0.0", capabilities: .init(tools: .init(listChanged: false)))

/// A tool's input schema: an object with these properties (each a JSON-schema type, or a full property schema).
func objectSchema(_ properties: [String: Value], required: [String] = []) -> Value {
    var schema: [String: Value] = ["type": .string("object"), "properties": .object(properties)]
    if !required.isEmpty { schema["required"] = .array(required.map(Value.string)) }
    return .object(schema)
}

await server.withMethodHandler(ListTools.self) { _ in
    .init(tools: [
        Tool(
            name: "add", description: "Adds two integers.",
            inputSchema: objectSchema(
                [
                    "a": .object(["type": .string("integer"), "description": .string("The first addend")]),
                    "b": .object(["type": .string("integer"), "description": .string("The second addend")]),
                ], required: ["a", "b"])),
        Tool(
            name: "lookup", description: "Looks up a physical constant by key.",
            inputSchema: objectSchema(["key": .object(["type": .string("string")])], required: ["key"])),
        Tool(
            name: "split_words", description: "Splits a text into words.",
            inputSchema: objectSchema(["text": .object(["type": .string("string")])], required: ["text"])),
        Tool(
            name: "wait", description: "Answers after the given number of seconds.",
            inputSchema: objectSchema(["seconds": .object(["type": .string("number")])], required: ["seconds"])),
        Tool(
            name: "exit", description: "Ends the server without answering.",
            inputSchema: objectSchema(["status": .object(["type": .string("integer")])])),
    ])
}

await server.withMethodHandler(CallTool.self) { params in
    let arguments = params.arguments ?? [:]
    switch params.name {
    case "add":
        guard let a = arguments["a"]?.intValue, let b = arguments["b"]?.intValue else {
            return .init(
                content: [.text(text: "a and b must be integers", annotations: nil, _meta: nil)], isError: true)
        }
        return .init(content: [.text(text: String(a + b), annotations: nil, _meta: nil)], isError: false)
    case "lookup":
        let key = arguments["key"]?.stringValue ?? ""
        guard let fact = facts[key] else {
            return .init(content: [.text(text: "no entry for '\(key)'", annotations: nil, _meta: nil)], isError: true)
        }
        return .init(content: [.text(text: fact, annotations: nil, _meta: nil)], isError: false)
    case "split_words":
        let words = (arguments["text"]?.stringValue ?? "").split(separator: " ").map(String.init)
        return .init(content: words.map { .text(text: $0, annotations: nil, _meta: nil) }, isError: false)
    case "wait":
        let seconds = arguments["seconds"]?.doubleValue ?? Double(arguments["seconds"]?.intValue ?? 0)
        try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
        return .init(content: [.text(text: "done", annotations: nil, _meta: nil)], isError: false)
    case "exit":
        exit(Int32(arguments["status"]?.intValue ?? 1))
    default:
        return .init(content: [.text(text: "unknown tool \(params.name)", annotations: nil, _meta: nil)], isError: true)
    }
}

// `--http PORT [--port-file PATH]` serves MCP's streamable HTTP (stateless, JSON replies) on 127.0.0.1 instead;
// port 0 picks a free one, written to the port file.
let arguments = CommandLine.arguments
if let flag = arguments.firstIndex(of: "--http"), flag + 1 < arguments.count, let port = Int(arguments[flag + 1]) {
    let transport = StatelessHTTPServerTransport()
    try await server.start(transport: transport)
    let bound = try await ExampleHTTPFront.serve(transport: transport, port: port)
    if let fileFlag = arguments.firstIndex(of: "--port-file"), fileFlag + 1 < arguments.count {
        try String(bound).write(toFile: arguments[fileFlag + 1], atomically: true, encoding: .utf8)
    }
    await server.waitUntilCompleted()
} else {
    try await server.start(transport: StdioTransport())
    await server.waitUntilCompleted()
}
