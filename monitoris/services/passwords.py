"""Password hashing (argon2id)."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_strong = PasswordHasher()
# Only for the test suite, where hashing cost is pure waiting.
_fast = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

MIN_LENGTH = 10


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


def password_problems(password):
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    if password.strip() != password:
        problems.append("Do not start or end the password with spaces.")
    return problems
