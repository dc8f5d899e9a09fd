"""TOTP two-factor login: enrolment, a code good once, the clock's drift, recovery codes, the policy."""

import pytest
import sqlalchemy as sa

from monitoris.errors import Forbidden, ValidationError
from monitoris.extensions import db
from monitoris.models import Event, RecoveryCode
from monitoris.services import auth, two_factor
from tests.factories import PASSWORD, make_user
from tests.security.conftest import SECRET, code_at, enrol


def _actions(user):
    return [e.action for e in db.session.scalars(sa.select(Event).where(Event.object_id == user.id,
                                                                        Event.object_type == "user"))]


def test_enabling_needs_a_code_of_the_scanned_secret_and_gives_ten_recovery_codes(clock):
    user = make_user()
    with pytest.raises(ValidationError):
        two_factor.enable(user, SECRET, "000000")
    assert user.totp_secret is None
    codes = two_factor.enable(user, SECRET, code_at(clock))
    assert user.totp_secret == SECRET and len(codes) == 10 and len(set(codes)) == 10
    stored = db.session.scalars(sa.select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and not any(c.replace("-", "") in r.code_hash for c in codes for r in stored)
    assert "auth.two_factor_enabled" in _actions(user)
    # The code that switched it on is spent.
    assert two_factor.check_code(user, code_at(clock)) is None


def test_a_code_is_accepted_once_replay_is_refused(clock):
    user = make_user()
    enrol(user)
    code = code_at(clock)
    assert two_factor.check_code(user, code) == "totp"
    assert two_factor.check_code(user, code) is None  # the same code again: replay
    clock.advance(seconds=30)
    assert two_factor.check_code(user, code_at(clock)) == "totp"
    # A code of an earlier step (still inside the drift window) is older than the last used: refused.
    assert two_factor.check_code(user, code_at(clock, steps=-1)) is None


def test_one_step_of_clock_drift_is_allowed_two_are_not(clock):
    user = make_user()
    enrol(user)
    assert two_factor.check_code(user, code_at(clock, steps=2)) is None
    assert two_factor.check_code(user, code_at(clock, steps=1)) == "totp"
    other = make_user()
    enrol(other)
    assert two_factor.check_code(other, code_at(clock, steps=-2)) is None
    assert two_factor.check_code(other, code_at(clock, steps=-1)) == "totp"


def test_a_recovery_code_works_once(clock):
    user = make_user()
    codes = enrol(user)
    assert two_factor.recovery_codes_left(user) == 10
    assert two_factor.check_code(user, codes[3].upper().replace("-", " ")) == "recovery"
    assert two_factor.check_code(user, codes[3]) is None
    assert two_factor.recovery_codes_left(user) == 9
    assert "auth.recovery_code_used" in _actions(user)
    assert two_factor.check_code(user, "not-a-code") is None


def test_wrong_codes_count_towards_the_lockout(app, clock):
    user = make_user()
    enrol(user)
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        with pytest.raises(auth.LoginFailed):
            two_factor.verify_login(user, "123456")
    with pytest.raises(auth.LoginFailed) as exc:
        two_factor.verify_login(user, "123456")
    assert exc.value.message.startswith("Too many failed attempts")
    with pytest.raises(auth.LoginFailed):
        two_factor.verify_login(user, code_at(clock))  # locked: even the right code


def test_the_password_alone_does_not_reset_a_run_of_wrong_codes(clock):
    user = make_user()
    enrol(user)
    with pytest.raises(auth.LoginFailed):
        two_factor.verify_login(user, "123456")
    assert auth.authenticate(user.email, PASSWORD) is user
    assert user.failed_logins == 1
    two_factor.verify_login(user, code_at(clock))
    assert user.failed_logins == 0


def test_turning_it_off_needs_the_password_and_is_refused_when_the_role_requires_it(clock):
    admin = make_user("admin")
    user = make_user("executor")
    enrol(user)
    with pytest.raises(ValidationError):
        two_factor.disable(user, "wrong password")
    two_factor.set_required_roles(admin, {"executor"})
    with pytest.raises(ValidationError):
        two_factor.disable(user, PASSWORD)
    two_factor.set_required_roles(admin, set())
    two_factor.disable(user, PASSWORD)
    assert user.totp_secret is None and two_factor.recovery_codes_left(user) == 0
    assert "auth.two_factor_disabled" in _actions(user)


def test_only_admins_set_the_policy_and_it_is_audited():
    admin, controller = make_user("admin"), make_user("controller")
    with pytest.raises(Forbidden):
        two_factor.set_required_roles(controller, {"admin"})
    two_factor.set_required_roles(admin, {"admin", "controller"})
    assert two_factor.required_roles() == {"admin", "controller"}
    assert two_factor.needs_enrolment(controller) and not two_factor.needs_enrolment(make_user("observer"))
    event = db.session.scalar(sa.select(Event).where(Event.action == "security.policy_changed"))
    assert event.after == {"two_factor_required": ["admin", "controller"]}


def test_the_qr_code_is_drawn_here_as_svg():
    user = make_user(email="nigar@example.test")
    uri = two_factor.provisioning_uri(user, SECRET)
    assert uri.startswith("otpauth://totp/Monitoris:nigar%40example.test?secret=" + SECRET)
    svg = str(two_factor.qr_svg(uri))
    assert svg.startswith("<svg") and "http" not in svg.split(">", 1)[1] and "style=" not in svg
