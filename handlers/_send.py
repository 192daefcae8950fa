"""The one function every bot-initiated message goes through (broadcasts now, digests later).

The coverage watch repoints `deliver` at its persistent, rate-limited outbox (bot/delivery.py).
"""

from __future__ import annotations

import logging

from telegram.error import TelegramError

from bot.context import BotContext
from bot.render import split_html

log = logging.getLogger(__name__)


async def deliver(context: BotContext, chat_id: int, html: str) -> bool:
    """Send HTML to a chat (split to the limit) through the persistent outbox; False when unreachable.

    Issue 5: the parts are queued in SQLite and sent by the rate-limited sender (bot/delivery.py), which
    handles RetryAfter per chat, deactivates blocked chats and survives restarts.
    """
    from bot.delivery import enqueue_html

    try:
        return await enqueue_html(context.services, chat_id, split_html(html))
    except TelegramError as exc:  # pragma: no cover - enqueueing does not talk to Telegram
        log.warning("queueing for chat %s failed: %s", chat_id, exc)
        return False
