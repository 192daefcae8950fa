"""Scheduled jobs (source polling, digests, the outbox sender), rebuilt from the database at start.

`bot/app.py` calls `install(application)` from `post_init`. Nothing about schedules lives in memory:
each source's next poll time, each chat's digest mode, time zone and last digest, and every message
still to send are rows in SQLite, and the jobs below are fixed ticks that read them. So a restart
(or a crash) loses no schedule: the first ticks after start poll what is due, send the digests whose
time has come, and drain the outbox (messages in flight at a crash are settled as bot/delivery.py
explains).

| job               | every                         | does                                              |
| ----------------- | ----------------------------- | ------------------------------------------------- |
| coverage.poll     | min(30 s, POLL_INTERVAL_MIN)  | polls the sources whose next_poll_at has come       |
| coverage.catch_up | 30 s                          | stories/matches/`now` digests for new articles     |
| digest.now        | 20 s                          | `now` digests still pending (safety net)           |
| digest.scheduled  | 60 s                          | hourly and daily digests due in each chat's zone   |
| outbox.sender     | 1 s                           | keeps the sender draining the outbox               |

`bot/app.py` calls `shutdown(application)` first in `post_shutdown`, so the sender stops between two
messages before the database is closed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.delivery import OutboxSender, PtbApi, SendLimits
from storage.outbox import SqlChatDirectory

log = logging.getLogger(__name__)


class _SenderRunner:
    """Keeps one sender task draining the outbox; the tick job restarts it when it has finished."""

    def __init__(self, sender: OutboxSender) -> None:
        self.sender = sender
        self.stop = asyncio.Event()
        self.task: asyncio.Task[Any] | None = None

    def ensure(self) -> None:
        """Start a drain unless one is running."""
        if self.stop.is_set():
            return
        if self.task is None or self.task.done():
            if self.task is not None and not self.task.cancelled() and self.task.exception() is not None:
                log.error("outbox sender stopped with an error", exc_info=self.task.exception())
            self.task = asyncio.create_task(self.sender.run(self.stop, until_idle=True))

    def notify(self) -> None:
        """New messages: wake the running drain, or start one."""
        self.sender.notify()
        self.ensure()

    async def close(self) -> None:
        """Stop after the message in flight."""
        self.stop.set()
        if self.task is not None:
            try:
                await asyncio.wait_for(self.task, timeout=10)
            except (TimeoutError, asyncio.CancelledError):
                self.task.cancel()
            except Exception:
                log.exception("outbox sender failed while stopping")


async def _plain_bot(app_bot: Any) -> Any:
    """A Bot on the application's connection pool but without its AIORateLimiter.

    The limiter would pause every request after one chat's RetryAfter and retry behind our back; the
    sender does its own pacing and honours RetryAfter per chat.
    """
    from telegram import Bot

    token = app_bot.token
    base = str(getattr(app_bot, "base_url", "") or "https://api.telegram.org/bot")
    base = base[: -len(token)] if base.endswith(token) else base
    plain = Bot(token, base_url=base, request=app_bot.request, get_updates_request=app_bot.request)
    try:
        await plain.initialize()
    except Exception:  # the application's own initialize already checked the token
        log.warning("could not initialise the sender's bot; using the application's", exc_info=True)
        return app_bot
    return plain


def _guarded(name: str, work: Callable[[], Awaitable[Any]]) -> Callable[[Any], Awaitable[None]]:
    """A job callback that never overlaps itself and never lets an error kill the job."""
    lock = asyncio.Lock()

    async def callback(context: Any) -> None:
        if lock.locked():
            return
        async with lock:
            try:
                await work()
            except Exception:
                log.exception("job %s failed", name)

    return callback


async def install(application: Any) -> None:
    """Register the recurring jobs on the application's JobQueue, from the state in the database."""
    services = application.bot_data.services
    coverage = getattr(services, "coverage", None)
    queue = application.job_queue
    if coverage is None or queue is None:
        log.warning("coverage watch not installed (no coverage service or no JobQueue)")
        return
    settings = services.settings
    sender = OutboxSender(
        coverage.outbox,
        PtbApi(await _plain_bot(application.bot)),
        services.clock,
        limits=SendLimits.from_settings(settings),
        chats=SqlChatDirectory(services.db),
        events=services.events,
    )
    runner = _SenderRunner(sender)
    coverage.on_outbox = runner.notify
    coverage.runner = runner

    async def drain() -> None:
        runner.ensure()

    poll_every = float(min(30, max(1, settings.poll_interval_min_seconds)))
    queue.run_repeating(
        _guarded("coverage.poll", coverage.poll_due), interval=poll_every, first=2, name="coverage.poll"
    )
    queue.run_repeating(
        _guarded("coverage.catch_up", coverage.catch_up), interval=30, first=1, name="coverage.catch_up"
    )
    queue.run_repeating(_guarded("digest.now", coverage.run_now), interval=20, first=5, name="digest.now")
    queue.run_repeating(
        _guarded("digest.scheduled", coverage.run_scheduled), interval=60, first=10, name="digest.scheduled"
    )
    queue.run_repeating(_guarded("outbox.sender", drain), interval=1, first=0.5, name="outbox.sender")
    pending = await coverage.outbox.pending_count()
    sources = len(await coverage.sources.list())
    log.info("coverage watch: %d sources, %d messages pending in the outbox", sources, pending)


async def shutdown(application: Any) -> None:
    """Stop the sender cleanly (call from post_shutdown; safe when install did nothing)."""
    services = getattr(application.bot_data, "services", None)
    runner = getattr(getattr(services, "coverage", None), "runner", None)
    if runner is not None:
        await runner.close()
