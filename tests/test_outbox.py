"""The outbox and its sender: limits, RetryAfter per chat, Forbidden, ChatMigrated, retries, edits, recovery.

Deterministic: the sender gets a fake clock whose sleep advances time, and a fake Telegram API that
records when each call happened and raises the errors a test scripts.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.delivery import OutboxSender, Spacing
from storage.articles import SqliteEventLog
from storage.db import Database
from storage.outbox import OutboxRow, OutboxStore


class FakeTime:
    """A clock whose sleep moves time forward instantly."""

    def __init__(self) -> None:
        self.t = datetime(2024, 11, 1, 12, 0, tzinfo=UTC).timestamp()

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.t, UTC)

    async def sleep(self, seconds: float) -> None:
        for _ in range(5):  # let ready tasks run at the current instant, as a real sleep would
            await asyncio.sleep(0)
        self.t += max(0.0, seconds)


class FakeApi:
    """Records calls with the fake time; raises scripted errors per chat."""

    def __init__(self, clock: FakeTime) -> None:
        self.clock = clock
        self.sent: list[tuple[float, int, str]] = []
        self.edits: list[tuple[float, int, int, str]] = []
        self.errors: dict[int, deque[Exception]] = defaultdict(deque)
        self._ids: dict[int, int] = defaultdict(int)

    def _maybe_raise(self, chat_id: int) -> None:
        if self.errors[chat_id]:
            raise self.errors[chat_id].popleft()

    async def send(self, row: OutboxRow) -> int:
        self._maybe_raise(row.chat_id)
        self._ids[row.chat_id] += 1
        self.sent.append((self.clock.t, row.chat_id, row.text))
        return self._ids[row.chat_id]

    async def edit(self, row: OutboxRow, message_id: int) -> None:
        self._maybe_raise(row.chat_id)
        self.edits.append((self.clock.t, row.chat_id, message_id, row.text))


class FakeChats:
    def __init__(self) -> None:
        self.deactivated: list[int] = []
        self.migrated: list[tuple[int, int]] = []

    async def deactivate(self, chat_id: int) -> None:
        self.deactivated.append(chat_id)

    async def migrate(self, old_chat_id: int, new_chat_id: int) -> None:
        self.migrated.append((old_chat_id, new_chat_id))


@pytest.fixture
async def env(tmp_path: Path):
    clock = FakeTime()
    db = await Database.open(tmp_path / "t.sqlite3")
    store = OutboxStore(db, clock)
    api = FakeApi(clock)
    chats = FakeChats()
    sender = OutboxSender(
        store, api, clock, sleep=clock.sleep, chats=chats, events=SqliteEventLog(db, clock), idle_poll=0.25
    )
    yield clock, db, store, api, chats, sender
    await db.close()


def test_spacing_bucket() -> None:
    bucket = Spacing(rate=2.0)
    assert bucket.reserve(0.0) == 0.0
    assert bucket.reserve(0.0) == 0.5
    assert bucket.available_at(0.1) == 1.0
    bucket.hold_until(10.0)
    assert bucket.available_at(1.0) == 10.0


async def test_limits_overall_private_and_group(env) -> None:
    clock, _db, store, api, _chats, sender = env
    start = clock.t
    # 60 chats with one message each, two private chats with 5 each, one group with 25.
    await store.enqueue_broadcast(range(1000, 1060), "b:1", "hello")
    for n in range(5):
        await store.enqueue(7, f"p:{n}", f"private {n}")
        await store.enqueue(8, f"p:{n}", f"private {n}")
    for n in range(25):
        await store.enqueue(-100, f"g:{n}", f"group {n}")
    await sender.run(until_idle=True)
    assert len(api.sent) == 60 + 10 + 25
    times = sorted(t for t, _, _ in api.sent)
    for i in range(len(times) - 30):
        assert times[i + 30] - times[i] >= 1.0, "more than 30 messages in one second"
    by_chat: dict[int, list[float]] = defaultdict(list)
    for t, chat, _ in api.sent:
        by_chat[chat].append(t)
    for chat in (7, 8):
        gaps = [b - a for a, b in zip(by_chat[chat], by_chat[chat][1:], strict=False)]
        assert min(gaps) >= 1.0
    group = by_chat[-100]
    for i in range(len(group) - 20):
        assert group[i + 20] - group[i] >= 60.0, "more than 20 messages a minute to a group"
    # per-chat order is kept
    assert [text for _, chat, text in api.sent if chat == -100] == [f"group {n}" for n in range(25)]
    # and the single messages were not held up behind the group's backlog
    assert max(by_chat[1059]) - start < 5.0


async def test_retry_after_holds_only_that_chat(env) -> None:
    clock, db, store, api, _chats, sender = env
    start = clock.t
    api.errors[5].append(RetryAfter(30))
    await store.enqueue(5, "a", "to five")
    await store.enqueue(6, "a", "to six")
    await store.enqueue(6, "b", "to six again")
    await sender.run(until_idle=True)
    sent = {(chat, text): t for t, chat, text in api.sent}
    assert sent[(6, "to six")] - start < 1.0
    assert sent[(6, "to six again")] - start < 3.0
    assert sent[(5, "to five")] - start >= 30.0
    assert sender.stats.retry_after == 1
    assert await db.scalar("SELECT COUNT(*) FROM events WHERE kind = 'delivery.retry_after'") == 1


async def test_forbidden_deactivates_chat_and_fails_its_queue(env) -> None:
    _clock, db, store, api, chats, sender = env
    api.errors[9].append(Forbidden("Forbidden: bot was blocked by the user"))
    await store.enqueue(9, "a", "one")
    await store.enqueue(9, "b", "two")
    await store.enqueue(10, "a", "other chat")
    await sender.run(until_idle=True)
    assert chats.deactivated == [9]
    assert [c for _, c, _ in api.sent] == [10]
    assert await db.scalar("SELECT COUNT(*) FROM outbox WHERE chat_id = 9 AND state = 'failed'") == 2


async def test_chat_migrated_moves_queue_to_new_id(env) -> None:
    _clock, db, store, api, chats, sender = env
    api.errors[-5].append(ChatMigrated(-1005))
    await store.enqueue(-5, "a", "first")
    await store.enqueue(-5, "b", "second")
    await sender.run(until_idle=True)
    assert chats.migrated == [(-5, -1005)]
    assert [(c, t) for _, c, t in api.sent] == [(-1005, "first"), (-1005, "second")]
    assert await db.scalar("SELECT COUNT(*) FROM outbox WHERE chat_id = -5") == 0


async def test_network_errors_retried_with_backoff(env) -> None:
    clock, db, store, api, _chats, sender = env
    start = clock.t
    api.errors[3].extend([NetworkError("connection reset"), NetworkError("connection reset")])
    await store.enqueue(3, "a", "eventually")
    await sender.run(until_idle=True)
    assert [t for _, _, t in api.sent] == ["eventually"]
    assert api.sent[0][0] - start >= 3.0  # 1 s then 2 s of backoff
    assert await db.scalar("SELECT attempts FROM outbox WHERE chat_id = 3") == 3


async def test_permanent_bad_request_fails_and_is_counted(env) -> None:
    _clock, db, store, api, _chats, sender = env
    api.errors[4].append(BadRequest("Can't parse entities: unsupported start tag"))
    await store.enqueue(4, "a", "<x>broken")
    await sender.run(until_idle=True)
    assert api.sent == []
    assert await db.scalar("SELECT state FROM outbox WHERE chat_id = 4") == "failed"
    assert await db.scalar("SELECT COUNT(*) FROM events WHERE kind = 'delivery.failed'") == 1


async def test_edit_follows_its_send(env) -> None:
    clock, db, store, api, _chats, sender = env
    first = await store.enqueue(11, "story:1:v1", "one article", story_id=1)
    await store.enqueue(11, "story:1:v2", "two articles", story_id=1, kind="edit", edit_of=first)
    await sender.run(until_idle=True)
    assert [t for _, _, t in api.sent] == ["one article"]
    assert [(c, m, t) for _, c, m, t in api.edits] == [(11, 1, "two articles")]
    row = await db.fetchone(
        "SELECT message_id, edited_at FROM sent_messages WHERE chat_id = 11 AND story_id = 1"
    )
    assert row["message_id"] == 1 and row["edited_at"]
    # an edit of a message older than 48 hours becomes a new message
    clock.t += timedelta(hours=49).total_seconds()
    await store.enqueue(11, "story:1:v3", "three articles", story_id=1, kind="edit", edit_of=first)
    await sender.run(until_idle=True)
    assert [t for _, _, t in api.sent] == ["one article", "three articles"]


async def test_recovery_resends_inflight_and_records_uncertainty(env) -> None:
    clock, db, store, api, _chats, sender = env
    row_id = await store.enqueue(12, "a", "was in flight")
    assert row_id and await store.claim(row_id, clock.t)
    await sender.run(until_idle=True)
    assert [t for _, _, t in api.sent] == ["was in flight"]
    assert await db.scalar("SELECT COUNT(*) FROM events WHERE kind = 'delivery.uncertain'") == 1


async def test_enqueue_is_idempotent_per_key(env) -> None:
    _clock, _db, store, api, _chats, sender = env
    assert await store.enqueue(13, "digest:daily:2024-11-01", "x")
    assert await store.enqueue(13, "digest:daily:2024-11-01", "x") is None
    await sender.run(until_idle=True)
    assert len(api.sent) == 1


async def test_sql_chat_directory_deactivates_and_moves_subscriptions(tmp_path: Path) -> None:
    from storage.outbox import SqlChatDirectory

    clock = FakeTime()
    db = await Database.open(tmp_path / "chats.sqlite3")
    try:
        for chat_id, kind in ((21, "private"), (-22, "group")):
            await db.execute(
                "INSERT INTO chats(id, type, digest_mode, created_at) VALUES (?, ?, 'daily', 'x')",
                (chat_id, kind),
            )
            await db.execute(
                "INSERT INTO subscriptions(chat_id, kind, query, created_at)"
                " VALUES (?, 'keyword', 'Lavrov', 'x')",
                (chat_id,),
            )
        store = OutboxStore(db, clock)
        api = FakeApi(clock)
        api.errors[21].append(Forbidden("Forbidden: bot was blocked by the user"))
        api.errors[-22].append(ChatMigrated(-1022))
        await store.enqueue(21, "a", "to the blocker")
        await store.enqueue(-22, "a", "to the group")
        sender = OutboxSender(store, api, clock, sleep=clock.sleep, chats=SqlChatDirectory(db))
        await sender.run(until_idle=True)
        assert await db.scalar("SELECT active FROM chats WHERE id = 21") == 0
        assert await db.scalar("SELECT active FROM chats WHERE id = -22") == 0
        moved = await db.fetchone("SELECT type, digest_mode, active FROM chats WHERE id = -1022")
        assert tuple(moved) == ("supergroup", "daily", 1)
        assert (
            await db.scalar("SELECT chat_id FROM subscriptions WHERE query = 'Lavrov' AND chat_id < 0")
            == -1022
        )
        assert [(c, t) for _, c, t in api.sent] == [(-1022, "to the group")]
    finally:
        await db.close()
