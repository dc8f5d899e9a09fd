"""WTForms' own messages in the reader's language: Azerbaijani, which WTForms has no catalogue for, and Russian."""

import pytest

from tests.web.conftest import text


@pytest.mark.parametrize("locale, too_long, not_a_date", [
    ("az", "Sahə 500 simvoldan uzun ola bilməz.", "Tarix düzgün deyil."),
    ("ru", "Значение не должно содержать более 500 символов.", "Неверное значение даты."),
    ("en", "Field cannot be longer than 500 characters.", "Not a valid date value."),
])
def test_the_forms_own_messages_are_in_the_readers_language(login, w, locale, too_long, not_a_date):
    w.controller.locale = locale
    b = login(w.controller)
    response = b.post("/acts/new", data={"kind": "law", "title": "x" * 501, "signed_on": "someday",
                                         "state": "draft"})
    assert response.status_code == 422
    html = text(response)
    assert too_long in html and not_a_date in html
