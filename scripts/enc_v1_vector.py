#!/usr/bin/env python3
"""Independent ENC:v1 implementation (Python `cryptography`), used to make and check README's vector.

    python3 scripts/enc_v1_vector.py                      # print the known-answer vector
    python3 scripts/enc_v1_vector.py decrypt KEY 'ENC:v1:…' # open a text written by agent-ledger
"""
import base64
import sys

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

ROUNDS = 600_000


def derive(passphrase: str, salt: bytes) -> bytes:
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=ROUNDS)
    return kdf.derive(passphrase.encode("utf-8"))


def encrypt(passphrase: str, plaintext: str, salt: bytes, iv: bytes) -> str:
    sealed = AESGCM(derive(passphrase, salt)).encrypt(iv, plaintext.encode("utf-8"), None)
    parts = [base64.b64encode(p).decode("ascii") for p in (salt, iv, sealed)]
    return "ENC:v1:" + ":".join(parts)


def decrypt(passphrase: str, text: str) -> str:
    if not text.startswith("ENC:v1:"):
        raise ValueError("not ENC:v1")
    salt, iv, sealed = (base64.b64decode(p, validate=True) for p in text[len("ENC:v1:"):].split(":"))
    if len(salt) != 16 or len(iv) != 12 or len(sealed) < 16:
        raise ValueError("malformed ENC:v1")
    return AESGCM(derive(passphrase, salt)).decrypt(iv, sealed, None).decode("utf-8")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "decrypt":
        print(decrypt(sys.argv[2], sys.argv[3]))
    else:
        key = "correct horse battery staple"
        salt = bytes(range(16))
        iv = bytes(range(0xA0, 0xAC))
        text = "Deployed to staging ✓"
        print("key:       ", key)
        print("salt (hex):", salt.hex())
        print("iv (hex):  ", iv.hex())
        print("derived key (hex):", derive(key, salt).hex())
        print("plaintext: ", text)
        print("ENC:v1:    ", encrypt(key, text, salt, iv))
