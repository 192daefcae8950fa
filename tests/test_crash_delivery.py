"""Kill -9 during a fan-out to 500 chats, restart, and check what the Bot API server received.

The sender runs as a real subprocess (bench/fanout.py --child) against the limit-enforcing local
server (bench/botapi_limits.py, another process), with the limits sped up ×3 on both sides. The test
SIGKILLs the sender at a random moment mid-way, starts it again on the same database and waits for it
to drain. Every chat must have received the message, and exactly once.

The one duplicate the design cannot rule out (see bot/delivery.py) is a message that was in flight at
the kill and had already been accepted: the restarted sender reports each such row as a
`delivery.uncertain` event. The test therefore asserts: no chat lost; no chat duplicated unless its
row was reported uncertain; at most `--in-flight` uncertain rows per kill.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHATS = 500
SCALE = 3.0
IN_FLIGHT = 8


def _start_server() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "bench" / "botapi_limits.py"),
            "--port",
            "0",
            "--global-rate",
            str(30 * SCALE),
            "--private-rate",
            str(SCALE),
            "--group-per-minute",
            str(20 * SCALE),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    port = int(proc.stdout.readline().strip().rsplit(" ", 1)[1])
    return proc, f"http://127.0.0.1:{port}"


def _stats(server: str) -> dict:
    with urllib.request.urlopen(f"{server}/_stats", timeout=10) as resp:
        return json.loads(resp.read())


def _child(server: str, db: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "bench" / "fanout.py"),
            "--child",
            "--server",
            server,
            "--db",
            str(db),
            "--chats",
            str(CHATS),
            "--scale",
            str(SCALE),
            "--in-flight",
            str(IN_FLIGHT),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def test_sigkill_mid_fanout_then_restart_delivers_each_chat_once(tmp_path: Path) -> None:
    rng = random.Random(os.environ.get("CRASH_SEED") or None)
    server_proc, server = _start_server()
    db = tmp_path / "crash.sqlite3"
    try:
        child = _child(server, db)
        kill_after = rng.randint(60, 400)
        deadline = time.monotonic() + 60
        while _stats(server)["count"] < kill_after:
            assert child.poll() is None, child.stderr.read() if child.stderr else ""
            assert time.monotonic() < deadline, "the sender made no progress"
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.05))  # land anywhere in the send cycle, not just after a send
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
        at_kill = _stats(server)["count"]
        assert 0 < at_kill < CHATS, "the kill was not mid-way"

        again = _child(server, db)
        out, err = again.communicate(timeout=60)
        assert again.returncode == 0, err
        report = json.loads(out.strip().splitlines()[-1])

        messages = _stats(server)["messages"]
        got = {int(k): len(v) for k, v in messages.items()}
        expected = range(100_000, 100_000 + CHATS)
        lost = [c for c in expected if got.get(c, 0) == 0]
        duplicated = [c for c in expected if got.get(c, 0) > 1]
        with sqlite3.connect(db) as conn:
            uncertain = {
                int(r[0])
                for r in conn.execute("SELECT subject FROM events WHERE kind = 'delivery.uncertain'")
            }
            states = dict(conn.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())
        print(
            f"killed after {at_kill} messages; uncertain rows {len(uncertain)}; duplicates {len(duplicated)}"
        )
        assert lost == []
        assert set(duplicated) <= uncertain, "a duplicate that the sender did not report as uncertain"
        assert len(uncertain) <= IN_FLIGHT
        assert report["uncertain"] == len(uncertain)
        assert states == {"sent": CHATS}
        assert _stats(server)["429"] == 0
    finally:
        server_proc.kill()
        server_proc.wait(timeout=10)
