"""The web tier across a real PostgreSQL restart: clean 503s during it, success right after, nothing lost.

NOT run by the test suite or ``make bench``: it restarts the PostgreSQL server, which would break
everyone else's work on a shared machine.  Run it on a machine of your own::

    python -m bench.pg_restart --i-own-this-server [--restart "sudo pg_ctlcluster 15 main restart"]

It builds a small dataset in a fresh database, starts gunicorn (monitoris.gunicorn_config), and
while client threads read the assignment list and write (PATCH the note with If-Match, as the controller), runs the
restart command.  It then prints the status codes seen and checks that: every answer was 200, 412
(a write raced another) or 503 problem+json with Retry-After; requests succeed again within a few
seconds of the restart (the pool's pre-ping drops dead connections); and every write that was
answered 200 is in the database.
"""

import argparse
import http.client
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter

import psycopg

from bench.common import bench_database, make_app
from bench.datagen import generate
from bench.list_api import gunicorn, setup_tokens


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--i-own-this-server", action="store_true", required=True,
                        help="confirm that restarting PostgreSQL harms nobody")
    parser.add_argument("--restart", default="pg_ctlcluster 15 main restart")
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args(argv)
    statuses, bad, confirmed, lock = Counter(), [], {}, threading.Lock()
    with bench_database("monitoris_restart") as url, tempfile.TemporaryDirectory() as instance:
        app = make_app(url, instance)
        generate(url, 0.01)
        controller_id, _, token_of, _, _ = setup_tokens(app)
        headers = {"Authorization": f"Bearer {token_of[controller_id]}", "Content-Type": "application/json"}
        stop = time.monotonic() + args.seconds
        with gunicorn(url, instance, 2, 4) as port:
            def client(worker):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                n = 0
                while time.monotonic() < stop:
                    n += 1
                    assignment_id = 1 + (worker * 997 + n) % 500
                    try:
                        conn.request("GET", f"/api/v1/assignments/{assignment_id}", headers=headers)
                        response = conn.getresponse()
                        body = response.read()
                        if response.status == 200:
                            conn.request("PATCH", f"/api/v1/assignments/{assignment_id}",
                                         body=json.dumps({"note": f"restart check {worker}.{n}"}),
                                         headers=headers | {"If-Match": response.headers["ETag"]})
                            response = conn.getresponse()
                            body = response.read()
                            if response.status == 200:
                                with lock:
                                    confirmed[assignment_id] = json.loads(body)["version"]
                    except (OSError, http.client.HTTPException):
                        conn.close()
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                        continue
                    with lock:
                        statuses[response.status] += 1
                        clean = (response.headers.get("Content-Type") == "application/problem+json"
                                 and response.headers.get("Retry-After"))
                        if response.status == 503 and not clean:
                            bad.append(("503 without problem+json or Retry-After", body[:200]))
                        elif response.status not in (200, 412, 503):
                            bad.append((response.status, body[:200]))
                    time.sleep(0.01)

            threads = [threading.Thread(target=client, args=(i,)) for i in range(4)]
            for t in threads:
                t.start()
            time.sleep(args.seconds / 4)
            restarted_at = time.monotonic()
            subprocess.run(args.restart, shell=True, check=True)
            print(f"restart took {time.monotonic() - restarted_at:.1f} s", flush=True)
            for t in threads:
                t.join()
        with psycopg.connect(url) as conn:
            versions = dict(conn.execute("SELECT id, version FROM assignments WHERE id = ANY(%s)",
                                         (list(confirmed),)).fetchall())
    lost = {i: v for i, v in confirmed.items() if versions.get(i, 0) < v}
    print("statuses:", dict(statuses))
    print("unexpected answers:", len(bad), bad[:3])
    print("confirmed writes lost:", len(lost))
    sys.exit(1 if bad or lost or not statuses[200] else 0)


if __name__ == "__main__":
    main()
