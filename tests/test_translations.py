"""The message catalogues: complete, consistent with the code, plurals right; the language menu."""

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from babel.support import Translations
from flask_babel import force_locale, ngettext

from tests.factories import make_world
from tests.web.conftest import text

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "monitoris" / "translations"
LANGUAGES = ("az", "ru")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _catalogue(lang):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale=lang)


def _extracted():
    """The messages of the templates and the code, extracted afresh as ``make catalogs`` would."""
    method_map = [("monitoris/**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
                "lazy_ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
    catalog = Catalog()
    for _filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map, keywords=keywords, options_map={"templates/**": {}}):
        catalog.add(message, None, [(_filename, lineno)], auto_comments=comments, context=context)
    return catalog


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(lang):
    catalog = _catalogue(lang)
    assert not catalog.fuzzy, f"{lang}: the catalogue header is fuzzy"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        if not all(strings) or (message.pluralizable and len(strings) != catalog.num_plurals):
            problems.append(f"untranslated: {message.id!r}")
    assert not problems, f"{lang}:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_of_the_code_is_in_the_catalogue(lang):
    have = {m.id for m in _catalogue(lang) if m.id}
    missing = [m.id for m in _extracted() if m.id and m.id not in have]
    assert not missing, f"{lang}: run the extract/update of the README and translate:\n" + "\n".join(map(repr, missing))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_are_kept(lang):
    problems = []
    for message in _catalogue(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        for s in strings:
            if set(PLACEHOLDER.findall(s)) != wanted and not (message.pluralizable and
                                                              set(PLACEHOLDER.findall(s)) <= wanted):
                problems.append(f"{message.id!r} -> {s!r}")
            if s.count("%%") != ids[0].count("%%"):
                problems.append(f"%% differs: {message.id!r} -> {s!r}")
    assert not problems, f"{lang}:\n" + "\n".join(problems)


def test_russian_plural_forms():
    translations = Translations.load(str(TRANSLATIONS), ["ru"])
    forms = {n: translations.ungettext("%(num)d day overdue", "%(num)d days overdue", n) % {"num": n}
             for n in (1, 2, 5, 21, 11, 104)}
    assert forms == {1: "просрочено на 1 день", 2: "просрочено на 2 дня", 5: "просрочено на 5 дней",
                     21: "просрочено на 21 день", 11: "просрочено на 11 дней", 104: "просрочено на 104 дня"}


def test_plural_forms_through_flask_babel(app):
    with app.test_request_context(), force_locale("ru"):
        assert ngettext("%(num)d act", "%(num)d acts", 21) == "21 акт"
        assert ngettext("%(num)d act", "%(num)d acts", 3) == "3 акта"
        assert ngettext("%(num)d act", "%(num)d acts", 25) == "25 актов"


# -- pages -----------------------------------------------------------------------------------------

def _lang_of(html):
    return re.search(r'<html lang="([^"]+)"', html).group(1)


def _token(html):
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_a_user_with_azerbaijani_sees_the_dashboard_in_azerbaijani(login):
    w = make_world()
    w.controller.locale = "az"
    html = text(login(w.controller).get("/"))
    assert _lang_of(html) == "az"
    assert "Açıq işlərim" in html and "Vaxtı keçmiş" in html and "İdarə paneli" in html
    assert "My open work" not in html


def test_the_menu_switches_a_logged_in_user_and_stores_it_on_the_profile(login):
    w = make_world()
    b = login(w.exec_sa)
    assert _lang_of(text(b.get("/"))) == "en"
    response = b.post("/language", data={"locale": "ru", "next": "/"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    assert w.exec_sa.locale == "ru"
    html = text(b.get("/"))
    assert _lang_of(html) == "ru" and "Мои текущие дела" in html


def test_a_visitor_switches_the_login_page_and_the_public_portal(client):
    html = text(client.get("/login"))
    assert _lang_of(html) == "en"
    response = client.post("/language", data={"locale": "az", "next": "/login", "csrf_token": _token(html)})
    assert response.status_code == 302
    html = text(client.get("/login"))
    assert _lang_of(html) == "az" and "Daxil ol" in html
    html = text(client.get("/public/"))
    assert _lang_of(html) == "az" and "Açıq məlumatlar" in html
    client.post("/language", data={"locale": "ru", "next": "/public/", "csrf_token": _token(html)})
    html = text(client.get("/public/"))
    assert _lang_of(html) == "ru" and "Открытые данные" in html


def test_the_browser_preference_is_the_default_and_the_choice_wins(client):
    html = text(client.get("/public/", headers={"Accept-Language": "ru-RU,ru;q=0.9"}))
    assert _lang_of(html) == "ru"
    client.post("/language", data={"locale": "en", "next": "/public/", "csrf_token": _token(html)})
    assert _lang_of(text(client.get("/public/", headers={"Accept-Language": "ru"}))) == "en"


def test_the_menu_refuses_unknown_languages_and_foreign_redirects(client):
    token = _token(text(client.get("/login")))
    assert client.post("/language", data={"locale": "xx", "csrf_token": token}).status_code == 400
    response = client.post("/language", data={"locale": "az", "next": "https://evil.example/", "csrf_token": token})
    assert "evil.example" not in response.headers["Location"]
    assert client.post("/language", data={"locale": "az"}).status_code in (400, 403)


def test_dates_are_written_in_the_page_language(app):
    from datetime import date

    from monitoris.web.helpers import format_date
    with app.test_request_context():
        with force_locale("en"):
            assert format_date(date(2026, 6, 5)) == "05 Jun 2026"
        with force_locale("ru"):
            assert "июн" in format_date(date(2026, 6, 5))
        with force_locale("az"):
            assert "iyn" in format_date(date(2026, 6, 5))
