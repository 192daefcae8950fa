"""Helpers every handler module shares: who and where (a Turn), replying within limits, permissions."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot.context import BotContext
from bot.i18n import Html, pick_lang, t
from bot.render import split_html

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Turn:
    """The chat, the user and the language of one update."""

    chat_id: int
    chat_type: str
    user_id: int | None
    lang: str

    @property
    def private(self) -> bool:
        """True in a one-to-one chat with the bot."""
        return self.chat_type == ChatType.PRIVATE


async def turn(update: Update, context: BotContext) -> Turn:
    """Record the chat (reactivating it) and choose the language: /lang of the chat, else the user's."""
    chat = update.effective_chat
    user = update.effective_user
    user_lang = user.language_code if user else None
    if chat is None:
        return Turn(0, "", user.id if user else None, pick_lang(None, user_lang))
    title = chat.title or chat.full_name
    record = await context.chats.chats.ensure(chat.id, chat.type, title)
    return Turn(chat.id, chat.type, user.id if user else None, pick_lang(record.lang, user_lang))


async def lang_of(update: Update, context: BotContext) -> str:
    """The language for replying to this update, without writing anything."""
    chat = update.effective_chat
    user = update.effective_user
    record = await context.chats.chats.get(chat.id) if chat else None
    return pick_lang(record.lang if record else None, user.language_code if user else None)


def command_args(message: Message | None) -> str:
    """The text after the command word, line breaks kept ('' when none)."""
    if message is None:
        return ""
    text = message.text or message.caption or ""
    parts = text.split(maxsplit=1)
    if not parts or not parts[0].startswith("/"):
        return text.strip()
    return parts[1].strip() if len(parts) > 1 else ""


async def reply(
    update: Update, context: BotContext, html: str, keyboard: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Send HTML to the update's chat, split to Telegram's limit; buttons go on the last part."""
    chat = update.effective_chat
    if chat is None:
        return None
    message = update.effective_message
    parts = split_html(html) or [html]
    sent: Message | None = None
    for index, part in enumerate(parts):
        markup = keyboard if index == len(parts) - 1 else None
        thread = message.message_thread_id if message is not None and message.is_topic_message else None
        sent = await context.bot.send_message(chat.id, part, reply_markup=markup, message_thread_id=thread)
    return sent


async def reply_unknown(update: Update, context: BotContext) -> None:
    """The reply for a command the bot does not know (also what non-admins get for admin commands)."""
    await reply(update, context, t(await lang_of(update, context), "unknown_command"))


def is_bot_admin(update: Update, context: BotContext) -> bool:
    """True when the sender is in ADMIN_IDS."""
    user = update.effective_user
    return user is not None and user.id in context.runtime.admin_ids


async def may_change_chat(update: Update, context: BotContext) -> bool:
    """Private chats: yes. Groups: chat administrators (and anonymous admins, and bot admins) only."""
    chat = update.effective_chat
    user = update.effective_user
    if chat is None or user is None:
        return False
    if chat.type == ChatType.PRIVATE or user.id in context.runtime.admin_ids:
        return True
    message = update.effective_message
    if message is not None and message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True  # an anonymous administrator
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as exc:
        log.warning("could not check admin rights in chat %s: %s", chat.id, exc)
        return False
    return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


async def refuse_unless_may_change(update: Update, context: BotContext, lang: str) -> bool:
    """Reply 'admins only' and return True when the sender may not change this group's settings."""
    if await may_change_chat(update, context):
        return False
    await reply(update, context, t(lang, "admins_only"))
    return True


def html(text: str) -> Html:
    """Mark already-rendered markup as safe for `t()`."""
    return Html(text)
