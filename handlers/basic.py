"""/start, /help, /lang, and the reply to unknown commands."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.context import BotContext
from bot.i18n import LANGS, pick_lang, plain, t
from bot.render import CallbackData, button
from handlers._common import (
    Turn,
    command_args,
    is_bot_admin,
    may_change_chat,
    refuse_unless_may_change,
    reply,
    turn,
)

MESSAGES_ONLY = filters.UpdateType.MESSAGE
LANG_NAMES = {"en": "English", "ru": "Русский", "bg": "Български"}


async def on_start(update: Update, context: BotContext) -> None:
    """`/start`: who the bot is and how to ask."""
    here = await turn(update, context)
    await reply(update, context, t(here.lang, "start"))


async def on_help(update: Update, context: BotContext) -> None:
    """`/help`: every command (admin commands only for admins)."""
    here = await turn(update, context)
    text: str = t(here.lang, "help", bot=context.bot.username or "bot")
    if is_bot_admin(update, context) and here.private:
        text += "\n\n" + t(here.lang, "help_admin")
    await reply(update, context, text)


async def on_lang(update: Update, context: BotContext) -> None:
    """`/lang en|ru|bg|auto`, or buttons to choose."""
    here = await turn(update, context)
    wanted = command_args(update.effective_message).strip().lower()
    if wanted and wanted not in (*LANGS, "auto"):
        wanted = ""
    if not wanted:
        codec = context.runtime.codec
        row = [button(LANG_NAMES[code], codec.encode(here.chat_id, "l", code)) for code in LANGS]
        auto = [button(plain(here.lang, "lang_auto_button"), codec.encode(here.chat_id, "l", "auto"))]
        await reply(update, context, t(here.lang, "lang_choose"), InlineKeyboardMarkup([row, auto]))
        return
    if await refuse_unless_may_change(update, context, here.lang):
        return
    await reply(update, context, await _set_lang(update, context, here, wanted))


async def _set_lang(update: Update, context: BotContext, here: Turn, wanted: str) -> str:
    code = None if wanted == "auto" else wanted
    await context.chats.chats.set_lang(here.chat_id, code)
    if code is None:
        user = update.effective_user
        return t(pick_lang(None, user.language_code if user else None), "lang_auto")
    return t(code, "lang_set")


async def on_lang_button(update: Update, context: BotContext, here: Turn, data: CallbackData) -> str | None:
    """A /lang button."""
    wanted = data.args[0] if data.args else ""
    if wanted not in (*LANGS, "auto"):
        return t(here.lang, "button_invalid")
    if here.chat_type != ChatType.PRIVATE and not await may_change_chat(update, context):
        return t(here.lang, "admins_only")
    text = await _set_lang(update, context, here, wanted)
    query = update.callback_query
    if query is not None and query.message is not None:
        await query.edit_message_text(text)
    return None


async def on_unknown_command(update: Update, context: BotContext) -> None:
    """Any command no handler took. In groups only when addressed to this bot by name."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None or not message.text:
        return
    if chat.type != ChatType.PRIVATE:
        command = message.text.split(maxsplit=1)[0]
        username = (context.bot.username or "").lower()
        if "@" not in command or command.split("@", 1)[1].lower() != username:
            return
    here = await turn(update, context)
    await reply(update, context, t(here.lang, "unknown_command"))


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """This module's handlers (the unknown-command fallback is registered last, see handlers/__init__)."""
    return [
        CommandHandler("start", on_start, filters=MESSAGES_ONLY),
        CommandHandler("help", on_help, filters=MESSAGES_ONLY),
        CommandHandler("lang", on_lang, filters=MESSAGES_ONLY),
    ]


def fallback() -> BaseHandler[Update, BotContext, None]:
    """The unknown-command handler."""
    return MessageHandler(MESSAGES_ONLY & filters.COMMAND, on_unknown_command)
