"""Every inline-button press: verify the signed data for this chat, then route by action."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.context import BotContext
from bot.i18n import t
from bot.render import CallbackData, CallbackError
from handlers import asking, basic, subscriptions
from handlers._common import Turn, lang_of, turn

log = logging.getLogger(__name__)

ButtonHandler = Callable[[Update, BotContext, Turn, CallbackData], Awaitable[str | None]]


async def _noop(update: Update, context: BotContext, here: Turn, data: CallbackData) -> str | None:
    return None


ROUTES: dict[str, ButtonHandler] = {
    "p": asking.on_page_button,
    "n": _noop,
    "s": subscriptions.on_pick_button,
    "k": subscriptions.on_pick_button,
    "u": subscriptions.on_unsubscribe_button,
    "l": basic.on_lang_button,
}


async def on_button(update: Update, context: BotContext) -> None:
    """Decode and check the button's data for the chat it was pressed in; refuse politely when wrong."""
    query = update.callback_query
    if query is None:
        return
    message = query.message
    if message is None or not hasattr(message, "chat"):
        lang = await lang_of(update, context)
        await query.answer(t(lang, "button_stale"), show_alert=True)
        return
    try:
        data = context.runtime.codec.decode(message.chat.id, query.data)
        route = ROUTES.get(data.action)
        if route is None:
            raise CallbackError("malformed")
    except CallbackError as exc:
        lang = await lang_of(update, context)
        log.info("refused button in chat %s: %s", message.chat.id, exc.reason)
        key = "button_stale" if exc.reason == "version" else "button_invalid"
        await query.answer(t(lang, key), show_alert=True)
        return
    here = await turn(update, context)
    try:
        notice = await route(update, context, here, data)
    except CallbackError:
        notice = t(here.lang, "button_invalid")
    await query.answer(notice[:200] if notice else None, show_alert=bool(notice))


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """This module's handlers."""
    return [CallbackQueryHandler(on_button)]
