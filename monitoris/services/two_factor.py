"""Two-factor login with TOTP (RFC 6238): enrolment, the login's second step, recovery codes, the policy.

A code is accepted once: the time step of the last accepted code is kept on the user and only a
later step passes, checked and stored in one conditional UPDATE so that two processes cannot both
accept the same code.  Recovery codes are single use and stored as salted sha256.

The secret itself is sealed at rest (``User.totp_secret`` is a ``secretbox.SealedString``: the
database holds only the sealed form).  The UPDATE that accepts a code also seals the secret again,
so a secret stored before sealing existed, or sealed with a key since rotated out, is sealed with
the current key at its next use.
"""

import hashlib
import hmac
import re
import secrets

import pyotp
import segno
import sqlalchemy as sa
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm.attributes import set_committed_value

from monitoris import clock, permissions
from monitoris.errors import Forbidden, ValidationError
from monitoris.extensions import db
from monitoris.models import ROLES, RecoveryCode, SecurityPolicy, User
from monitoris.services import audit, auth
from monitoris.services.passwords import check_password

ISSUER = "Monitoris"
STEP_SECONDS = 30
# Phones' clocks drift: the step before and the step after are accepted too.
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


# -- the secret and its QR code ----------------------------------------------------------------

def new_secret():
    return pyotp.random_base32()  # 32 base32 characters: 160 bits, as RFC 4226 recommends


def provisioning_uri(user, secret):
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri):
    """The QR code as inline SVG, drawn here: the secret never goes to a third-party service."""
    return Markup(segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff", border=4))


def _step(now):
    return int(now.timestamp()) // STEP_SECONDS


def _matching_step(secret, code, now):
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"[0-9]{6}", code):  # ASCII: \d would take "١٢٣٤٥٦", which compare_digest refuses
        return None
    totp = pyotp.TOTP(secret)
    current = _step(now)
    for step in (current, current - DRIFT_STEPS, current + DRIFT_STEPS):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _claim_step(user, step):
    """Record ``step`` as used, unless it (or a later one) was used already: the replay guard.

    The secret is written back in the same statement: sealed afresh with the current key.
    """
    table = User.__table__
    result = db.session.execute(
        sa.update(table).where(table.c.id == user.id,
                               sa.or_(table.c.totp_last_step.is_(None), table.c.totp_last_step < step))
        .values(totp_last_step=step, totp_secret=user.totp_secret))
    if result.rowcount != 1:
        return False
    set_committed_value(user, "totp_last_step", step)
    return True


# -- recovery codes ---------------------------------------------------------------------------------

def _normalise(code):
    return re.sub(r"[\s-]", "", (code or "").lower())


def _code_hash(salt, code):
    return hashlib.sha256(f"{salt}:{_normalise(code)}".encode()).hexdigest()


def _new_recovery_codes(user):
    """Replace the user's recovery codes; returns the new ones, in clear, for the one page that shows them."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _number in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_CODE_ALPHABET) for _letter in range(10))
        code = f"{raw[:5]}-{raw[5:]}"
        salt = secrets.token_hex(16)
        db.session.add(RecoveryCode(user_id=user.id, salt=salt, code_hash=_code_hash(salt, code),
                                    created_at=clock.now()))
        codes.append(code)
    db.session.flush()
    return codes


def recovery_codes_left(user):
    return db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))


def _use_recovery_code(user, code):
    if len(_normalise(code)) != 10:
        return False
    rows = db.session.scalars(sa.select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                            RecoveryCode.used_at.is_(None))).all()
    for row in rows:
        if hmac.compare_digest(row.code_hash, _code_hash(row.salt, code)):
            table = RecoveryCode.__table__
            # Conditional, so that two requests racing with one code cannot both use it.
            claimed = db.session.execute(sa.update(table).where(table.c.id == row.id, table.c.used_at.is_(None))
                                         .values(used_at=clock.now())).rowcount == 1
            if claimed:
                audit.record(user, "auth.recovery_code_used", "user", user.id,
                             after={"left": recovery_codes_left(user)})
            return claimed
    return False


def check_code(user, code):
    """"totp" or "recovery" when ``code`` is a fresh TOTP code or an unused recovery code of ``user``; else None."""
    if not user.totp_secret:
        return None
    step = _matching_step(user.totp_secret, code, clock.now())
    if step is not None:
        return "totp" if _claim_step(user, step) else None  # a replayed code fails like a wrong one
    if _use_recovery_code(user, code):
        return "recovery"
    return None


# -- the login's second step -----------------------------------------------------------------------

def verify_login(user, code, ip=None):
    """The second step of a login: the code or LoginFailed (counted towards the lockout and the throttle)."""
    auth.check_address(ip, user.email)
    auth.check_not_locked(user, ip)
    method = check_code(user, code)
    if method is None:
        auth.count_failure(user, ip, "wrong second factor")
        raise auth.LoginFailed(_("The code is not correct, or it was used already. Enter the next code."))
    auth.succeeded(user)
    return method


# -- enrolment and its end ---------------------------------------------------------------------------

def enable(user, secret, code):
    """Turn two-factor login on with the secret the person scanned, once they prove it with a code.

    Returns the recovery codes (shown once).  Every other login session of the account ends.
    """
    if user.totp_secret:
        raise ValidationError(_("Two-factor login is on already."))
    step = _matching_step(secret, code, clock.now())
    if step is None:
        raise ValidationError(_("The code does not match. Check the time on your phone and try the next code."),
                              errors={"code": [_("The code does not match.")]})
    user.totp_secret = secret
    user.totp_last_step = step
    user.totp_enabled_at = clock.now()
    codes = _new_recovery_codes(user)
    auth.revoke_sessions(user, keep=user.login_session)
    db.session.flush()
    audit.record(user, "auth.two_factor_enabled", "user", user.id)
    return codes


def _check_password(user, password):
    if not check_password(user.password_hash, password or ""):
        message = _("The password is not correct.")
        raise ValidationError(message, errors={"password": [message]})


def disable(user, password):
    """The person turns it off, with their password; not when their role requires it."""
    _check_password(user, password)
    if is_required(user):
        raise ValidationError(_("Your role requires two-factor login; it cannot be turned off."))
    _clear(user)
    audit.record(user, "auth.two_factor_disabled", "user", user.id)


def reset_by_admin(actor, user):
    """An admin turns it off for someone who lost their phone and their recovery codes."""
    if not permissions.can_administer(actor):
        raise Forbidden()
    _clear(user)
    auth.revoke_sessions(user)
    audit.record(actor, "auth.two_factor_disabled", "user", user.id, after={"by_admin": True})


def _clear(user):
    user.totp_secret = None
    user.totp_last_step = None
    user.totp_enabled_at = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()


def regenerate_recovery_codes(user, password):
    _check_password(user, password)
    if not user.totp_secret:
        raise ValidationError(_("Two-factor login is off."))
    codes = _new_recovery_codes(user)
    audit.record(user, "auth.recovery_codes_regenerated", "user", user.id)
    return codes


# -- the policy: which roles must use it -----------------------------------------------------------

def required_roles():
    return frozenset(db.session.scalars(sa.select(SecurityPolicy.role).where(SecurityPolicy.require_two_factor)))


def is_required(user):
    return bool(user.roles & required_roles())


def needs_enrolment(user):
    """True when the person's role requires two-factor login and they have not set it up."""
    return not user.totp_secret and is_required(user)


def set_required_roles(actor, roles):
    if not permissions.can_administer(actor):
        raise Forbidden()
    roles = set(roles)
    unknown = roles - set(ROLES)
    if unknown:
        raise ValidationError(_("Unknown roles: %(roles)s.", roles=", ".join(sorted(unknown))))
    before = sorted(required_roles())
    now = clock.now()
    for role in ROLES:
        row = db.session.get(SecurityPolicy, role)
        if row is None:
            row = SecurityPolicy(role=role)
            db.session.add(row)
        if row.require_two_factor != (role in roles) or row.updated_at is None:
            row.require_two_factor = role in roles
            row.updated_at = now
            row.updated_by_id = actor.id
    db.session.flush()
    if before != sorted(roles):
        audit.record(actor, "security.policy_changed", "security_policy", None,
                     before={"two_factor_required": before}, after={"two_factor_required": sorted(roles)})
