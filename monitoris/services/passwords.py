"""Password hashing (argon2id) and the policy a new password must meet."""

import gzip
import re
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _

_strong = PasswordHasher()
# Only for the test suite, where hashing cost is pure waiting.
_fast = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

MIN_LENGTH = 12
MAX_LENGTH = 200  # argon2 takes any length; this only stops megabyte "passwords" from costing CPU
COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt.gz"


def _hasher():
    return _fast if current_app.config.get("PASSWORD_HASH_FAST") else _strong


def hash_password(password):
    return _hasher().hash(password)


def check_password(password_hash, password):
    if not password_hash:
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def common_passwords():
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as f:
        return frozenset(line.strip() for line in f if line.strip())


def _is_common(password):
    lowered = password.lower().strip()
    common = common_passwords()
    if lowered in common:
        return True
    # "password2026!" and "Qwerty123456" are the list's entries with a suffix everybody adds.
    core = re.sub(r"[\d\W_]+$", "", lowered)
    return len(core) >= 4 and core in common


def _is_trivial(password):
    """One repeated character, or a run along the alphabet or the digits ("abcdefghijkl", "123456789012")."""
    lowered = password.lower()
    if len(set(lowered)) <= 2:
        return True
    steps = {ord(b) - ord(a) for a, b in zip(lowered, lowered[1:], strict=False)}
    return steps <= {1, -9} or steps <= {-1, 9}


def password_problems(password, *, email=None, name=None):
    """The reasons this password may not be set (empty when it may).  Login never applies this."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(_("Use at least %(count)s characters.", count=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        problems.append(_("Use at most %(count)s characters.", count=MAX_LENGTH))
    if password.strip() != password:
        problems.append(_("Do not start or end the password with spaces."))
    if _is_common(password) or _is_trivial(password):
        problems.append(_("This password is among the most common ones; choose another."))
    lowered = password.lower()
    personal = []
    if email:
        local = email.lower().split("@")[0]
        personal += [email.lower(), local]
    if name:
        personal += [part for part in name.lower().split() if len(part) >= 4]
    if any(len(p) >= 4 and p in lowered for p in personal):
        problems.append(_("Do not use your name or email address in the password."))
    return problems
