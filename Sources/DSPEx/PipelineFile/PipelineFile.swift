import Crypto
import Foundation
import Yams

/// Reads pipeline definition files — YAML that names the LM, the stages and how they connect —
/// into a validated ``PipelineSpec``.
///
/// Use ``load(path:environment:)`` for a file on disk and ``parse(_:file:environment:)`` for
/// text you already hold. Either returns a spec in which every reference resolves and every
/// type fits, or throws the first ``PipelineFileError``, located at the line and column of the
/// problem. The format is described in the article <doc:PipelineFileFormat>.
///
/// ```swift
/// do {
///     let spec = try PipelineFile.load(path: "pipelines/arithmetic.yaml")
///     print(spec.stages.map(\.id))
/// } catch {
///     print(error) // pipelines/arithmetic.yaml:7:5: error: unknown key 'signatrue' in stage 'solve'; ...
/// }
/// ```
public enum PipelineFile {
    /// Reads, parses and validates the pipeline file at `path`.
    ///
    /// - Parameters:
    ///   - path: The file's path; it is also the file name in error locations.
    ///   - environment: The variables `${VAR}` expands from; the process environment by default.
    /// - Throws: ``PipelineFileError`` with code `unreadable_file` when the file cannot be read,
    ///   or any error of ``parse(_:file:environment:)``.
    public static func load(
        path: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(PipelineFileError) -> PipelineSpec {
        try parse(readText(path), file: path, environment: environment)
    }

    /// Parses and validates pipeline-file text.
    ///
    /// - Parameters:
    ///   - text: The YAML text.
    ///   - file: The name used in error locations and kept in ``PipelineSpec/file``.
    ///   - environment: The variables `${VAR}` expands from.
    /// - Throws: ``PipelineFileError`` for the first problem: invalid YAML, an unknown key, a
    ///   value of the wrong type, a missing key, a bad signature, a reference to an unknown
    ///   stage or field, a cycle, an unset variable, or incompatible types.
    public static func parse(
        _ text: String, file: String, environment: [String: String]
    ) throws(PipelineFileError) -> PipelineSpec {
        let reader = NodeReader(file: file, text: text, environment: environment)
        let root: Node?
        do {
            // The basic resolver: scalars are typed by NodeReader (YAML 1.2 core schema), so Yams need not compile
            // its regular expressions for tags at start-up.
            root = try Yams.compose(yaml: text, .basic)
        } catch let error as YamlError {
            throw PipelineFileError(yamlError: error, reader: reader)
        } catch {
            throw reader.error(
                .syntax, "invalid YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
        }
        let spec = try PipelineFileDecoder(reader: reader).decode(
            root, contentHash: contentHash(of: text, environment: environment))
        try PipelineGraphValidator(reader: reader).validate(spec)
        return spec
    }

    /// The SHA-256 (lowercase hex) of a pipeline file's text after variable expansion.
    ///
    /// Runs record it so that resuming refuses a pipeline that changed since, including a change
    /// made through an environment variable. References that cannot be expanded (in comments,
    /// say) are hashed as written.
    public static func contentHash(of text: String, environment: [String: String]) -> String {
        let expanded = VariableExpander(environment: environment).expandLeniently(text)
        return SHA256.hexDigest(of: expanded.utf8)
    }

    /// The file's text; throws `unreadable_file` at line 1, column 1 of the path.
    private static func readText(_ path: String) throws(PipelineFileError) -> String {
        let location = SourceLocation(file: path, line: 1, column: 1)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw PipelineFileError(code: .unreadableFile, message: "no such pipeline file", location: location)
        }
        guard !isDirectory.boolValue else {
            throw PipelineFileError(
                code: .unreadableFile, message: "this is a directory, not a pipeline file", location: location)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineFileError(
                code: .unreadableFile, message: "the pipeline file cannot be read (check its permissions)",
                location: location)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PipelineFileError(
                code: .unreadableFile, message: "the pipeline file is not UTF-8 text", location: location)
        }
        return text
    }
}
