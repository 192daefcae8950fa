"""Questions: plain text in private chats, /ask anywhere, a mention of or a reply to the bot in groups."""

from __future__ import annotations

import re

from telegram import Update
from telegram.constants import MessageEntityType
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.context import BotContext
from bot.i18n import t
from bot.render import CallbackData, PagingButtons, answer_page
from handlers._common import Turn, command_args, reply, turn

MAX_ANSWERS = 30
MESSAGES_ONLY = filters.UpdateType.MESSAGE


async def on_private_text(update: Update, context: BotContext) -> None:
    """A text message in a private chat is a question."""
    message = update.effective_message
    if message is not None and message.text:
        await answer_question(update, context, message.text)


async def on_ask(update: Update, context: BotContext) -> None:
    """`/ask question`."""
    question = command_args(update.effective_message)
    if not question:
        here = await turn(update, context)
        await reply(update, context, t(here.lang, "ask_usage"))
        return
    await answer_question(update, context, question)


async def on_group_text(update: Update, context: BotContext) -> None:
    """In groups, a message that mentions the bot or replies to it is a question."""
    message = update.effective_message
    if message is None or not message.text:
        return
    username = (context.bot.username or "").lower()
    mentioned = any(
        entity.type == MessageEntityType.MENTION and text.lstrip("@").lower() == username
        for entity, text in message.parse_entities([MessageEntityType.MENTION]).items()
    )
    replied = (
        message.reply_to_message is not None
        and message.reply_to_message.from_user is not None
        and message.reply_to_message.from_user.id == context.bot.id
    )
    if not (mentioned or replied):
        return
    question = message.text
    if username:
        question = re.sub(rf"@{re.escape(username)}\b", " ", question, flags=re.IGNORECASE)
    await answer_question(update, context, " ".join(question.split()) or question)


async def answer_question(update: Update, context: BotContext, question: str) -> None:
    """Rate-limit, check the length, ask the engine and reply with the first page."""
    here = await turn(update, context)
    settings = context.runtime.settings
    wait = context.runtime.limiter.check(here.user_id or here.chat_id)
    if wait:
        await reply(update, context, t(here.lang, "rate_limited", seconds=wait))
        return
    question = question.strip()
    if len(question) > settings.question_max_chars:
        await reply(
            update,
            context,
            t(here.lang, "ask_too_long", length=len(question), limit=settings.question_max_chars),
        )
        return
    answer = await context.engine.ask(question, limit=MAX_ANSWERS)
    paging = None
    if len(answer.answers) > settings.answers_per_page:
        question_id = await context.chats.asked.remember(here.chat_id, question)
        paging = PagingButtons(context.runtime.codec, here.chat_id, question_id)
    page = answer_page(answer, here.lang, per_page=settings.answers_per_page, paging=paging)
    await reply(update, context, page.text, page.keyboard)


async def on_page_button(update: Update, context: BotContext, here: Turn, data: CallbackData) -> str | None:
    """◀ ▶ pressed: re-ask the stored question and edit the message to show that page."""
    query = update.callback_query
    assert query is not None
    question_id, page_number = data.int_arg(0), data.int_arg(1)
    question = await context.chats.asked.recall(question_id, here.chat_id)
    if question is None:
        return t(here.lang, "button_stale")
    settings = context.runtime.settings
    answer = await context.engine.ask(question, limit=MAX_ANSWERS)
    paging = PagingButtons(context.runtime.codec, here.chat_id, question_id)
    page = answer_page(answer, here.lang, page=page_number, per_page=settings.answers_per_page, paging=paging)
    if page.page != page_number:
        return t(here.lang, "button_stale")
    await query.edit_message_text(page.text, reply_markup=page.keyboard)
    return None


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """This module's handlers, in order."""
    return [
        CommandHandler("ask", on_ask, filters=MESSAGES_ONLY),
        MessageHandler(
            MESSAGES_ONLY & filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, on_private_text
        ),
        MessageHandler(
            MESSAGES_ONLY & filters.ChatType.GROUPS & filters.TEXT & ~filters.COMMAND, on_group_text
        ),
    ]
