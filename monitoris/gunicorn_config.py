"""gunicorn settings for Monitoris: ``gunicorn -c python:monitoris.gunicorn_config wsgi:app``.

Threaded workers (gthread): an open live-feed stream (Server-Sent Events, up to
``MONITORIS_SSE_MAX_SECONDS``) and a slow upload each hold one thread, not a whole process,
so a few processes with many threads serve them without starving ordinary requests.  Every
value can be changed with an environment variable (``MONITORIS_GUNICORN_*``) or on the
command line, which wins over this file.
"""

import multiprocessing
import os


def _int(name, default):
    value = os.environ.get(f"MONITORIS_GUNICORN_{name}", "")
    return int(value) if value.strip() else default


bind = os.environ.get("MONITORIS_GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
# Processes: the classic 2 × cores + 1 gives the GIL no room on a threaded worker; cores + 1 keeps
# CPU-bound work (rendering, JSON) parallel while threads cover the waiting.  2 cores -> 3 workers.
workers = _int("WORKERS", multiprocessing.cpu_count() + 1)
# Threads per process: each open SSE stream holds one, so leave headroom for ordinary requests.
threads = _int("THREADS", 16)
# A gthread worker's heartbeat comes from its main loop, not from the request threads, so a
# ten-minute SSE stream or a long upload does not trip this; it only catches a hung process.
timeout = _int("TIMEOUT", 60)
graceful_timeout = _int("GRACEFUL_TIMEOUT", 30)
# Idle keep-alive connections are cheap with gthread; a proxy in front reuses them.
keepalive = _int("KEEPALIVE", 5)
# Recycle a process now and then (with jitter, so that they do not all restart together).
max_requests = _int("MAX_REQUESTS", 10_000)
max_requests_jitter = _int("MAX_REQUESTS_JITTER", 1_000)
# Bodies are streamed to the document store by the application; gunicorn only limits the headers.
limit_request_line = 8190
# Who may set X-Forwarded-*: the reverse proxy (localhost by default).  The app itself honours
# these headers only when MONITORIS_PROXIES is set (werkzeug's ProxyFix).
forwarded_allow_ips = os.environ.get("MONITORIS_GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Load the app in each worker after the fork: no database connection is ever shared across processes.
preload_app = False

accesslog = os.environ.get("MONITORIS_GUNICORN_ACCESSLOG", "-")
errorlog = "-"
loglevel = os.environ.get("MONITORIS_GUNICORN_LOGLEVEL", "info")
# Client address (after the proxy), request line, status, bytes, duration in microseconds, user agent.
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(B)s %(D)sus "%(a)s"'
proc_name = "monitoris"
