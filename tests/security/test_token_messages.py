"""The answers of /api/v1/auth/tokens about two-factor login come in the client's language, like every other
problem+json message of the API."""

from monitoris.services import two_factor
from tests.api.conftest import problem
from tests.factories import PASSWORD, make_user
from tests.security.conftest import enrol

URL = "/api/v1/auth/tokens"


def test_a_missing_code_is_told_in_russian(app):
    user = make_user()
    enrol(user)
    response = app.test_client().post(URL, json={"email": user.email, "password": PASSWORD},
                                      headers={"Accept-Language": "ru"})
    assert problem(response, 401)["detail"] == (
        "Для этой учётной записи включён двухфакторный вход: передайте текущий код в поле totp.")


def test_a_missing_code_is_told_in_english_by_default(app):
    user = make_user()
    enrol(user)
    body = problem(app.test_client().post(URL, json={"email": user.email, "password": PASSWORD}), 401)
    assert body["detail"] == "This account uses two-factor login: send the current code as totp."


def test_a_role_that_must_use_two_factor_is_told_in_azerbaijani_where_to_set_it_up(app, w):
    two_factor.set_required_roles(w.admin, {"executor"})
    response = app.test_client().post(URL, json={"email": w.exec_sa.email, "password": PASSWORD},
                                      headers={"Accept-Language": "az"})
    assert problem(response, 403)["detail"] == (
        "Rolunuz iki faktorlu giriş tələb edir: əvvəlcə onu Monitoris-də qurun (/account/two-factor).")
