"""Every handler, registered in one place (`register(application)`), one module per area.

Order matters: the gate (group -1) drops edited messages, other bots and banned users before anything
else; admin commands and forwarded posts come before plain-text questions; the unknown-command reply
is the last resort.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, TypeHandler

from bot.context import BotApplication, BotContext


async def gate(update: Update, context: BotContext) -> None:
    """Stop edited messages, updates from bots, and banned users (silently)."""
    if update.edited_message is not None or update.edited_channel_post is not None:
        raise ApplicationHandlerStop
    if update.channel_post is not None:
        raise ApplicationHandlerStop
    user = update.effective_user
    if user is not None:
        if user.is_bot:
            raise ApplicationHandlerStop
        if await context.chats.users.seen(user.id) and user.id not in context.runtime.admin_ids:
            if update.callback_query is not None:
                await update.callback_query.answer()
            raise ApplicationHandlerStop


def all_handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """Every handler of group 0, in priority order."""
    from handlers import admin, asking, basic, buttons, inline, subscriptions

    return [
        *basic.handlers(),
        *subscriptions.handlers(),
        *admin.handlers(),
        *asking.handlers(),
        *inline.handlers(),
        *buttons.handlers(),
        basic.fallback(),
    ]


def register(application: BotApplication) -> None:
    """Register the gate and every handler on the application."""
    application.add_handler(TypeHandler(Update, gate), group=-1)
    application.add_handlers(all_handlers(), group=0)
