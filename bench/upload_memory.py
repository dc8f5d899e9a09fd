"""Memory of the server while a 100 MB document goes up and comes back down, through the API.

    .venv/bin/python -m bench.upload_memory [--size-mb 100]

Starts Monitoris as a real server process (gunicorn, one gthread worker, on 127.0.0.1 and a
free port) against a temporary SQLite database built by the migrations and a temporary
document store; creates an executive body, an executor with an API token, an assignment and a
draft report; then, with a streaming client (the body is generated chunk by chunk, the download
read chunk by chunk and hashed), uploads one file through ``POST /api/v1/reports/{id}/documents``
and downloads it again through ``GET /api/v1/documents/{id}/content``.  While each transfer runs,
the worker's resident memory (``VmRSS`` in ``/proc/<pid>/status``) is sampled every 10 ms; the
growth is the peak minus the worker's resident memory just before the transfer.

Prints a baseline (the same with a 1 MB file) and then the figure that must stay under 30 MB:

    upload 1MB peak rss growth: N MB
    upload 100MB peak rss growth: N MB
    download 100MB peak rss growth: N MB

Why it stays flat: werkzeug spools a multipart file to a temporary file as it parses, the
storage reads that file in 1 MB chunks while hashing it into a temporary file of the store
(then renames it), and the download is sent with ``send_file`` (the file wrapper / sendfile).
"""

import argparse
import hashlib
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from bench.common import figure, free_port

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 1024 * 1024
PATTERN = hashlib.sha256(b"monitoris").digest() * (CHUNK // 32)  # incompressible-looking, not all zeros


def rss_kb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def children(pid):
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


class Sampler:
    """The peak VmRSS of a process while a ``with`` block runs."""

    def __init__(self, pid):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()

    def __enter__(self):
        self.before = rss_kb(self.pid)
        self.peak = self.before
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_kb(self.pid))
            time.sleep(0.01)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_kb(self.pid))

    @property
    def growth_mb(self):
        return (self.peak - self.before) / 1024


def setup(env):
    """Migrate the database and create the people, the work and a token; returns (token, report id)."""
    code = """
import json, sys
from datetime import date
from flask_migrate import upgrade
from monitoris import create_app
from monitoris.extensions import db
from monitoris.models import Act, Assignment, Organization, Report, Task, User, ApiToken
from monitoris.services import tokens
from datetime import UTC, datetime, timedelta
app = create_app()
with app.app_context():
    upgrade(revision="heads")
    org = Organization(name="State Agency", short_name="SA", kind="central", path="")
    db.session.add(org); db.session.flush(); org.path = f"/{org.id}/"
    user = User(email="executor.sa@bench.example", name="Executor", organization=org, password_hash="x")
    user.roles = ("executor",)
    act = Act(kind="action_plan", title="Plan", state="active")
    task = Task(act=act, number="1", title="Measure")
    a = Assignment(task=task, organization=org, state="in_progress", due_on=date(2030, 1, 1),
                   original_due_on=date(2030, 1, 1), role="lead", progress=0)
    report = Report(assignment=a, period="final", period_due_on=date(2030, 1, 1), final=True, version=1,
                    text="Bench", state="draft", progress=0)
    raw = tokens.PREFIX + "bench-" + "x" * 30
    now = datetime.now(UTC)
    db.session.add_all([user, act, task, a, report, ApiToken(user=user, name="bench", token_hash=tokens.token_hash(raw),
                        created_at=now, expires_at=now + timedelta(days=1))])
    db.session.commit()
    print(json.dumps({"token": raw, "report_id": report.id}))
"""
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return data["token"], data["report_id"]


def upload(port, token, report_id, size):
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.pdf\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    digest = hashlib.sha256()

    def body():
        yield head
        first = b"%PDF-1.7\n"
        sent = 0
        while sent < size:
            chunk = (first + PATTERN)[:min(CHUNK, size - sent)] if sent == 0 else PATTERN[:min(CHUNK, size - sent)]
            digest.update(chunk)
            sent += len(chunk)
            yield chunk
        yield tail

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request("POST", f"/api/v1/reports/{report_id}/documents", body=body(), headers={
        "Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Content-Length": str(len(head) + size + len(tail))}, encode_chunked=False)
    response = conn.getresponse()
    data = json.loads(response.read())
    conn.close()
    if response.status != 201:
        raise SystemExit(f"upload failed: {response.status} {data}")
    document = data["items"][0]
    assert document["sha256"] == digest.hexdigest() and document["size"] == size
    return document


def download(port, token, document):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request("GET", f"/api/v1/documents/{document['id']}/content", headers={"Authorization": f"Bearer {token}"})
    response = conn.getresponse()
    digest, size = hashlib.sha256(), 0
    while chunk := response.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    conn.close()
    assert response.status == 200 and digest.hexdigest() == document["sha256"] and size == document["size"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="monitoris-bench-") as tmp:
        port = free_port()
        env = dict(os.environ, MONITORIS_ENV="development", MONITORIS_SECRET_KEY="bench",
                   MONITORIS_INSTANCE_PATH=str(Path(tmp) / "instance"),
                   MONITORIS_DATABASE_URL=f"sqlite:///{Path(tmp) / 'bench.db'}",
                   MONITORIS_UPLOAD_FOLDER=str(Path(tmp) / "documents"),
                   MONITORIS_DOCUMENT_MAX_MB=str(args.size_mb + 10), MONITORIS_MAX_REQUEST_MB=str(args.size_mb + 20),
                   TMPDIR=tmp)
        token, report_id = setup(env)
        server = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--worker-class", "gthread", "--threads", "4", "--timeout", "300", "wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(200):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.05)
            worker = None
            while worker is None:
                found = children(server.pid)
                worker = found[0] if found else time.sleep(0.05)
            # Warm the worker (imports, first request) so that the baseline is the steady state.
            upload(port, token, report_id, 64 * 1024)
            with Sampler(worker) as small:
                upload(port, token, report_id, 1024 * 1024)
            figure("idle worker rss", round(small.before / 1024), "MB")
            figure("upload 1MB peak rss growth", round(small.growth_mb, 1), "MB")
            with Sampler(worker) as up:
                document = upload(port, token, report_id, args.size_mb * 1024 * 1024)
            figure(f"upload {args.size_mb}MB peak rss growth", round(up.growth_mb, 1), "MB")
            with Sampler(worker) as down:
                download(port, token, document)
            figure(f"download {args.size_mb}MB peak rss growth", round(down.growth_mb, 1), "MB")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
