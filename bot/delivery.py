"""The sender: drains the outbox into Telegram within its limits, and survives being killed.

Limits. Spacing buckets (GCRA) pace the sends: one overall (30 messages/s), one per private chat (1/s)
and one per group or channel (20/min), at 98.5% of each figure. On top, two causal guards make the
limits hold at Telegram's end whatever pauses (GC, a slow commit, the network) do to requests on the
way: a call may start only when the call `global_per_second` places back got its answer at least
1.01 s ago, and a chat's next call waits a full per-chat interval from when its previous call was
answered (Telegram received a request before it answered it). A 429 (`RetryAfter`) holds back
only the chat it was about; `Forbidden` (blocked, kicked) and "chat not found" deactivate the chat and
fail its queue; `ChatMigrated` moves the chat, its subscriptions and its queue to the new id; network
errors are retried with exponential backoff up to `max_attempts`.

Exactly once, as far as Telegram allows. A row is claimed ('sending', committed) before the API call
and marked 'sent' in the very next transaction after the API answers; a chat's rows go out in order and
one at a time. After a crash, a row found in 'sending' has an unknown outcome: the request may or may
not have reached Telegram, and the Bot API has no idempotency key and no way to read a chat back. We
resend it (no loss) and record a `delivery.uncertain` event. So the residual risk is one duplicate per
message that was in flight at the moment of the crash *and* had already been accepted by Telegram;
the window is the time between Telegram accepting the request and our commit (well under a millisecond
on a local server, about one network half-round-trip in production), and at most `max_in_flight`
messages can be in it at once. A `TimedOut` is ambiguous in the same way and handled the same way.
Only one sender may run per database: `acquire_sender_lock` takes an OS lock next to the file.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError

from news.clock import Clock, from_iso
from news.ports import EventSink
from storage.outbox import OutboxRow, OutboxStore

log = logging.getLogger(__name__)

EDIT_MAX_AGE_SECONDS = 48 * 3600
GUARD_WINDOW = 1.01  # seconds: no N+1 calls while the call N places back finished less than this ago
Sleep = Callable[[float], Awaitable[None]]


# -- rate limiting ----------------------------------------------------------------------------------


class Spacing:
    """A GCRA bucket: at most `rate` events per second on average, `burst` back to back."""

    __slots__ = ("_interval", "_tat", "_tolerance")

    def __init__(self, rate: float, burst: int = 1) -> None:
        self._interval = 1.0 / rate
        self._tolerance = (max(1, burst) - 1) * self._interval
        self._tat = float("-inf")  # theoretical arrival time of the next event

    def available_at(self, now: float) -> float:
        """The earliest time an event may happen."""
        return max(now, self._tat - self._tolerance)

    def reserve(self, now: float) -> float:
        """Take the next slot; returns when it is (now or later)."""
        at = self.available_at(now)
        self._tat = max(self._tat, at) + self._interval
        return at

    def hold_until(self, moment: float) -> None:
        """Nothing before `moment` (after a RetryAfter)."""
        self._tat = max(self._tat, moment + self._tolerance)

    def idle_since(self, now: float) -> bool:
        """True when the bucket is back to its initial state (can be forgotten)."""
        return self._tat <= now


@dataclass(frozen=True, slots=True)
class SendLimits:
    """Telegram's guidance, and the margin we keep below it."""

    global_per_second: float = 30.0
    private_per_second: float = 1.0
    group_per_minute: float = 20.0
    margin: float = 0.985  # pace at 98.5% of each limit (the overall guard below keeps it causal)

    @classmethod
    def from_settings(cls, settings: Any) -> SendLimits:
        """Read the SEND_RATE_* settings."""
        return cls(
            global_per_second=float(settings.send_rate_global_per_second),
            private_per_second=float(settings.send_rate_private_per_second),
            group_per_minute=float(settings.send_rate_group_per_minute),
        )


class RateLimiter:
    """The overall bucket plus one bucket per chat (private: chat id > 0; group or channel: < 0)."""

    def __init__(self, limits: SendLimits) -> None:
        self.limits = limits
        self.overall = Spacing(limits.global_per_second * limits.margin)
        self._chats: dict[int, Spacing] = {}
        # A sliding-window guard on top of the spacing, keyed on when calls *finished*: Telegram
        # received a call no later than its answer came back, so "the call N places back finished at
        # least GUARD_WINDOW ago" means no N + 1 calls can arrive within a second there, whatever
        # pause (GC, a slow commit, the network) bunched requests on the way.
        self._window = max(1, int(limits.global_per_second))
        self._recent: deque[list[float | None]] = deque(maxlen=self._window)

    def window_wait(self, now: float) -> float:
        """Seconds to wait before the next call (a short poll while the call N places back is in flight)."""
        if len(self._recent) < self._window:
            return 0.0
        finished = self._recent[0][0]
        if finished is None:
            return 0.005
        return max(0.0, finished + GUARD_WINDOW - now)

    def start_call(self) -> list[float | None]:
        """Register a call; set the returned slot's [0] to the time its answer arrived."""
        slot: list[float | None] = [None]
        self._recent.append(slot)
        return slot

    def _chat(self, chat_id: int) -> Spacing:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if chat_id > 0:
                bucket = Spacing(self.limits.private_per_second * self.limits.margin)
            else:
                bucket = Spacing(self.limits.group_per_minute / 60.0 * self.limits.margin)
            self._chats[chat_id] = bucket
        return bucket

    def chat_available_at(self, chat_id: int, now: float) -> float:
        """When this chat may receive its next message."""
        bucket = self._chats.get(chat_id)
        return now if bucket is None else bucket.available_at(now)

    def reserve_chat(self, chat_id: int, now: float) -> float:
        """Take this chat's next slot."""
        return self._chat(chat_id).reserve(now)

    def hold_chat(self, chat_id: int, until: float) -> None:
        """RetryAfter for this chat only."""
        self._chat(chat_id).hold_until(until)

    def chat_done(self, chat_id: int, finished: float) -> None:
        """A call to this chat got its answer: the next one waits a full interval from *then*.

        A chat's calls never overlap, and Telegram received this one before it answered, so this
        keeps the per-chat limit at Telegram's end whatever the network or a pause did.
        """
        per_second = self.limits.private_per_second if chat_id > 0 else self.limits.group_per_minute / 60.0
        self._chat(chat_id).hold_until(finished + 1.005 / per_second)

    def prune(self, now: float) -> None:
        """Forget chats whose buckets are idle (keeps memory flat during a big fan-out)."""
        if len(self._chats) > 5000:
            self._chats = {k: v for k, v in self._chats.items() if not v.idle_since(now)}


# -- the Telegram side -------------------------------------------------------------------------------


class TelegramApi(Protocol):
    """The two calls the sender makes; raises python-telegram-bot's errors."""

    async def send(self, row: OutboxRow) -> int:
        """Send a new message; returns its message id."""
        ...

    async def edit(self, row: OutboxRow, message_id: int) -> None:
        """Replace the text of an earlier message."""
        ...


class PtbApi:
    """TelegramApi on a python-telegram-bot `Bot` (the application's, or one made for a benchmark)."""

    def __init__(self, bot: Any) -> None:
        self._bot = bot

    async def send(self, row: OutboxRow) -> int:
        """sendMessage."""
        from telegram import LinkPreviewOptions

        kwargs: dict[str, Any] = {}
        if row.reply_markup:
            from telegram import InlineKeyboardMarkup

            kwargs["reply_markup"] = InlineKeyboardMarkup.de_json(json.loads(row.reply_markup), self._bot)
        if row.thread_id is not None:
            kwargs["message_thread_id"] = row.thread_id
        message = await self._bot.send_message(
            chat_id=row.chat_id,
            text=row.text,
            parse_mode=row.parse_mode,
            link_preview_options=LinkPreviewOptions(is_disabled=row.disable_preview),
            **kwargs,
        )
        return int(message.message_id)

    async def edit(self, row: OutboxRow, message_id: int) -> None:
        """editMessageText."""
        from telegram import LinkPreviewOptions

        await self._bot.edit_message_text(
            chat_id=row.chat_id,
            message_id=message_id,
            text=row.text,
            parse_mode=row.parse_mode,
            link_preview_options=LinkPreviewOptions(is_disabled=row.disable_preview),
        )


class ChatDirectory(Protocol):
    """What happens to a chat when Telegram says it is gone or has moved."""

    async def deactivate(self, chat_id: int) -> None:
        """Blocked or kicked."""
        ...

    async def migrate(self, old_chat_id: int, new_chat_id: int) -> None:
        """Group → supergroup."""
        ...


def retry_after_seconds(exc: RetryAfter) -> float:
    """The wait a RetryAfter asks for, in seconds (without PTB's int/timedelta deprecation warning)."""
    value = getattr(exc, "_retry_after", None)
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value) if isinstance(value, int | float) else 1.0


@dataclass(slots=True)
class SenderStats:
    """What one sender run did (for logs, benchmarks and tests)."""

    sent: int = 0
    edited: int = 0
    retry_after: int = 0
    network_errors: int = 0
    forbidden: int = 0
    migrated: int = 0
    failed: int = 0
    uncertain: int = 0


class OutboxSender:
    """Drains the outbox. `run()` loops until stopped (or, with `until_idle`, until nothing is pending)."""

    def __init__(
        self,
        store: OutboxStore,
        api: TelegramApi,
        clock: Clock,
        *,
        limits: SendLimits | None = None,
        sleep: Sleep = asyncio.sleep,
        chats: ChatDirectory | None = None,
        events: EventSink | None = None,
        max_in_flight: int = 8,
        max_attempts: int = 12,
        backoff_base: float = 1.0,
        backoff_max: float = 600.0,
        idle_poll: float = 0.25,
    ) -> None:
        self._store = store
        self._api = api
        self._clock = clock
        self._sleep = sleep
        self._chats = chats
        self._events = events
        self._limiter = RateLimiter(limits or SendLimits())
        self._max_in_flight = max(1, max_in_flight)
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        self._idle_poll = idle_poll
        self._inflight: dict[int, asyncio.Task[None]] = {}  # chat id → task
        self._wake = asyncio.Event()
        self._recovered = False
        self.stats = SenderStats()

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def notify(self) -> None:
        """Something was enqueued: look at the outbox now rather than at the next poll."""
        self._wake.set()

    async def _event(self, kind: str, message: str, subject: str) -> None:
        if self._events is not None:
            try:
                await self._events.record(kind, message, subject=subject)
            except Exception:  # the event log must never stop delivery
                log.exception("could not record event %s", kind)

    async def recover(self) -> int:
        """Settle rows a previous run left in flight (resent: see the module docstring)."""
        rows = await self._store.recover_inflight()
        for row in rows:
            self.stats.uncertain += 1
            log.warning("outbox row %s to chat %s was in flight at a crash; resending", row.id, row.chat_id)
            await self._event(
                "delivery.uncertain", f"outbox {row.id} was in flight at a crash; resent", str(row.chat_id)
            )
        self._recovered = True
        return len(rows)

    async def run(self, stop: asyncio.Event | None = None, *, until_idle: bool = False) -> SenderStats:
        """The send loop."""
        if not self._recovered:
            await self.recover()
        stop = stop or asyncio.Event()
        try:
            while not stop.is_set():
                progressed = await self._dispatch_due(stop)
                if progressed:
                    continue
                if until_idle and not self._inflight and await self._store.pending_count() == 0:
                    break
                await self._idle()
        finally:
            if self._inflight:
                await asyncio.gather(*self._inflight.values(), return_exceptions=True)
        return self.stats

    async def _idle(self) -> None:
        if self._wake.is_set():
            self._wake.clear()
            await self._sleep(0)
            return
        await self._sleep(self._idle_poll)

    async def _dispatch_due(self, stop: asyncio.Event) -> bool:
        now = self._now()
        self._limiter.prune(now)
        heads = await self._store.due_heads(now, limit=256, exclude=list(self._inflight))
        started = False
        for row in heads:
            if stop.is_set():
                break
            now = self._now()
            if row.chat_id in self._inflight or self._limiter.chat_available_at(row.chat_id, now) > now:
                continue
            while len(self._inflight) >= self._max_in_flight:
                await asyncio.wait(list(self._inflight.values()), return_when=asyncio.FIRST_COMPLETED)
            if not await self._store.claim(row.id, self._now()):
                continue
            # Pace after the claim, right before the call: a slow commit then delays this send instead
            # of bunching it with the next one (which would break a sliding window at Telegram's end).
            wait = self._limiter.overall.reserve(self._now()) - self._now()
            if wait > 0:
                await self._sleep(wait)
            now = self._now()
            self._limiter.reserve_chat(row.chat_id, now)
            self._inflight[row.chat_id] = asyncio.create_task(self._deliver(row))
            started = True
        return started

    async def _deliver(self, row: OutboxRow) -> None:
        try:
            await self._attempt(row)
        except Exception as exc:  # never lose the task silently
            log.exception("unexpected error delivering outbox row %s", row.id)
            await self._retry_later(row, f"unexpected: {exc!r}")
        finally:
            self._inflight.pop(row.chat_id, None)
            self._wake.set()

    async def _guard_window(self) -> list[float | None]:
        """At the moment of the call: wait for the sliding-window guard; returns the call's slot."""
        while (wait := self._limiter.window_wait(self._now())) > 0:
            await self._sleep(wait)
        return self._limiter.start_call()

    async def _attempt(self, row: OutboxRow) -> None:
        try:
            if row.kind == "edit":
                message_id = await self._edit_target(row)
                if message_id is None:
                    return
                try:
                    guard = await self._guard_window()
                    try:
                        await self._api.edit(row, message_id)
                    finally:
                        guard[0] = finished = self._now()
                        self._limiter.chat_done(row.chat_id, finished)
                except BadRequest as exc:
                    if "not modified" not in str(exc).lower():
                        raise
                await self._store.mark_sent(row, message_id)
                self.stats.edited += 1
            else:
                guard = await self._guard_window()
                try:
                    message_id = await self._api.send(row)
                finally:
                    guard[0] = finished = self._now()
                    self._limiter.chat_done(row.chat_id, finished)
                await self._store.mark_sent(row, message_id)
                self.stats.sent += 1
        except RetryAfter as exc:
            wait = retry_after_seconds(exc)
            self.stats.retry_after += 1
            until = self._now() + wait
            self._limiter.hold_chat(row.chat_id, until)
            await self._store.defer_chat(row.chat_id, until, f"retry after {wait:g}s")
            await self._event("delivery.retry_after", f"retry after {wait:g}s", str(row.chat_id))
        except ChatMigrated as exc:
            self.stats.migrated += 1
            new_id = int(exc.new_chat_id)
            await self._store.move_chat(row.chat_id, new_id)
            if self._chats is not None:
                await self._chats.migrate(row.chat_id, new_id)
            await self._store.reschedule(
                row.id, self._now(), f"chat migrated to {new_id}", refund_attempt=True
            )
            await self._event("delivery.migrated", f"chat moved to {new_id}", str(row.chat_id))
        except Forbidden as exc:
            await self._chat_gone(row, f"forbidden: {exc}")
        except BadRequest as exc:
            text = str(exc).lower()
            if "chat not found" in text or "user is deactivated" in text:
                await self._chat_gone(row, f"bad request: {exc}")
            elif row.kind == "edit" and ("message to edit not found" in text or "can't be edited" in text):
                await self._store.convert_to_send(row.id, self._now())
            else:
                self.stats.failed += 1
                await self._store.fail(row.id, f"bad request: {exc}")
                await self._event("delivery.failed", f"bad request: {exc}", str(row.chat_id))
        except (NetworkError, TelegramError) as exc:  # TimedOut is a NetworkError: ambiguous, retried
            self.stats.network_errors += 1
            await self._retry_later(row, f"{type(exc).__name__}: {exc}")

    async def _edit_target(self, row: OutboxRow) -> int | None:
        """The message id an edit applies to, or None after turning the edit into a send / waiting."""
        target = await self._store.message_of(row.edit_of) if row.edit_of is not None else None
        if target is None or target[0] == "failed":
            await self._store.convert_to_send(row.id, self._now())
            return None
        state, message_id, sent_at = target
        if state != "sent" or message_id is None:
            await self._store.reschedule(
                row.id, self._now() + 1.0, "original not sent yet", refund_attempt=True
            )
            return None
        if sent_at and self._clock.now() - from_iso(sent_at) > timedelta(seconds=EDIT_MAX_AGE_SECONDS):
            await self._store.convert_to_send(row.id, self._now())
            return None
        return message_id

    async def _chat_gone(self, row: OutboxRow, reason: str) -> None:
        self.stats.forbidden += 1
        await self._store.fail_chat(row.chat_id, reason)
        if self._chats is not None:
            await self._chats.deactivate(row.chat_id)
        await self._event("delivery.forbidden", reason, str(row.chat_id))

    async def _retry_later(self, row: OutboxRow, reason: str) -> None:
        attempts = row.attempts + 1
        if attempts >= self._max_attempts:
            self.stats.failed += 1
            await self._store.fail(row.id, reason)
            await self._event(
                "delivery.failed", f"gave up after {attempts} attempts: {reason}", str(row.chat_id)
            )
            return
        delay = min(self._backoff_max, self._backoff_base * (2 ** (attempts - 1)))
        await self._store.reschedule(row.id, self._now() + delay, reason)


# -- one sender per database ----------------------------------------------------------------------------


@contextlib.contextmanager
def acquire_sender_lock(db_path: Path | str) -> Any:
    """An exclusive OS lock beside the database; raises RuntimeError if another sender holds it.

    The kernel releases it when the process dies (even by SIGKILL), so a restart never waits.
    """
    path = Path(f"{db_path}.sender.lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(f"another sender is running on {db_path}") from None
        yield path
    finally:
        os.close(fd)


# -- the API for everything else that sends (handlers' deliver(), broadcasts) ----------------------


async def enqueue_html(
    services: Any,
    chat_id: int,
    parts: list[str],
    *,
    key: str | None = None,
    wait: float = 2.0,
    backlog: int = 50,
) -> bool:
    """Queue HTML parts for a chat in the outbox (one transaction) and wake the sender.

    Returns False when the chat is known to be unreachable (inactive, or the send failed while we
    waited). When the outbox is not backlogged (≤ `backlog` rows pending), waits up to `wait` seconds
    for the parts to leave, so interactive callers (a broadcast to a few chats) learn about blocked
    chats at once; under load it returns as soon as the parts are queued.
    """
    import uuid

    from news.clock import to_iso
    from storage.outbox import enqueue

    db = services.db
    try:
        active = await db.scalar("SELECT active FROM chats WHERE id = ?", (chat_id,))
    except Exception:  # no chats table (CLI database)
        active = None
    if active == 0:
        return False
    key = key or f"direct:{uuid.uuid4().hex}"
    now = services.clock.now()
    ids: list[int] = []
    async with db.atomic() as conn:
        for number, part in enumerate(parts, start=1):
            row_id = await enqueue(
                conn,
                chat_id=chat_id,
                dedup_key=f"{key}:{number}",
                text=part,
                now=now.timestamp(),
                created_at=to_iso(now),
            )
            if row_id:
                ids.append(row_id)
    coverage = getattr(services, "coverage", None)
    notify = getattr(coverage, "on_outbox", None)
    if coverage is None or notify is None or not ids:
        return True
    notify()
    if await coverage.outbox.pending_count() > backlog:
        return True
    marks = ",".join("?" * len(ids))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while loop.time() < deadline:
        rows = await db.fetchall(f"SELECT state FROM outbox WHERE id IN ({marks})", tuple(ids))
        states = {r["state"] for r in rows}
        if "failed" in states:
            return False
        if states <= {"sent"}:
            return True
        await asyncio.sleep(0.02)
    return True
