"""Secrets the server must read back (TOTP secrets), sealed at rest with a key that is not in the database.

Sealing is Fernet (AES-128-CBC with HMAC-SHA256, a fresh IV each time) from ``cryptography``.  The
keys come from ``MONITORIS_TOTP_KEY``: one or more Fernet keys separated by commas; the first
seals, every one opens, so a key is rotated by putting the new one first and keeping the old one
until every secret has been sealed again (each successful use of a secret seals it afresh).
Development and tests derive a key from the secret key with HKDF; production must set its own.

A sealed value is ``fernet:`` followed by the token.  A value without the prefix was written
before secrets were sealed and is read as it is (and sealed at its next use).
"""

import base64

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

PREFIX = "fernet:"
# The column's width: the prefix and the token of a 32-character secret take 147 characters.
SEALED_LENGTH = 255
_HKDF_INFO = b"monitoris: totp secrets at rest, v1"


class BadKey(ValueError):
    """A key in MONITORIS_TOTP_KEY is not a Fernet key."""


def derive_key(secret_key):
    """A Fernet key derived from the application's secret key (development and tests only)."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(secret_key.encode())
    return base64.urlsafe_b64encode(raw).decode()


def parse_keys(text, derived=None):
    """"key1,key2" -> [key1, key2], each checked to be a Fernet key (32 bytes, URL-safe base64).

    The word ``derived`` stands for ``derived`` (the key derived from the secret key).
    """
    keys = [k.strip() for k in (text or "").split(",") if k.strip()]
    keys = [derived if k == "derived" and derived else k for k in keys]
    for i, key in enumerate(keys, 1):
        try:
            Fernet(key)
        except (ValueError, TypeError) as exc:
            raise BadKey(f"key {i} is not a Fernet key (32 random bytes in URL-safe base64)") from exc
    return keys


def new_key():
    return Fernet.generate_key().decode()


def _box(keys=None):
    keys = keys if keys is not None else current_app.config["TOTP_KEYS"]
    return MultiFernet([Fernet(k) for k in keys])


def is_sealed(value):
    return isinstance(value, str) and value.startswith(PREFIX)


def seal(plain, keys=None):
    return PREFIX + _box(keys).encrypt(plain.encode()).decode()


def unseal(value, keys=None):
    """The plain secret; a value written before sealing (no prefix) is returned as it is."""
    if not is_sealed(value):
        return value
    try:
        return _box(keys).decrypt(value[len(PREFIX):].encode()).decode()
    except InvalidToken as exc:
        # Fail closed and say why: the secret cannot be guessed around, only the key put back.
        raise RuntimeError("a sealed TOTP secret cannot be opened with MONITORIS_TOTP_KEY: was the key changed "
                           "without keeping the old one after the new?") from exc


class SealedString(sa.types.TypeDecorator):
    """A string column whose values are sealed on the way in and opened on the way out.

    The model attribute holds the plain value; the database only ever gets the sealed one.
    """

    impl = sa.String(SEALED_LENGTH)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None or is_sealed(value):
            return value
        return seal(value)

    def process_result_value(self, value, dialect):
        return None if value is None else unseal(value)
