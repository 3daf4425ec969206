import Crypto
import CryptoExtras
import Dispatch
public import LedgerCore
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Seals and opens chat text in the `ENC:v1` format with one passphrase (`CONTENT_VAULT_ENC_KEY`).
///
/// `ENC:v1:<salt>:<iv>:<ciphertext+tag>`, each part standard base64 (RFC 4648 §4, with padding, no line
/// breaks):
/// - the key is PBKDF2-HMAC-SHA256 of the passphrase's UTF-8 bytes with the 16-byte salt, 600,000 rounds,
///   32 bytes out;
/// - the text's UTF-8 bytes are sealed with AES-256-GCM under that key and the 12-byte random nonce (the
///   iv), with no additional authenticated data; the last part is the ciphertext followed by the 16-byte tag.
///
/// **Cost.** Deriving a key takes 600,000 HMAC rounds (a few hundred milliseconds), so a cipher derives
/// as few as it can: everything it seals uses one salt chosen when it is made (so one process derives its
/// writing key once), and every key it derives to open text is cached by salt, so listing many messages
/// sealed by one writer derives one key. Sealing and opening a short text then take microseconds.
///
/// **Threading.** Safe to share: the cache sits behind a `Mutex`; a derivation runs outside it. A derivation
/// is CPU work of a few hundred milliseconds: async callers call ``prepareKeys(for:writing:)`` first, which
/// derives the missing keys on threads of their own (several at once), so Swift's cooperative threads are
/// never held; ``encrypt(_:nonce:)`` and ``decrypt(_:)`` then find their keys cached.
public final class ChatCipher: Sendable {
    /// `ENC:v1:`, the prefix of every sealed text.
    public static let prefix = "ENC:v1:"
    /// PBKDF2 rounds of v1.
    public static let rounds = 600_000
    /// Salt length of v1, in bytes.
    public static let saltLength = 16
    /// Nonce (iv) length of v1, in bytes.
    public static let nonceLength = 12

    private let passphrase: [UInt8]
    private let rounds: Int
    private let writingSalt: [UInt8]
    private let keys = Mutex<[[UInt8]: SymmetricKey]>([:])

    /// A cipher for `passphrase`.
    ///
    /// - Parameters:
    ///   - passphrase: the shared secret; its UTF-8 bytes are the PBKDF2 password.
    ///   - writingSalt: the salt for what this cipher seals; default 16 random bytes. Tests pass one to
    ///     make a known-answer vector.
    ///   - rounds: PBKDF2 rounds; anything but the default makes texts other readers cannot open.
    /// - Throws: ``LedgerError/Code/encryptionKeyMissing`` for an empty passphrase;
    ///   ``LedgerError/Code/invalidField`` for a salt that is not 16 bytes.
    public init(passphrase: String, writingSalt: [UInt8]? = nil, rounds: Int = ChatCipher.rounds) throws(LedgerError) {
        guard !passphrase.isEmpty else {
            throw LedgerError(.encryptionKeyMissing, "the encryption key is empty: set CONTENT_VAULT_ENC_KEY")
        }
        var generator = SystemRandomNumberGenerator()
        let salt = writingSalt ?? (0..<Self.saltLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
        guard salt.count == Self.saltLength else {
            throw LedgerError(.invalidField, "an ENC:v1 salt is \(Self.saltLength) bytes, not \(salt.count)")
        }
        self.passphrase = Array(passphrase.utf8)
        self.rounds = rounds
        self.writingSalt = salt
    }

    /// Whether `text` is in the `ENC:v1:` format (by its prefix).
    public static func isEncrypted(_ text: some StringProtocol) -> Bool { text.hasPrefix(prefix) }

    /// Seals `plaintext` into `ENC:v1:<salt>:<iv>:<ciphertext+tag>` with a fresh random nonce.
    ///
    /// - Parameter nonce: 12 bytes to use instead of a random nonce; only for known-answer tests — a nonce
    ///   must never be used twice with one key.
    /// - Throws: ``LedgerError/Code/encryptionFailed`` when the cryptographic library fails (or for a
    ///   `nonce` that is not 12 bytes).
    public func encrypt(_ plaintext: String, nonce: [UInt8]? = nil) throws(LedgerError) -> String {
        let key = try key(for: writingSalt)
        do {
            let n = try nonce.map { try AES.GCM.Nonce(data: $0) } ?? AES.GCM.Nonce()
            let box = try AES.GCM.seal(Array(plaintext.utf8), using: key, nonce: n)
            let iv = Array(n.withUnsafeBytes { Array($0) })
            return Self.prefix
                + [writingSalt, iv, Array(box.ciphertext) + Array(box.tag)].map(Self.base64).joined(
                    separator: ":"
                )
        } catch {
            throw LedgerError(.encryptionFailed, "cannot encrypt the text", cause: String(describing: error))
        }
    }

    /// Opens an `ENC:v1:…` text and returns the plaintext.
    ///
    /// - Throws: ``LedgerError/Code/decryptionFailed`` for text that is not well-formed `ENC:v1`, that was
    ///   changed after sealing, or that was sealed with another key (AES-GCM cannot tell these apart).
    public func decrypt(_ text: String) throws(LedgerError) -> String {
        guard Self.isEncrypted(text) else {
            throw LedgerError(.decryptionFailed, "the text does not start with \(Self.prefix)")
        }
        let parts = text.dropFirst(Self.prefix.count).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let salt = Self.unbase64(parts[0]), let iv = Self.unbase64(parts[1]),
            let sealed = Self.unbase64(parts[2]), salt.count == Self.saltLength, iv.count == Self.nonceLength,
            sealed.count >= 16
        else {
            throw LedgerError(
                .decryptionFailed,
                "malformed ENC:v1 text: expected ENC:v1:<base64 16-byte salt>:<base64 12-byte iv>:<base64 ciphertext+16-byte tag>"
            )
        }
        let key = try key(for: salt)
        do {
            let box = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: iv),
                ciphertext: sealed.dropLast(16),
                tag: sealed.suffix(16)
            )
            let plain = try AES.GCM.open(box, using: key)
            guard let text = String(validating: Array(plain), as: UTF8.self) else {
                throw LedgerError(.decryptionFailed, "the decrypted text is not UTF-8")
            }
            return text
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError(
                .decryptionFailed,
                "cannot decrypt: the text was changed, or sealed with another CONTENT_VAULT_ENC_KEY",
                cause: String(describing: error)
            )
        }
    }

    /// Derives the keys that opening `texts` (and, with `writing`, sealing) will need and that are not cached
    /// yet, each on a thread of its own (a serial Dispatch queue), several at once; returns when they are cached.
    ///
    /// Failures are not reported here: ``decrypt(_:)`` meets them again and throws. Texts that are not
    /// well-formed `ENC:v1` are skipped.
    public func prepareKeys(for texts: some Sequence<String> = [String](), writing: Bool = false) async {
        var salts = Set<[UInt8]>()
        if writing { salts.insert(writingSalt) }
        for text in texts where Self.isEncrypted(text) {
            let parts = text.dropFirst(Self.prefix.count).split(separator: ":", omittingEmptySubsequences: false)
            if parts.count == 3, let salt = Self.unbase64(parts[0]), salt.count == Self.saltLength {
                salts.insert(salt)
            }
        }
        let missing = keys.withLock { cache in salts.filter { cache[$0] == nil } }
        guard !missing.isEmpty else { return }
        await withTaskGroup(of: Void.self) { group in
            for salt in missing {
                group.addTask {
                    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                        // A serial queue of its own is "overcommit": it gets a thread even when every
                        // thread of the shared pool (which also runs Swift's cooperative executor) is busy,
                        // so a long derivation never holds a thread that async work needs.
                        DispatchQueue(label: "agent-ledger.enc-v1.pbkdf2").async {
                            _ = try? self.key(for: salt)
                            done.resume()
                        }
                    }
                }
            }
        }
    }

    /// The key for `salt`, derived once and cached.
    private func key(for salt: [UInt8]) throws(LedgerError) -> SymmetricKey {
        if let cached = keys.withLock({ $0[salt] }) { return cached }
        let derived: SymmetricKey
        do {
            derived = try KDF.Insecure.PBKDF2.deriveKey(
                from: passphrase,
                salt: salt,
                using: .sha256,
                outputByteCount: 32,
                unsafeUncheckedRounds: rounds
            )
        } catch {
            throw LedgerError(.decryptionFailed, "cannot derive the key", cause: String(describing: error))
        }
        keys.withLock { $0[salt] = derived }
        return derived
    }

    /// How many keys have been derived (and cached) so far.
    public var derivedKeyCount: Int { keys.withLock { $0.count } }

    static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    static func unbase64(_ text: Substring) -> [UInt8]? {
        Data(base64Encoded: String(text)).map { Array($0) }
    }
}
