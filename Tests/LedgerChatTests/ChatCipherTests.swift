import LedgerCore
import LedgerTestSupport
import Testing

@testable import LedgerChat

@Suite struct ChatCipherTests {
    /// README's vector, made by scripts/enc_v1_vector.py with Python's `cryptography` package.
    static let vectorKey = "correct horse battery staple"
    static let vectorText = "Deployed to staging ✓"
    static let vector =
        "ENC:v1:AAECAwQFBgcICQoLDA0ODw==:oKGio6Slpqeoqaqr:7wvD7BRMoIwXXn2Sd+Fs1JEwiBUbgBoML9TepI/sFaC8a4Mllpc6"

    @Test func opensTheKnownAnswerVectorMadeByAnotherImplementation() throws {
        let cipher = try ChatCipher(passphrase: Self.vectorKey)
        #expect(try cipher.decrypt(Self.vector) == Self.vectorText)
    }

    @Test func sealsTheKnownAnswerVectorGivenItsSaltAndNonce() throws {
        let cipher = try ChatCipher(passphrase: Self.vectorKey, writingSalt: Array(0..<16))
        #expect(try cipher.encrypt(Self.vectorText, nonce: Array(0xA0...0xAB)) == Self.vector)
    }

    @Test func roundTripWithAFreshNonceEachTime() throws {
        let cipher = try ChatCipher(passphrase: "s3cret")
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
        #expect(try ChatCipher(passphrase: "s3cret").decrypt(b) == "hello, world")
    }

    @Test func aWrongKeyOrATamperedTextIsRefused() throws {
        let sealed = try ChatCipher(passphrase: Self.vectorKey).decrypt(Self.vector)
        #expect(sealed == Self.vectorText)
        let wrong = try ChatCipher(passphrase: "another key")
        #expect(throws: LedgerError.self) { try wrong.decrypt(Self.vector) }
        do {
            _ = try wrong.decrypt(Self.vector)
        } catch {
            #expect(error.code == .decryptionFailed)
        }

        let right = try ChatCipher(passphrase: Self.vectorKey)
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

    @Test func readersDeriveOneKeyPerSaltSoAThousandMessagesCostOneDerivation() throws {
        let writer = try ChatCipher(passphrase: "k")
        var sealed: [String] = []
        for i in 0..<1000 { sealed.append(try writer.encrypt("message \(i)")) }
        #expect(writer.derivedKeyCount == 1)
        let reader = try ChatCipher(passphrase: "k")
        for (i, text) in sealed.enumerated() { #expect(try reader.decrypt(text) == "message \(i)") }
        // The reader's own writing salt is never derived unless it writes.
        #expect(reader.derivedKeyCount == 1)
    }

    @Test func anEmptyPassphraseIsRefused() {
        #expect(throws: LedgerError.self) { try ChatCipher(passphrase: "") }
    }
}
