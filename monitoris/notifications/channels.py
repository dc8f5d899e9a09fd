"""Delivery channels: email over SMTP, SMS through a gateway (HTTP or console)."""

import hashlib
import hmac
import json
import logging
import smtplib
import ssl
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """The channel refused or failed; the dispatcher retries later."""


# -- email --------------------------------------------------------------------------------

class SmtpMailer:
    """Sends a batch of messages over one SMTP connection (opened lazily, closed by ``close``)."""

    def __init__(self, host, port, security="none", username=None, password=None, sender="monitoris@localhost",
                 timeout=20, id_key=b""):
        if security not in ("none", "starttls", "tls"):
            raise ValueError("mail security must be none, starttls or tls")
        self.host, self.port, self.security = host, port, security
        self.username, self.password, self.sender, self.timeout = username, password, sender, timeout
        self.id_key = id_key.encode() if isinstance(id_key, str) else id_key
        self._smtp = None

    @classmethod
    def from_config(cls, config):
        return cls(config["MAIL_HOST"], config["MAIL_PORT"], config["MAIL_SECURITY"], config["MAIL_USERNAME"],
                   config["MAIL_PASSWORD"], config["MAIL_FROM"], id_key=config["SECRET_KEY"])

    def _connect(self):
        context = ssl.create_default_context()
        if self.security == "tls":
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.security == "starttls":
                smtp.starttls(context=context)
        if self.username:
            smtp.login(self.username, self.password or "")
        return smtp

    def send(self, to_name, to_address, subject, text, html=None, reference=None):
        """``reference``: what identifies the message (the outbox row's idempotency key); sent again, it keeps
        its Message-ID (``message_id``)."""
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = formataddr((to_name, to_address))
        message["Subject"] = subject
        message["Message-ID"] = self.message_id(reference)
        message.set_content(text)
        if html:
            message.add_alternative(html, subtype="html")
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            self._smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise DeliveryError(f"SMTP {self.host}:{self.port}: {exc}") from exc

    def message_id(self, reference=None):
        """The same ``<…@domain>`` every time one reference is sent: a message the dispatcher sends again (it died
        after sending and before recording it) is recognisably the one already delivered, and mail stores that
        know the Message-ID keep one copy.  Keyed with the installation's secret, so that another installation's
        messages (with the same idempotency keys) never share it, and the key itself does not show."""
        domain = parseaddr(self.sender)[1].rpartition("@")[2] or None
        if reference is None:
            return make_msgid(domain=domain)
        digest = hmac.new(self.id_key, b"message-id:" + reference.encode(), hashlib.sha256).hexdigest()[:40]
        return f"<{digest}@{domain or 'monitoris.localhost'}>"

    def close(self):
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._smtp = None


# -- SMS ----------------------------------------------------------------------------------

# The GSM 03.38 default alphabet (and the extension table, which costs two septets a character).
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")
MAX_PARTS = 3
SINGLE = {"gsm7": 160, "ucs2": 70}
PART = {"gsm7": 153, "ucs2": 67}


def sms_encoding(text):
    """"gsm7" when every character fits the GSM default alphabet, else "ucs2" (Azerbaijani ə, ş, ğ, ı …)."""
    return "gsm7" if all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text) else "ucs2"


def _length(text, encoding):
    if encoding == "gsm7":
        return sum(2 if c in GSM7_EXTENDED else 1 for c in text)
    return sum(2 if ord(c) > 0xFFFF else 1 for c in text)  # UTF-16 code units


def fit_sms(text, max_parts=MAX_PARTS):
    """The text cut to fit ``max_parts`` SMS parts, at a word boundary, with an ellipsis; and its encoding."""
    text = " ".join(text.split())
    encoding = sms_encoding(text)
    if _length(text, encoding) <= SINGLE[encoding]:
        return text, encoding
    limit = PART[encoding] * max_parts
    if _length(text, encoding) <= limit:
        return text, encoding
    ellipsis = "..." if encoding == "gsm7" else "…"
    budget = limit - _length(ellipsis, encoding)
    cut = ""
    for word in text.split(" "):
        candidate = f"{cut} {word}" if cut else word
        if _length(candidate, encoding) > budget:
            break
        cut = candidate
    if not cut:  # one enormous word
        cut = text[:budget]
    return cut.rstrip(" ,.;:") + ellipsis, encoding


class HttpSmsGateway:
    """A provider-neutral gateway: JSON POST ``{to, text, encoding, reference}`` with a bearer token."""

    def __init__(self, url, token=None, sender=None, timeout=10):
        self.url, self.token, self.sender, self.timeout = url, token, sender, timeout

    def send(self, to, text, reference=None):
        body, encoding = fit_sms(text)
        payload = {"to": to, "text": body, "encoding": encoding, "reference": reference}
        if self.sender:
            payload["from"] = self.sender
        request = urllib.request.Request(self.url, data=json.dumps(payload).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                if not 200 <= response.status < 300:
                    raise DeliveryError(f"SMS gateway answered {response.status}")
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"SMS gateway answered {exc.code}: {exc.read(300).decode(errors='replace')}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise DeliveryError(f"SMS gateway unreachable: {exc}") from exc

    def close(self):
        pass


class ConsoleSmsGateway:
    """Development: the SMS goes to the log instead of a phone."""

    def __init__(self):
        self.sent = []

    def send(self, to, text, reference=None):
        body, encoding = fit_sms(text)
        self.sent.append((to, body, encoding))
        log.warning("SMS to %s (%s): %s", to, encoding, body)

    def close(self):
        pass


def sms_gateway_from_config(config):
    if config["SMS_GATEWAY"] == "http":
        if not config["SMS_URL"]:
            raise ValueError("MONITORIS_SMS_URL is required for the http SMS gateway")
        return HttpSmsGateway(config["SMS_URL"], config["SMS_TOKEN"], config["SMS_SENDER"])
    return ConsoleSmsGateway()
