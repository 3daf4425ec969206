public import LedgerCore

extension LedgerError.Code {
    /// A message that cannot be sent: empty text, text over the size limit, an unknown source.
    public static let invalidMessage = Self("invalid_message")
    /// A thread id outside the pattern, or a thread title or tag that cannot be stored.
    public static let invalidThread = Self("invalid_thread")
    /// Encryption was asked for but `CONTENT_VAULT_ENC_KEY` is set neither in the environment nor in `.env`.
    public static let encryptionKeyMissing = Self("encryption_key_missing")
    /// The cryptographic library could not seal a text.
    public static let encryptionFailed = Self("encryption_failed")
    /// An `ENC:v1` text that is malformed, was tampered with, or was sealed with another key.
    public static let decryptionFailed = Self("decryption_failed")
}
