"""Two gunicorn instances and two schedulers on one PostgreSQL database (bench/two_instances.py, small numbers).

A fresh database with the demo; transitions and racing PATCHes through both instances at once; then no
outbox row left unsent, no message lost or sent twice, exactly one of each PATCH pair applied (the other
412), the audit chain intact, one scheduler leading, and rate limits counted once for both (in Redis).
PostgreSQL (and Redis) only; about 20 seconds.
"""

import pytest

from bench import two_instances

pytestmark = pytest.mark.postgresql


def test_two_instances_and_two_schedulers_lose_and_repeat_nothing(capsys):
    status = two_instances.main(["--assignments", "6", "--rounds", "1", "--patch-pairs", "8", "--grace", "30",
                                 "--workers", "1"])
    out = capsys.readouterr().out
    assert status == 0, out
    figures = dict(line.split(": ", 1) for line in out.splitlines() if ": " in line)
    assert figures["violations"].strip() == "0"
    assert figures["patch pairs with one 200 and one 412"] == "8 pairs"
    assert figures["emails lost"] == "0 messages" and figures["emails duplicated"] == "0 messages"
    assert figures["sms received"] != "0 messages"  # the SMS channel was exercised too
    assert figures["schedulers that led"] == "1 processes"
    assert all(int(figures[f"requests through instance {i}"].split()[0]) > 0 for i in (0, 1))
    limit = two_instances.RATE_LIMIT
    assert figures["token creations before the shared limit"].startswith(f"{limit} attempts")


def test_the_other_scheduler_takes_the_lead_when_the_leader_is_killed(capsys):
    """The leader gets SIGKILL a second into the workload: the other takes over, the rows the dead one had claimed
    come back when their lease runs out, and nothing is lost (one message may repeat, by design)."""
    status = two_instances.main(["--assignments", "6", "--rounds", "1", "--patch-pairs", "4", "--grace", "40",
                                 "--workers", "1", "--kill-leader"])
    out = capsys.readouterr().out
    assert status == 0, out
    figures = dict(line.split(": ", 1) for line in out.splitlines() if ": " in line)
    assert figures["violations"].strip() == "0"
    assert figures["leader killed"].endswith("(SIGKILL)")
    assert float(figures["lead taken over after"].split()[0]) < 15
    assert figures["schedulers that led"] == "2 processes" and figures["leader locks held"] == "1 sessions"
    assert figures["emails lost"] == "0 messages" and figures["sms lost"] == "0 messages"
    assert figures["outbox not sent"] == "0 rows"
