"""What assistive technology reads on the pages: errors announced and tied to their fields, hints read with them,
unique ids, the way back after a language change, and the words of the live updates in the page's language."""

from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urlsplit

import sqlalchemy as sa

from monitoris.extensions import db
from monitoris.models import Notification
from tests.conftest import csrf_token
from tests.factories import make_task
from tests.web.conftest import text

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Element:
    def __init__(self, tag, attrs):
        self.tag, self.attrs, self.children = tag, attrs, []

    @property
    def text(self):
        return " ".join("".join(c if isinstance(c, str) else c.text for c in self.children).split())

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()


class Page(HTMLParser):
    """The page as a user agent builds it: elements with their attributes and text."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)

    def all(self, tag=None, **attrs):
        return [e for e in self.root.iter() if (tag is None or e.tag == tag)
                and all(e.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def by_id(self, id_):
        found = [e for e in self.root.iter() if e.attrs.get("id") == id_]
        assert len(found) == 1, f"{len(found)} elements with id={id_!r}"
        return found[0]

    def duplicate_ids(self):
        return [i for i, n in Counter(e.attrs["id"] for e in self.root.iter() if "id" in e.attrs).items() if n > 1]

    def description_of(self, control):
        """What aria-describedby makes a screen reader read after the control's name."""
        return [self.by_id(i).text for i in (control.attrs.get("aria-describedby") or "").split()]


def page(response):
    return Page(text(response))


# -- 1. the login page ---------------------------------------------------------------------------

def test_a_failed_login_is_an_alert_read_with_the_password_field_which_gets_the_focus(client, w):
    response = client.post("/login", data={"email": w.exec_sa.email, "password": "wrong",
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 401
    p = page(response)
    alert = [e for e in p.all(role="alert") if "The email or password is not correct." in e.text]
    assert len(alert) == 1
    password, email = p.by_id("password"), p.by_id("email")
    assert password.attrs.get("aria-invalid") == "true"
    assert p.description_of(password) == ["The email or password is not correct."]
    assert "autofocus" in password.attrs and "autofocus" not in email.attrs
    assert email.attrs["value"] == w.exec_sa.email and "aria-invalid" not in email.attrs


def test_the_login_page_starts_on_the_email_and_an_empty_email_is_an_alert_there(client):
    p = page(client.get("/login"))
    assert "autofocus" in p.by_id("email").attrs and "autofocus" not in p.by_id("password").attrs
    assert not p.all(role="alert") and "aria-invalid" not in p.by_id("email").attrs

    p = page(client.post("/login", data={"email": "", "password": "", "csrf_token": csrf_token(client, "/login")}))
    email = p.by_id("email")
    assert email.attrs.get("aria-invalid") == "true" and "autofocus" in email.attrs
    assert all(p.by_id(i).attrs.get("role") == "alert" for i in email.attrs["aria-describedby"].split())


# -- 2. the field() macro: hints and errors --------------------------------------------------------

def test_hints_are_read_with_their_fields(login, w):
    p = page(login(w.exec_sa).get("/profile"))
    days = p.by_id("token-expires_in_days")
    [hint] = p.description_of(days)
    assert hint.startswith("At most") and p.by_id("token-expires_in_days-hint").attrs["class"] == "hint"
    assert "aria-invalid" not in days.attrs


def test_two_errors_on_one_field_have_their_own_ids_and_are_both_read(login, w):
    b = login(w.admin)
    response = b.post("/admin/users/new", data={"name": "Aysel", "email": "aysel@example.test", "locale": "az",
                                                "organization_id": str(w.sa.id), "roles": ["executor"],
                                                "password": "password", "active": "y"})
    assert response.status_code == 422
    p = page(response)
    assert p.duplicate_ids() == []
    password = p.by_id("password")
    errors = [e.text for e in p.all("p", **{"class": "error"}) if e.attrs["id"].startswith("password-err")]
    assert len(errors) == 2, errors
    assert password.attrs.get("aria-invalid") == "true"
    assert p.description_of(password) == [p.by_id("password-hint").text] + errors
    assert p.by_id("password-err").text == errors[0]  # the first message keeps the id other pages link to


def test_a_field_with_an_error_keeps_the_markup_of_before(login, w):
    b = login(w.exec_sa)
    response = b.post("/profile/tokens", data={"token-name": "", "token-expires_in_days": "30",
                                               "token-csrf_token": b.token})
    assert response.status_code == 422
    p = page(response)
    name = p.by_id("token-name")
    assert name.attrs["aria-invalid"] == "true" and name.attrs["aria-describedby"].split()[-1] == "token-name-err"
    assert p.by_id("token-name-err").attrs["class"] == "error"
    assert p.by_id("token-name").attrs["aria-describedby"].split()[0] == "token-name-hint"


# -- 3. flashed errors ---------------------------------------------------------------------------

def test_an_error_flash_is_an_alert_and_a_confirmation_a_status(login, w):
    b = login(w.exec_sa)
    response = b.post("/profile/sessions/end", data={"password": "correct horse battery"}, follow_redirects=True)
    [flash] = page(response).all("div", **{"class": "flash flash-error"})
    assert flash.text == "Choose a session to end." and flash.attrs["role"] == "alert"

    response = b.post("/profile/details", data={"details-locale": "en", "details-phone": "",
                                                "details-csrf_token": b.token}, follow_redirects=True)
    [flash] = page(response).all("div", **{"class": "flash flash-success"})
    assert flash.attrs["role"] == "status"


# -- 4 and 6. the forms of the task page ------------------------------------------------------------

def test_the_task_page_forms_come_back_at_their_section_with_an_alert_and_unique_ids(login, w):
    task = make_task(w.act, "6")
    b = login(w.controller)
    p = page(b.get(f"/tasks/{task.id}"))
    actions = [f.attrs["action"] for f in p.all("form") if f.attrs.get("class") == "inline-form"]
    assert actions == [f"/tasks/{task.id}/stages#stages", f"/tasks/{task.id}/requirements#requirements"]
    assert p.duplicate_ids() == []
    assert len(p.all("input", name="csrf_token")) >= 2

    response = b.post(f"/tasks/{task.id}/stages", data={"title": "", "due_on": ""})
    assert response.status_code == 422
    p = page(response)
    assert p.duplicate_ids() == []
    stages = p.by_id("stages")
    assert [e for e in stages.iter() if e.attrs.get("role") == "alert"]
    title = p.by_id("title")
    assert title.attrs["aria-invalid"] == "true" and p.description_of(title) == ["A title is required."]

    response = b.post(f"/tasks/{task.id}/requirements", data={"text": ""})
    assert response.status_code == 422
    requirements = page(response).by_id("requirements")
    assert [e for e in requirements.iter() if e.attrs.get("role") == "alert"]


def test_pages_with_several_forms_repeat_no_id(login, w):
    b = login(w.exec_sa)
    for url in ("/profile", "/account/two-factor"):
        p = page(b.get(url))
        assert p.duplicate_ids() == [], url
        assert len(p.all("form")) >= 2
    w.exec_sa.totp_secret = "JBSWY3DPEHPK3PXP"
    db.session.flush()
    p = page(b.get("/account/two-factor"))
    assert p.by_id("codes-password") and p.by_id("disable-password")
    assert p.duplicate_ids() == []


# -- 5. the language menu after a form sent with errors ------------------------------------------------

def _menu_next(p):
    nexts = {e.attrs["value"] for e in p.all("input", name="next")}
    assert len(nexts) == 1
    return nexts.pop()


def test_the_language_menu_of_a_page_with_form_errors_goes_back_to_the_form_page(login, w):
    task = make_task(w.act, "7")
    b = login(w.controller)
    assert _menu_next(page(b.get(f"/tasks/{task.id}?x=1"))) == f"/tasks/{task.id}?x=1"

    response = b.post(f"/tasks/{task.id}/stages", data={"title": ""},
                      headers={"Referer": f"http://localhost/tasks/{task.id}"})
    assert response.status_code == 422
    back = _menu_next(page(response))
    assert back == f"/tasks/{task.id}"
    response = b.post("/language", data={"locale": "az", "next": back})
    assert response.status_code == 302 and response.headers["Location"] == f"/tasks/{task.id}"
    assert b.get(response.headers["Location"]).status_code == 200

    # Without a Referer (or with another site's), the home page rather than a 405.
    response = b.post(f"/tasks/{task.id}/stages", data={"title": ""}, headers={"Referer": "https://evil.example/x"})
    assert _menu_next(page(response)) == "/"


def test_the_language_change_never_sends_a_get_to_a_post_only_address(login, w):
    task = make_task(w.act, "8")
    b = login(w.controller)
    stages = f"/tasks/{task.id}/stages"
    response = b.post("/language", data={"locale": "ru", "next": stages})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    response = b.post("/language", data={"locale": "ru", "next": stages},
                      headers={"Referer": f"http://localhost/tasks/{task.id}"})
    assert response.headers["Location"] == f"/tasks/{task.id}"
    for referer in ("https://evil.example/tasks/1", "http://localhost//evil.example/"):
        response = b.post("/language", data={"locale": "ru", "next": stages}, headers={"Referer": referer})
        assert response.headers["Location"] == "/", referer
    response = b.post("/language", data={"locale": "en", "next": "/acts?q=x"})
    assert response.headers["Location"] == "/acts?q=x"


# -- 7. the security pages in the navigation ----------------------------------------------------------

def test_the_security_pages_are_in_the_administrators_navigation(login, w):
    def nav(user, url="/"):
        [main] = page(login(user).get(url)).all("nav", **{"class": "mainnav"})
        return {e.attrs["href"]: e.attrs.get("aria-current") for e in main.iter() if e.tag == "a"}

    links = nav(w.admin, "/admin/security/policy")
    assert links["/admin/security/events"] is None and links["/admin/security/policy"] == "page"
    assert nav(w.admin, "/admin/security/events")["/admin/security/events"] == "page"
    assert not any(href.startswith("/admin/security") for href in nav(w.controller))


# -- 8. the live-update announcement ----------------------------------------------------------------

def test_the_live_update_announcement_comes_from_the_page_in_its_language(client, login, w):
    p = page(login(w.controller).get("/profile"))
    [body] = p.all("body")
    assert body.attrs["data-live-updated"] == "Updated at {time}"
    script = client.get("/static/js/live.js")
    js = text(script)
    script.close()
    assert "data-live-updated" in js and '"Updated ' not in js


# -- 9. autocomplete on password fields -------------------------------------------------------------

def _autocomplete(p, *ids):
    return [p.by_id(i).attrs.get("autocomplete") for i in ids]


def test_password_fields_tell_password_managers_what_they_are(client, login, w):
    b = login(w.exec_sa)
    p = page(b.get("/profile"))
    assert _autocomplete(p, "password-current", "password-password", "password-confirm") == [
        "current-password", "new-password", "new-password"]
    assert _autocomplete(page(b.get("/profile/sessions")), "password") == ["current-password"]
    w.exec_sa.totp_secret = "JBSWY3DPEHPK3PXP"
    db.session.flush()
    assert _autocomplete(page(b.get("/account/two-factor")), "codes-password", "disable-password") == [
        "current-password", "current-password"]

    p = page(login(w.admin).get(f"/admin/users/{w.exec_mt.id}/password"))
    assert _autocomplete(p, "password", "confirm") == ["new-password", "new-password"]

    client.post("/login/forgot", data={"email": w.exec_mt.email, "csrf_token": csrf_token(client, "/login/forgot")})
    link = db.session.scalar(sa.select(Notification.payload).where(
        Notification.recipient_id == w.exec_mt.id, Notification.template == "password_reset"))["link"]
    p = page(client.get(urlsplit(link).path))
    assert _autocomplete(p, "password", "confirm") == ["new-password", "new-password"]
