import ArgumentParser
import DSPEx

/// Prints a library error as the user should read it (its own located description, no stack) and exits 1.
enum CommandFailure {
    /// Runs `body`, turning DSPEx's errors into a one-line message on standard error and exit status 1.
    static func reporting<R>(_ body: () async throws -> R) async throws -> R {
        do {
            return try await body()
        } catch let error as ExitCode {
            throw error
        } catch let error as ValidationError {
            throw error
        } catch is CancellationError {
            Console.error("cancelled")
            throw ExitCode(130)
        } catch {
            Console.error("error: \(error)")
            throw ExitCode.failure
        }
    }
}
