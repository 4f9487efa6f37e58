/// The version of DSPEx.
///
/// (The module itself is `DSPEx`; no type shares its name, so `DSPEx.Signature` always names the
/// module's type.)
public enum DSPExVersion {
    /// The library's version string.
    public static let current = "0.1.0"
}
