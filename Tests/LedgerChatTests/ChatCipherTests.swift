import LedgerCore
import LedgerTestSupport
import Testing

@testable import LedgerChat

/// Each key derivation is 600,000 HMAC rounds: the tests share ciphers and derive through `prepareKeys`, which
/// runs off Swift's cooperative threads, so they never stall the other suites running beside them.
@Suite struct ChatCipherTests {
    /// README's vector, made by scripts/enc_v1_vector.py with Python's `cryptography` package.
    static let vectorKey = "correct horse battery staple"
    static let vectorText = "Deployed to staging ✓"
    static let vector =
        "ENC:v1:AAECAwQFBgcICQoLDA0ODw==:oKGio6Slpqeoqaqr:7wvD7BRMoIwXXn2Sd+Fs1JEwiBUbgBoML9TepI/sFaC8a4Mllpc6"

    /// Writes with the vector's salt, so it also opens the vector without a second derivation.
    static let vectorCipher = try! ChatCipher(passphrase: vectorKey, writingSalt: Array(0..<16))

    @Test func opensTheKnownAnswerVectorMadeByAnotherImplementation() async throws {
        await Self.vectorCipher.prepareKeys(for: [Self.vector])
        #expect(try Self.vectorCipher.decrypt(Self.vector) == Self.vectorText)
    }

    @Test func sealsTheKnownAnswerVectorGivenItsSaltAndNonce() async throws {
        await Self.vectorCipher.prepareKeys(writing: true)
        #expect(try Self.vectorCipher.encrypt(Self.vectorText, nonce: Array(0xA0...0xAB)) == Self.vector)
    }

    @Test func roundTripWithAFreshNonceEachTime() async throws {
        let cipher = try ChatCipher(passphrase: "s3cret")
        await cipher.prepareKeys(writing: true)
        let a = try cipher.encrypt("hello, world")
        let b = try cipher.encrypt("hello, world")
        #expect(a != b)
        #expect(a.hasPrefix("ENC:v1:"))
        #expect(!a.contains("hello"))
        let parts = a.dropFirst("ENC:v1:".count).split(separator: ":")
        #expect(parts.count == 3)
        // One writer, one salt.
        #expect(parts[0] == b.dropFirst("ENC:v1:".count).split(separator: ":")[0])
        #expect(try cipher.decrypt(a) == "hello, world")
        #expect(try cipher.decrypt(b) == "hello, world")
    }

    @Test func aWrongKeyOrATamperedTextIsRefused() async throws {
        let wrong = try ChatCipher(passphrase: "another key")
        await wrong.prepareKeys(for: [Self.vector])
        do {
            _ = try wrong.decrypt(Self.vector)
            Issue.record("another key must not open the vector")
        } catch {
            #expect(error.code == .decryptionFailed)
        }

        let right = Self.vectorCipher
        await right.prepareKeys(for: [Self.vector])
        var parts = Self.vector.split(separator: ":").map(String.init)
        // Flip one bit of the ciphertext.
        var sealedBytes = try #require(ChatCipher.unbase64(Substring(parts[4])))
        sealedBytes[0] ^= 1
        parts[4] = ChatCipher.base64(sealedBytes)
        #expect(throws: LedgerError.self) { try right.decrypt(parts.joined(separator: ":")) }
        for malformed in [
            "ENC:v1:", "ENC:v1:a:b:c", "ENC:v1:AAECAwQFBgcICQoLDA0ODw==:oKGio6Slpqeoqaqr", "plain text",
            "ENC:v1:AAECAwQFBgcICQoLDA0ODw==:oKGio6Slpqeoqaqr:AAAA",
        ] {
            #expect(throws: LedgerError.self, "\(malformed)") { try right.decrypt(malformed) }
        }
    }

    @Test func readersDeriveOneKeyPerSaltSoAThousandMessagesCostOneDerivation() async throws {
        let writer = try ChatCipher(passphrase: "k")
        await writer.prepareKeys(writing: true)
        var sealed: [String] = []
        for i in 0..<1000 { sealed.append(try writer.encrypt("message \(i)")) }
        #expect(writer.derivedKeyCount == 1)
        let reader = try ChatCipher(passphrase: "k")
        await reader.prepareKeys(for: sealed)
        #expect(reader.derivedKeyCount == 1)
        for (i, text) in sealed.enumerated() { #expect(try reader.decrypt(text) == "message \(i)") }
        // The reader's own writing salt is never derived unless it writes.
        #expect(reader.derivedKeyCount == 1)
    }

    @Test func anEmptyPassphraseIsRefused() {
        #expect(throws: LedgerError.self) { try ChatCipher(passphrase: "") }
    }
}
