public import LedgerCore

/// Per-message control flags (seed 004 §1B.3).
public struct MessageFlags: Sendable, Hashable {
    /// Eligible for public rendering (rendering itself is future scope). Default `false`.
    public var publish: Bool
    /// The stored text is `ENC:v1:…`. Stays `true` when a reader decrypts it, so a listing shows which
    /// messages were sealed. Default `false`.
    public var encrypted: Bool

    public init(publish: Bool = false, encrypted: Bool = false) {
        self.publish = publish
        self.encrypted = encrypted
    }

    /// `{"publish":false,"encrypted":false}`.
    public var json: JSONObject {
        ["publish": .bool(publish), "encrypted": .bool(encrypted)]
    }
}
