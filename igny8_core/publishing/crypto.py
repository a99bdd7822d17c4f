"""Encryption at rest for secrets stored in the database (WordPress application passwords).

Fernet (AES-128-CBC + HMAC-SHA256). The key comes from settings.FIELD_ENCRYPTION_KEY — a Fernet
key, or any passphrase (hashed into one) — or, when that is empty, is derived from SECRET_KEY.
Decryption also tries the SECRET_KEY-derived key, so setting FIELD_ENCRYPTION_KEY later does not
lock out values written before; new writes always use the primary key.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class DecryptionError(Exception):
    """The stored value cannot be decrypted with the configured keys (key changed or data corrupt)."""


def _fernet_key(material: str, purpose: str) -> bytes:
    try:
        Fernet(material.encode())  # already a valid Fernet key
        return material.encode()
    except (ValueError, TypeError):
        digest = hashlib.sha256(f"igny8:{purpose}:{material}".encode()).digest()
        return base64.urlsafe_b64encode(digest)


def _cipher() -> MultiFernet:
    keys = []
    if settings.FIELD_ENCRYPTION_KEY:
        keys.append(_fernet_key(settings.FIELD_ENCRYPTION_KEY, "field-encryption"))
    keys.append(_fernet_key(settings.SECRET_KEY, "field-encryption-from-secret-key"))
    return MultiFernet([Fernet(k) for k in dict.fromkeys(keys)])


def encrypt(plaintext: str) -> str:
    return _cipher().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _cipher().decrypt(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError(
            "Stored secret cannot be decrypted: FIELD_ENCRYPTION_KEY / SECRET_KEY changed? Re-enter it."
        ) from None
