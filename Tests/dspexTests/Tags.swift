import Testing

extension Tag {
    /// End-to-end tests: the `dspex` executable run as a process against real servers (every suite here).
    @Tag static var integration: Self
}
