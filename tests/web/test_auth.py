"""Logging in and out through the pages."""

from tests.conftest import csrf_token
from tests.factories import PASSWORD, make_user


def test_login_page_shows_the_form(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert 'name="email"' in response.get_data(as_text=True)


def test_pages_need_a_login(client):
    for url in ("/", "/acts/", "/assignments", "/admin/users"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"]


def test_wrong_password_keeps_the_email_and_says_why(browser):
    user = make_user("executor")
    token = csrf_token(browser.client, "/login")
    response = browser.client.post("/login", data={"email": user.email, "password": "not it at all",
                                                   "csrf_token": token})
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert "The email or password is not correct." in html
    assert f'value="{user.email}"' in html


def test_logout_then_the_old_cookie_shows_the_login_page(app, login):
    user = make_user("controller")
    b = login(user)
    old_cookie = b.client.get_cookie("monitoris_session").value
    assert b.get("/").status_code == 200
    response = b.post("/logout")
    assert response.status_code == 302

    thief = app.test_client()
    thief.set_cookie("monitoris_session", old_cookie)
    response = thief.get("/", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Log in to Monitoris" in html
    assert user.name not in html


def test_navigation_shows_only_the_areas_a_person_may_use(login, w):
    html = login(w.exec_sa).get("/").get_data(as_text=True)
    assert 'href="/assignments"' in html and 'href="/acts/"' in html
    assert "/admin/users" not in html
    html = login(w.admin).get("/").get_data(as_text=True)
    assert "/admin/users" in html and "/admin/organizations" in html
    assert PASSWORD not in html
