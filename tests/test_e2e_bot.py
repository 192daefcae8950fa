"""End to end: the real Application, long polling against a local Bot API server, the real answer engine
over the seed articles. Users, admins and groups send updates; the tests assert on what the bot sent."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_application, running
from bot.console import ApiCall, LocalBotApi, visible_text
from bot.i18n import t
from bot.logs import RedactingFilter, redact_every_record, stop_redacting_records
from bot.render import telegram_html_errors, utf16_len
from bot.services import open_services
from bot.settings import Settings, load_settings
from news.reading import parse_plain_text
from tests.botapi_server import BotApiServer

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seeds"
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
ADMIN = 42
USER = 7
OTHER = 8
GROUP = -100500

PASTED = (
    "Varna port gets a new crane terminal\n"
    "The port of Varna will open a new container terminal next spring, "
    "the harbour authority said on Monday.\n"
    '"We expect the terminal to double our capacity within two years," said Dimitar Zhelyazkov, '
    "the director of the port.\n"
    "Zhelyazkov added that the investment is worth 120 million leva.\n"
)


@dataclass
class Env:
    """The running bot and the server it talks to."""

    server: BotApiServer
    api: LocalBotApi
    settings: Settings = field(repr=False)
    app: Any = field(repr=False)  # its repr shows the token

    def user(self, user_id: int, lang: str = "en") -> dict[str, Any]:
        return self.api.user(user_id, f"User{user_id}", lang)

    async def say(self, user_id: int, text: str, *, chat: dict[str, Any] | None = None, **kw: Any) -> ApiCall:
        """Send a message as the user (in their private chat unless `chat`); the bot's first reply."""
        chat = chat or self.api.chat(user_id, "private", f"User{user_id}")
        mark = self.server.mark()
        self.server.push(self.api.message_update(chat, self.user(user_id, kw.pop("lang", "en")), text, **kw))
        return await self.server.wait_for(
            "sendMessage", lambda c: c.params["chat_id"] == chat["id"], after=mark, timeout=10
        )

    async def press(self, user_id: int, message: dict[str, Any], data: str) -> int:
        """Press a button; returns the call mark from before the press (wait for answerCallbackQuery)."""
        mark = self.server.mark()
        self.server.push(self.api.callback_update(self.user(user_id), message, data))
        await self.server.wait_for("answerCallbackQuery", after=mark)
        return mark


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """Button label → callback data of a message."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


async def seed(settings: Settings) -> None:
    """The seed articles, each with a link, in a fresh database."""
    async with open_services(settings) as services:
        drafts = []
        for path in sorted(SEEDS.glob("*.txt")):
            draft = parse_plain_text(path.read_text(encoding="utf-8"), str(path))
            drafts.append(
                type(draft)(
                    body=draft.body,
                    source=draft.source,
                    title=draft.title,
                    url=f"https://news.example/{path.stem}?a=1&b=2",
                )
            )
        report = await services.ingest.ingest_drafts(drafts)
        assert len(report.added) == 2, report


@contextlib.asynccontextmanager
async def running_env(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, **overrides: Any
) -> AsyncIterator[Env]:
    """The bot running with long polling against the local server (settings `overrides` applied);
    checks every sent text afterwards."""
    root = logging.getLogger()
    # A CLI test before this one may have left a stderr handler on a stream pytest has closed since.
    stale = [h for h in root.handlers if type(h) is logging.StreamHandler]
    for handler in stale:
        root.removeHandler(handler)
    caplog.set_level(logging.DEBUG)
    redact_every_record(RedactingFilter([TOKEN]))
    for name in ("httpx", "httpcore", "telegram"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        async with BotApiServer(TOKEN) as server:
            settings = load_settings(
                bot_token=TOKEN,
                admin_ids=str(ADMIN),
                database_path=tmp_path / "bot.sqlite3",
                telegram_api_base_url=server.url,
                questions_per_minute=50,
                **overrides,
            )
            await seed(settings)
            app = build_application(settings)
            async with running(app, polling=True, timeout=1, poll_interval=0):
                yield Env(server, server.api, settings, app)
            check_everything_sent(server.api)
        assert TOKEN not in caplog.text
        assert all(TOKEN not in record.getMessage() for record in caplog.records)
        assert "[REDACTED]" in caplog.text  # httpx did log request URLs, redacted
        assert "Traceback" not in caplog.text or TOKEN not in caplog.text
    finally:
        stop_redacting_records()
        for name in ("httpx", "httpcore", "telegram"):
            logging.getLogger(name).setLevel(logging.NOTSET)
        for handler in stale:
            root.addHandler(handler)


@pytest.fixture
async def env(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> AsyncIterator[Env]:
    """The bot running with long polling against the local server; checks every sent text afterwards."""
    async with running_env(tmp_path, caplog) as running_bot:
        yield running_bot


def check_everything_sent(api: LocalBotApi) -> None:
    """Every text the bot sent or edited is valid Telegram HTML and fits 4,096 UTF-16 units."""
    for call in api.calls:
        if call.method in ("sendMessage", "editMessageText"):
            text = str(call.params.get("text", ""))
            assert not telegram_html_errors(text), (text, telegram_html_errors(text))
            assert utf16_len(text) <= 4096
            assert call.status == 200 or call.status in (403, 429), call
        if call.method == "sendDocument" and call.params.get("caption"):
            caption = str(call.params["caption"])
            assert not telegram_html_errors(caption) and utf16_len(caption) <= 1024
            assert call.status == 200, call
        if call.method == "answerInlineQuery":
            for result in call.params.get("results") or []:
                text = result["input_message_content"]["message_text"]
                assert not telegram_html_errors(text) and utf16_len(text) <= 4096


async def test_startup_sets_command_menus(env: Env) -> None:
    """getMe answered, commands set for the default and each language, long polling running."""
    for lang in ("", "en", "ru", "bg"):
        assert any(key[1] == lang for key in env.api.commands), lang
    names = [c["command"] for c in next(iter(env.api.commands.values()))]
    assert "subscribe" in names and "stats" not in names
    await env.server.wait_for("getUpdates")


async def test_lavrov_answer_with_links_and_paging(env: Env) -> None:
    """A user asks about Lavrov: quotes in bold-speaker cards with links; ▶ and ◀ edit the same message."""
    reply = await env.say(USER, "what did Lavrov say?")
    text = reply.params["text"]
    assert "Лавров" in text and "<b>" in text
    assert '<a href="https://news.example/' in text and "&amp;b=2" in text
    keys = buttons(reply.result)
    assert "▶" in keys and "◀" not in keys
    mark = await env.press(USER, reply.result, keys["▶"])
    edit = await env.server.wait_for("editMessageText", after=mark)
    assert edit.params["message_id"] == reply.result["message_id"]
    assert edit.params["text"] != text and "Лавров" in edit.params["text"]
    back = buttons(edit.result)["◀"]
    mark = await env.press(USER, edit.result, back)
    again = await env.server.wait_for("editMessageText", after=mark)
    assert again.params["text"] == text


async def test_buttons_from_another_chat_or_forged_do_nothing(env: Env) -> None:
    """A paging button replayed in another chat, tampered with, or of an old version is refused politely."""
    reply = await env.say(USER, "what did Lavrov say?")
    data = buttons(reply.result)["▶"]
    other = await env.say(OTHER, "/start")
    for bad in (data, data[:-2] + ("AA" if not data.endswith("AA") else "BB"), "0" + data[1:], "x" * 64):
        mark = await env.press(OTHER, other.result, bad)
        answer = await env.server.wait_for("answerCallbackQuery", after=mark)
        assert answer.params.get("text") in (t("en", "button_invalid"), t("en", "button_stale"))
        assert not [c for c in env.api.calls[mark:] if c.method == "editMessageText"]


async def test_subscribe_to_lavrov_and_list(env: Env) -> None:
    """/subscribe Lavrov (choosing from "did you mean" if asked), then /subscriptions lists it."""
    reply = await env.say(USER, "/subscribe Lavrov")
    keys = buttons(reply.result)
    if keys:  # ambiguous: pick the Lavrov button
        label = next(k for k in keys if "Лавров" in k or "Lavrov" in k)
        mark = await env.press(USER, reply.result, keys[label])
        reply = await env.server.wait_for("sendMessage", after=mark)
    assert "Subscribed" in reply.params["text"]
    listing = await env.say(USER, "/subscriptions")
    assert "Лавров" in listing.params["text"] or "Lavrov" in listing.params["text"]
    again = await env.say(USER, "/unsubscribe")
    (label, data), *_ = buttons(again.result).items()
    mark = await env.press(USER, again.result, data)
    gone = await env.server.wait_for("sendMessage", after=mark)
    assert "Unsubscribed" in gone.params["text"]


async def test_admin_commands_are_hidden_from_others(env: Env) -> None:
    """A non-admin's /stats gets exactly the unknown-command reply; the admin gets statistics."""
    unknown = await env.say(USER, "/nosuchcommand")
    stats = await env.say(USER, "/stats")
    assert stats.params["text"] == unknown.params["text"] == t("en", "unknown_command")
    async with env.app.bot_data.services.db.atomic() as conn:
        await conn.execute(
            "INSERT INTO sources(url, added_at, failures, last_error, disabled_at) VALUES "
            "('https://feeds.example/broken.xml', '2024-11-01', 8, 'HTTP 500 <boom>', '2024-11-02')"
        )
    admin = await env.say(ADMIN, "/stats")
    text = admin.params["text"]
    assert "Articles: 2" in text
    assert "Sources: 1 (1 disabled)" in text
    assert "https://feeds.example/broken.xml: HTTP 500 &lt;boom&gt;" in text


async def test_admin_add_makes_article_answerable(env: Env) -> None:
    """An admin pastes an article with /add; a question about its speaker is answered at once."""
    added = await env.say(ADMIN, "/add " + PASTED)
    assert "Added article" in added.params["text"], added.params["text"]
    reply = await env.say(USER, "what did Zhelyazkov say?")
    assert "double our capacity" in reply.params["text"]
    duplicate = await env.say(ADMIN, "/add " + PASTED)
    assert "Already stored" in duplicate.params["text"]


async def test_hostile_questions_get_clear_replies(env: Env) -> None:
    """Markup, entities, FTS operators and huge questions: a clear reply, never an error."""
    huge = ('<b>bold</b> & "NEAR(a b)" OR * -x ^ AND ( ' * 250)[:10_000]
    reply = await env.say(USER, huge)
    assert reply.params["text"] == t("en", "ask_too_long", length=len(huge.strip()), limit=1000)
    short = '<b>Lavrov</b> & "NEAR(" OR * AND -) said?'
    reply = await env.say(USER, short)
    assert t("en", "error") not in reply.params["text"]
    assert "&lt;b&gt;" in reply.params["text"] or "Лавров" in reply.params["text"]
    assert not telegram_html_errors(reply.params["text"])
    empty = await env.say(USER, "/ask")
    assert empty.params["text"] == t("en", "ask_usage")


async def test_groups_mentions_admins_and_edits(env: Env) -> None:
    """In a group: plain chatter is ignored, a mention is answered, only chat admins change subscriptions,
    edited messages and other bots are ignored."""
    group = env.api.chat(GROUP, "supergroup", "News <fans> & co")
    mark = env.server.mark()
    env.server.push(env.api.message_update(group, env.user(USER), "nice weather today"))
    env.server.push(env.api.message_update(group, env.user(USER), "what did Lavrov say?", edited=True))
    bot_user = {"id": 999, "is_bot": True, "first_name": "Other", "username": "other_bot"}
    env.server.push(env.api.message_update(group, bot_user, f"@{env.api.username} what did Lavrov say?"))
    reply = await env.say(USER, f"@{env.api.username} what did Lavrov say?", chat=group)
    sent_before = [c for c in env.api.calls[mark:] if c.method == "sendMessage"]
    assert len(sent_before) == 1 and "Лавров" in reply.params["text"]
    refused = await env.say(USER, "/subscribe Lavrov", chat=group)
    assert refused.params["text"] == t("en", "admins_only")
    env.api.members[(GROUP, OTHER)] = "administrator"
    allowed = await env.say(OTHER, "/digest daily 07:30", chat=group)
    assert "daily at 07:30" in allowed.params["text"]


async def test_inline_mode_pages_with_next_offset(env: Env) -> None:
    """@bot Lavrov lists quotes as article results."""
    mark = env.server.mark()
    env.server.push(env.api.inline_update(env.user(USER), "Lavrov"))
    call = await env.server.wait_for("answerInlineQuery", after=mark)
    results = call.params["results"]
    assert results and all("Лавров" in r["title"] for r in results)
    assert "next_offset" not in call.params or call.params["next_offset"] in ("", None)


async def test_flood_wait_and_blocked_chats(env: Env) -> None:
    """A 429 with retry_after is waited out and retried; a blocked chat is deactivated on broadcast."""
    env.api.inject_error("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    reply = await env.say(USER, "/start")
    assert "Hello" in reply.params["text"]
    await env.say(OTHER, "/start")
    env.api.blocked_chats.add(OTHER)
    mark = env.server.mark()
    await env.say(ADMIN, "/broadcast <i>Maintenance</i> at 5 & 6")
    done = await env.server.wait_for("sendMessage", lambda c: "queued for" in c.params["text"], after=mark)
    assert "3 chats" in done.params["text"]
    delivered = [c for c in env.api.sent() if c.params["chat_id"] == USER]
    assert any("&lt;i&gt;Maintenance" in c.params["text"] for c in delivered)
    async with open_services(env.settings) as services:
        active = await services.db.scalar("SELECT active FROM chats WHERE id = ?", (OTHER,))
    assert active == 0


async def test_language_follows_user_and_lang_command(env: Env) -> None:
    """A Russian-speaking user gets Russian; /lang bg switches the chat to Bulgarian."""
    reply = await env.say(USER, "/help", lang="ru")
    assert "Вопросы" in reply.params["text"]
    switched = await env.say(USER, "/lang bg", lang="ru")
    assert switched.params["text"] == t("bg", "lang_set")
    answer = await env.say(USER, "/subscriptions", lang="ru")
    assert visible_text(answer.params["text"]).startswith("Този чат")


async def test_shutdown_is_clean(env: Env) -> None:
    """Nothing pending: the fixture stops polling and closes the services without errors."""
    reply = await env.say(USER, "/start")
    assert reply.status == 200
    await asyncio.sleep(0)


async def test_errors_are_logged_and_users_told_without_details(
    env: Env, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """An exception in a handler: logged with the update's context; the user gets a generic apology."""
    from news.engine import Engine

    async def boom(self: Engine, question: str, *, limit: int = 10) -> None:
        raise RuntimeError(f"database exploded /bot{TOKEN}/x")

    monkeypatch.setattr(Engine, "ask", boom)
    reply = await env.say(USER, "what did Lavrov say?")
    assert reply.params["text"] == t("en", "error")
    assert f"chat {USER} (private) user {USER}" in caplog.text
    assert "database exploded" in caplog.text and TOKEN not in caplog.text


async def test_banned_users_are_ignored(env: Env) -> None:
    """After /ban, the user's messages get no reply; /unban restores them."""
    await env.say(ADMIN, f"/ban {USER}")
    mark = env.server.mark()
    env.server.push(env.api.message_update(env.api.chat(USER), env.user(USER), "/start"))
    await env.say(ADMIN, "/start")  # processed after the banned user's message
    assert not [c for c in env.api.calls[mark:] if c.method == "sendMessage" and c.params["chat_id"] == USER]
    await env.say(ADMIN, f"/unban {USER}")
    assert "Hello" in (await env.say(USER, "/start")).params["text"]
