"""The persistent outbox: every message to a chat is a row here before it is a Telegram message.

Rows move pending → sending → sent (or failed). `enqueue` takes the caller's connection so the row is
written in the same transaction that decided the message; a unique (chat_id, dedup_key) makes a
second decision of the same message a no-op. See bot/delivery.py for the sender and its guarantees.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import aiosqlite

from news.clock import Clock, to_iso
from storage.db import Database

STATES = ("pending", "sending", "sent", "failed")


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One queued message."""

    id: int
    chat_id: int
    dedup_key: str
    kind: str
    text: str
    parse_mode: str | None
    reply_markup: str | None
    disable_preview: bool
    thread_id: int | None
    story_id: int | None
    edit_of: int | None
    state: str
    attempts: int
    next_attempt_at: float
    message_id: int | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> OutboxRow:
        """Build from a `SELECT * FROM outbox` row."""
        return cls(
            id=row["id"],
            chat_id=row["chat_id"],
            dedup_key=row["dedup_key"],
            kind=row["kind"],
            text=row["text"],
            parse_mode=row["parse_mode"],
            reply_markup=row["reply_markup"],
            disable_preview=bool(row["disable_preview"]),
            thread_id=row["thread_id"],
            story_id=row["story_id"],
            edit_of=row["edit_of"],
            state=row["state"],
            attempts=row["attempts"],
            next_attempt_at=row["next_attempt_at"],
            message_id=row["message_id"],
        )


async def enqueue(
    conn: aiosqlite.Connection,
    *,
    chat_id: int,
    dedup_key: str,
    text: str,
    now: float,
    created_at: str,
    parse_mode: str | None = "HTML",
    kind: str = "send",
    story_id: int | None = None,
    edit_of: int | None = None,
    reply_markup: str | None = None,
    disable_preview: bool = True,
    thread_id: int | None = None,
    not_before: float | None = None,
) -> int | None:
    """Insert one message on the caller's (transaction's) connection; None when the key already exists."""
    cur = await conn.execute(
        "INSERT OR IGNORE INTO outbox(chat_id, dedup_key, kind, text, parse_mode, reply_markup,"
        " disable_preview, thread_id, story_id, edit_of, next_attempt_at, created_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            chat_id,
            dedup_key,
            kind,
            text,
            parse_mode,
            reply_markup,
            int(disable_preview),
            thread_id,
            story_id,
            edit_of,
            max(now, not_before or 0.0),
            created_at,
        ),
    )
    return int(cur.lastrowid) if cur.rowcount and cur.lastrowid else None


class OutboxStore:
    """Queries and state changes of the outbox, on a Database."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    @property
    def db(self) -> Database:
        """The database the outbox lives in."""
        return self._db

    def _now(self) -> float:
        return self._clock.now().timestamp()

    # -- enqueueing -------------------------------------------------------------------------------

    async def enqueue(self, chat_id: int, dedup_key: str, text: str, **options: object) -> int | None:
        """Enqueue one message in its own transaction (use `enqueue(conn, ...)` inside a bigger one)."""
        async with self._db.atomic() as conn:
            return await enqueue(
                conn,
                chat_id=chat_id,
                dedup_key=dedup_key,
                text=text,
                now=self._now(),
                created_at=to_iso(self._clock.now()),
                **options,  # type: ignore[arg-type]
            )

    async def enqueue_broadcast(
        self, chat_ids: Iterable[int], dedup_key: str, text: str, *, parse_mode: str | None = "HTML"
    ) -> int:
        """Enqueue the same message to many chats in one transaction; returns how many were new."""
        now = self._now()
        stamp = to_iso(self._clock.now())
        added = 0
        async with self._db.atomic() as conn:
            for chat_id in chat_ids:
                if await enqueue(
                    conn,
                    chat_id=chat_id,
                    dedup_key=dedup_key,
                    text=text,
                    now=now,
                    created_at=stamp,
                    parse_mode=parse_mode,
                ):
                    added += 1
        return added

    # -- the sender's side --------------------------------------------------------------------------

    async def due_heads(self, now: float, *, limit: int, exclude: Sequence[int] = ()) -> list[OutboxRow]:
        """The oldest pending row of each chat with nothing in flight, when it is due, oldest first.

        Only a chat's head is eligible, so a chat's messages go out in the order they were decided.
        """
        rows = await self._db.fetchall(
            "SELECT o.* FROM outbox o JOIN ("
            "  SELECT chat_id, MIN(id) AS id FROM outbox WHERE state = 'pending' GROUP BY chat_id"
            ") h ON o.id = h.id"
            " WHERE o.next_attempt_at <= ?"
            " AND o.chat_id NOT IN (SELECT chat_id FROM outbox WHERE state = 'sending')"
            " ORDER BY o.next_attempt_at, o.id LIMIT ?",
            (now, limit + len(exclude)),
        )
        skip = set(exclude)
        return [OutboxRow.from_row(r) for r in rows if r["chat_id"] not in skip][:limit]

    async def claim(self, row_id: int, now: float) -> bool:
        """Mark a due pending row 'sending' (committed before the API call); False if it changed."""
        async with self._db.atomic() as conn:
            cur = await conn.execute(
                "UPDATE outbox SET state = 'sending', claimed_at = ?, attempts = attempts + 1"
                " WHERE id = ? AND state = 'pending' AND next_attempt_at <= ?",
                (now, row_id, now),
            )
            return cur.rowcount == 1

    async def mark_sent(self, row: OutboxRow, message_id: int) -> None:
        """Record the API's answer: the row is sent; a per-story message is remembered for edits."""
        stamp = to_iso(self._clock.now())
        async with self._db.atomic() as conn:
            await conn.execute(
                "UPDATE outbox SET state = 'sent', sent_at = ?, message_id = ?, last_error = NULL"
                " WHERE id = ?",
                (stamp, message_id, row.id),
            )
            if row.story_id is not None:
                if row.kind == "send":
                    await conn.execute(
                        "INSERT OR REPLACE INTO sent_messages"
                        "(chat_id, story_id, message_id, outbox_id, sent_at)"
                        " VALUES (?,?,?,?,?)",
                        (row.chat_id, row.story_id, message_id, row.id, stamp),
                    )
                else:
                    await conn.execute(
                        "UPDATE sent_messages SET edited_at = ? WHERE chat_id = ? AND story_id = ?",
                        (stamp, row.chat_id, row.story_id),
                    )

    async def reschedule(self, row_id: int, at: float, error: str, *, refund_attempt: bool = False) -> None:
        """Put a claimed row back to pending, due at `at` (Unix seconds)."""
        await self._db.execute(
            "UPDATE outbox SET state = 'pending', next_attempt_at = ?, last_error = ?,"
            " attempts = attempts - ? WHERE id = ? AND state = 'sending'",
            (at, error[:500], 1 if refund_attempt else 0, row_id),
        )

    async def defer_chat(self, chat_id: int, until: float, error: str) -> None:
        """Hold every pending or in-flight-failed row of one chat until `until` (RetryAfter)."""
        await self._db.execute(
            "UPDATE outbox SET state = CASE WHEN state = 'sending' THEN 'pending' ELSE state END,"
            " next_attempt_at = MAX(next_attempt_at, ?), last_error = ?"
            " WHERE chat_id = ? AND state IN ('pending', 'sending')",
            (until, error[:500], chat_id),
        )

    async def fail(self, row_id: int, error: str) -> None:
        """Give up on one row."""
        await self._db.execute(
            "UPDATE outbox SET state = 'failed', last_error = ? WHERE id = ?", (error[:500], row_id)
        )

    async def convert_to_send(self, row_id: int, at: float) -> None:
        """Turn an edit whose message is gone or too old into a new message."""
        await self._db.execute(
            "UPDATE outbox SET kind = 'send', edit_of = NULL, state = 'pending', next_attempt_at = ?"
            " WHERE id = ?",
            (at, row_id),
        )

    async def message_of(self, row_id: int) -> tuple[str, int | None, str | None] | None:
        """(state, message_id, sent_at) of a row, for resolving an edit's target."""
        row = await self._db.fetchone("SELECT state, message_id, sent_at FROM outbox WHERE id = ?", (row_id,))
        return None if row is None else (row["state"], row["message_id"], row["sent_at"])

    async def recover_inflight(self) -> list[OutboxRow]:
        """After a crash: rows left 'sending' have an unknown outcome; put them back to pending.

        Returns them so the sender can record each as an uncertain delivery.
        """
        async with self._db.atomic() as conn:
            async with conn.execute("SELECT * FROM outbox WHERE state = 'sending'") as cur:
                rows = [OutboxRow.from_row(r) for r in await cur.fetchall()]
            await conn.execute("UPDATE outbox SET state = 'pending' WHERE state = 'sending'")
        return rows

    # -- chats that went away or moved ---------------------------------------------------------------

    async def fail_chat(self, chat_id: int, error: str) -> int:
        """Fail every pending row of a chat (blocked, kicked, gone); returns how many."""
        async with self._db.atomic() as conn:
            cur = await conn.execute(
                "UPDATE outbox SET state = 'failed', last_error = ? WHERE chat_id = ? AND state IN"
                " ('pending', 'sending')",
                (error[:500], chat_id),
            )
            return cur.rowcount

    async def move_chat(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: move its outbox rows and story messages to the new id."""
        async with self._db.atomic() as conn:
            await conn.execute(
                "UPDATE OR IGNORE outbox SET chat_id = ?"
                " WHERE chat_id = ? AND state IN ('pending', 'sending')",
                (new_chat_id, old_chat_id),
            )
            # A row the new chat already has (same dedup key) stays behind: settle it, or it would loop.
            await conn.execute(
                "UPDATE outbox SET state = 'failed', last_error = 'chat migrated; already queued there'"
                " WHERE chat_id = ? AND state IN ('pending', 'sending')",
                (old_chat_id,),
            )
            # Messages sent in the old group cannot be edited from the new id: forget them.
            await conn.execute("DELETE FROM sent_messages WHERE chat_id = ?", (old_chat_id,))
            await conn.execute(
                "UPDATE OR IGNORE digest_queue SET chat_id = ? WHERE chat_id = ?", (new_chat_id, old_chat_id)
            )
            await conn.execute(
                "UPDATE OR IGNORE digest_state SET chat_id = ? WHERE chat_id = ?", (new_chat_id, old_chat_id)
            )

    # -- reporting ------------------------------------------------------------------------------------

    async def counts(self) -> dict[str, int]:
        """How many rows are in each state."""
        rows = await self._db.fetchall("SELECT state, COUNT(*) AS n FROM outbox GROUP BY state")
        found = {r["state"]: int(r["n"]) for r in rows}
        return {state: found.get(state, 0) for state in STATES}

    async def pending_count(self) -> int:
        """Rows not yet settled (pending or in flight)."""
        return int(
            await self._db.scalar("SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')") or 0
        )

    async def next_due(self) -> float | None:
        """The earliest next_attempt_at among pending rows, or None."""
        value = await self._db.scalar("SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'pending'")
        return None if value is None else float(value)


async def _table_columns(conn: aiosqlite.Connection, table: str) -> list[str]:
    async with conn.execute(f"PRAGMA table_info({table})") as cur:
        return [r[1] for r in await cur.fetchall()]


class SqlChatDirectory:
    """What the sender does to chats (table `chats`, migration 0003) when Telegram says they changed.

    Written against the columns the chats migration documents (`id`, `active`) and checks that the
    tables exist, so the outbox works in a database without chats (benchmarks, the CLI).
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    async def deactivate(self, chat_id: int) -> None:
        """Blocked or kicked: the chat stops receiving anything (chats.active = 0)."""
        async with self._db.atomic() as conn:
            if "active" in await _table_columns(conn, "chats"):
                await conn.execute("UPDATE chats SET active = 0 WHERE id = ?", (chat_id,))

    async def migrate(self, old_chat_id: int, new_chat_id: int) -> None:
        """A group became a supergroup: the chat row and its subscriptions move to the new id."""
        async with self._db.atomic() as conn:
            chat_columns = await _table_columns(conn, "chats")
            if chat_columns:
                async with conn.execute("SELECT 1 FROM chats WHERE id = ?", (new_chat_id,)) as cur:
                    exists = await cur.fetchone() is not None
                if not exists:
                    cols = [c for c in chat_columns if c != "id"]
                    col_list = ", ".join(cols)
                    await conn.execute(
                        f"INSERT INTO chats(id, {col_list}) SELECT ?, {col_list} FROM chats WHERE id = ?",
                        (new_chat_id, old_chat_id),
                    )
                if "type" in chat_columns:
                    await conn.execute("UPDATE chats SET type = 'supergroup' WHERE id = ?", (new_chat_id,))
            sub_columns = await _table_columns(conn, "subscriptions")
            if "chat_id" in sub_columns:
                await conn.execute(
                    "UPDATE OR IGNORE subscriptions SET chat_id = ? WHERE chat_id = ?",
                    (new_chat_id, old_chat_id),
                )
                await conn.execute("DELETE FROM subscriptions WHERE chat_id = ?", (old_chat_id,))
            if chat_columns:
                if "active" in chat_columns:
                    await conn.execute("UPDATE chats SET active = 0 WHERE id = ?", (old_chat_id,))
                else:
                    await conn.execute("DELETE FROM chats WHERE id = ?", (old_chat_id,))
