"""A person's session in a real browser: two-factor login, Azerbaijani, the public portal logged out.

``python -m bench.browser_session [--screenshots DIR]`` builds a fresh demo installation in a
temporary folder (SQLite), turns two-factor login on for the demo controller, starts the app on a
free port and drives Debian's Chromium (``/usr/bin/chromium``, package ``chromium``) with
Playwright (``pip install -e '.[browser]'``; Playwright's own browser download is not used):

1. log in with the password, then the TOTP code on the second step;
2. switch the language to Azerbaijani with the menu and see the dashboard in Azerbaijani;
3. log out and open the public portal.

Prints one ``name: value unit`` line per step (``ok``) and exits 1 at the first failure, leaving
screenshots in ``--screenshots`` (default: a temporary folder it names).
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyotp
from babel.support import Translations
from playwright.sync_api import sync_playwright

from bench.common import free_port

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("MONITORIS_CHROMIUM", "/usr/bin/chromium")
CONTROLLER = "controller@monitoris.example"
PASSWORD = "monitoris-demo"
# Chromium in a closed network: no background traffic that would only time out.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

ENABLE_TWO_FACTOR = """
import sys, pyotp, sqlalchemy as sa
from monitoris import create_app
from monitoris.extensions import db
from monitoris.models import User
from monitoris.services import two_factor
app = create_app()
with app.app_context():
    user = db.session.scalar(sa.select(User).where(User.email == sys.argv[1]))
    secret = two_factor.new_secret()
    two_factor.enable(user, secret, pyotp.TOTP(secret).now())
    db.session.commit()
    print(secret)
"""


def az(message):
    catalogue = Translations.load(str(ROOT / "monitoris" / "translations"), ["az"])
    return catalogue.gettext(message)


def step(name):
    print(f"browser {name}: ok", flush=True)


def fresh_code(secret):
    """A code from a time step the enrolment has not used (replayed codes are refused)."""
    totp = pyotp.TOTP(secret)
    time.sleep(totp.interval - time.time() % totp.interval + 1)
    return totp.now()


def main(screenshots=None):
    shots = Path(screenshots or tempfile.mkdtemp(prefix="monitoris-browser-"))
    shots.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as instance:
        env = os.environ | {"MONITORIS_INSTANCE_PATH": instance, "MONITORIS_DATABASE_URL": f"sqlite:///{instance}/b.db",
                            "MONITORIS_UPLOAD_FOLDER": f"{instance}/documents"}
        flask = [sys.executable, "-m", "flask", "--app", "monitoris"]
        for command in (["db", "upgrade"], ["demo", "load"]):
            subprocess.run(flask + command, env=env, cwd=ROOT, check=True, capture_output=True)
        secret = subprocess.run([sys.executable, "-c", ENABLE_TWO_FACTOR, CONTROLLER], env=env, cwd=ROOT,
                                check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        port = free_port()
        server = subprocess.Popen(flask + ["run", "--host", "127.0.0.1", "--port", str(port)], env=env, cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), 0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(locale="en-GB")
                try:
                    page.goto(f"{base}/login")
                    page.fill("#email", CONTROLLER)
                    page.fill("#password", PASSWORD)
                    page.click("form button[type=submit].primary")
                    page.wait_for_url(f"{base}/login/two-factor*")
                    page.fill("#code", fresh_code(secret))
                    page.click("form button[type=submit].primary")
                    page.wait_for_url(f"{base}/")
                    assert page.locator("h1").first.inner_text().strip() == "My open work"
                    page.screenshot(path=str(shots / "1-dashboard-en.png"), full_page=True)
                    step("two-factor login")

                    page.click("button[name=locale][value=az]")
                    page.wait_for_load_state()
                    assert page.locator("html").get_attribute("lang") == "az"
                    assert page.locator("h1").first.inner_text().strip() == az("My open work")
                    page.screenshot(path=str(shots / "2-dashboard-az.png"), full_page=True)
                    step("dashboard in azerbaijani")

                    page.click(f"button:has-text('{az('Log out')}')")
                    page.wait_for_url(f"{base}/login*")
                    page.goto(f"{base}/public/")
                    heading = page.locator("h1").first.inner_text().strip()
                    english = "Legislative acts and their execution"
                    assert heading in (english, az(english))
                    assert page.locator("a[href^='/public/acts/']").count() >= 1
                    page.screenshot(path=str(shots / "3-public-portal.png"), full_page=True)
                    step("public portal logged out")
                except Exception:
                    page.screenshot(path=str(shots / "failure.png"), full_page=True)
                    print(f"browser session failed; screenshots in {shots}", file=sys.stderr)
                    raise
                finally:
                    browser.close()
        finally:
            server.terminate()
            server.wait(10)
    print(f"browser screenshots: {shots} folder", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--screenshots")
    main(parser.parse_args().screenshots)
