"""The console chat: the real Application and handlers, with an in-process Bot API instead of Telegram.

`LocalBotApi` answers the Bot API methods the bot uses (getMe, sendMessage, editMessageText,
answerCallbackQuery, answerInlineQuery, setMyCommands, getChatMember, sendDocument, getFile, ...), keeps
the messages and files it was given, and checks what Telegram would refuse (bad HTML, too long).
`LocalRequest` is the `BaseRequest` that hands the bot's requests (and file downloads) to it. The
end-to-end tests serve the same `LocalBotApi` over HTTP.

Files: an uploaded parameter (multipart form-data) reaches `handle` as an `UploadedFile`; files are kept
by file_id, `getFile` gives their `file_path`, and `download(file_path)` returns the bytes (what
`/file/bot<token>/<file_path>` serves).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from telegram import Update
from telegram.request import BaseRequest, RequestData

from bot.i18n import LANGS
from bot.render import MESSAGE_LIMIT, html_to_terminal, telegram_html_errors, utf16_len

CAPTION_LIMIT = 1024
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # getFile refuses bigger files, as Telegram does

JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "results",
        "commands",
        "scope",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
        "entities",
        "button",
    }
)
INT_PARAMS = frozenset(
    {"chat_id", "message_id", "user_id", "offset", "timeout", "limit", "message_thread_id", "cache_time"}
)


def normalise_params(raw: dict[str, Any]) -> dict[str, Any]:
    """Bot API parameters as sent by python-telegram-bot (JSON-encoded strings) turned into values."""
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str) and key in JSON_PARAMS:
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        elif isinstance(value, str) and key in INT_PARAMS and re.fullmatch(r"-?\d+", value):
            value = int(value)
        elif (
            isinstance(value, str) and value in ("true", "false") and key not in ("text", "query", "caption")
        ):
            value = value == "true"
        params[key] = value
    return params


def visible_text(html: str) -> str:
    """What Telegram would show for HTML text: tags removed, entities decoded."""
    text = re.sub(r"<[^>]*>", "", html)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


@dataclass(frozen=True)
class UploadedFile:
    """A file the bot uploaded (one multipart form-data part)."""

    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True)
class StoredFile:
    """A file the local API holds: sent by the bot or by a user."""

    file_id: str
    file_unique_id: str
    file_name: str
    mime_type: str
    content: bytes
    file_path: str


@dataclass
class ApiCall:
    """One recorded Bot API call."""

    method: str
    params: dict[str, Any]
    status: int
    result: Any


@dataclass
class LocalBotApi:
    """An in-process Bot API with Telegram's checks on text; records every call."""

    bot_id: int = 100000001
    username: str = "newsbot_local_bot"
    calls: list[ApiCall] = field(default_factory=list)
    messages: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    chats: dict[int, dict[str, Any]] = field(default_factory=dict)
    members: dict[tuple[int, int], str] = field(default_factory=dict)
    commands: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    blocked_chats: set[int] = field(default_factory=set)
    injected: list[tuple[str, int, str, int | None]] = field(default_factory=list)
    files: dict[str, StoredFile] = field(default_factory=dict)  # by file_id
    _ids: dict[int, itertools.count[int]] = field(default_factory=dict)
    _file_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _query_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # -- what the bot sees -------------------------------------------------------------------------------

    def bot_user(self) -> dict[str, Any]:
        """The bot as a User object."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "News",
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }

    def inject_error(self, method: str, code: int, description: str, retry_after: int | None = None) -> None:
        """Make the next call of `method` fail once with this error (429 carries retry_after)."""
        self.injected.append((method, code, description, retry_after))

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._ids.setdefault(chat_id, itertools.count(1)))

    def handle(self, method: str, raw_params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Answer one Bot API call: (HTTP status, JSON body)."""
        params = normalise_params(raw_params)
        status, body = self._dispatch(method, params)
        self.calls.append(ApiCall(method, params, status, body.get("result")))
        return status, body

    def _dispatch(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        for index, (name, code, description, retry_after) in enumerate(self.injected):
            if name == method:
                del self.injected[index]
                return self._error(code, description, retry_after)
        handler: Callable[[dict[str, Any]], Any] | None = getattr(self, f"_m_{method}", None)
        if handler is None:
            return self._error(404, "Not Found: method not found")
        try:
            return 200, {"ok": True, "result": handler(params)}
        except _ApiError as exc:
            return self._error(exc.code, exc.description)

    @staticmethod
    def _error(code: int, description: str, retry_after: int | None = None) -> tuple[int, dict[str, Any]]:
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        return code, body

    # -- methods -----------------------------------------------------------------------------------------

    def _m_getMe(self, params: dict[str, Any]) -> Any:
        return self.bot_user()

    def _m_logOut(self, params: dict[str, Any]) -> Any:
        return True

    def _m_close(self, params: dict[str, Any]) -> Any:
        return True

    def _m_deleteWebhook(self, params: dict[str, Any]) -> Any:
        return True

    def _m_setWebhook(self, params: dict[str, Any]) -> Any:
        return True

    def _m_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}

    def _m_sendChatAction(self, params: dict[str, Any]) -> Any:
        return True

    def _m_setMyCommands(self, params: dict[str, Any]) -> Any:
        commands = params.get("commands") or []
        if len(commands) > 100:
            raise _ApiError(400, "Bad Request: too many commands")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")):
                raise _ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise _ApiError(400, "Bad Request: command description is invalid")
        scope = json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True)
        self.commands[(scope, params.get("language_code", ""))] = commands
        return True

    def _m_getMyCommands(self, params: dict[str, Any]) -> Any:
        scope = json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True)
        return self.commands.get((scope, params.get("language_code", "")), [])

    def _m_deleteMyCommands(self, params: dict[str, Any]) -> Any:
        scope = json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True)
        self.commands.pop((scope, params.get("language_code", "")), None)
        return True

    def _m_getChatMember(self, params: dict[str, Any]) -> Any:
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        status = self.members.get((chat_id, user_id), "member")
        member: dict[str, Any] = {
            "status": status,
            "user": {"id": user_id, "is_bot": False, "first_name": "U"},
        }
        if status == "administrator":
            member.update(
                can_be_edited=False,
                is_anonymous=False,
                can_manage_chat=True,
                can_delete_messages=True,
                can_manage_video_chats=True,
                can_restrict_members=True,
                can_promote_members=False,
                can_change_info=True,
                can_invite_users=True,
                can_post_stories=False,
                can_edit_stories=False,
                can_delete_stories=False,
            )
        elif status == "creator":
            member["is_anonymous"] = False
        return member

    def _check_text(self, text: str) -> None:
        if not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        problems = telegram_html_errors(text)
        if problems:
            raise _ApiError(400, f"Bad Request: can't parse entities: {problems[0]}")
        if utf16_len(visible_text(text)) > MESSAGE_LIMIT:
            raise _ApiError(400, "Bad Request: message is too long")

    def _check_markup(self, markup: Any) -> None:
        if not markup:
            return
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= 64:
                    raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")

    def _outgoing(self, chat_id: int, **content: Any) -> dict[str, Any]:
        """A new message from the bot in a chat, with the given content fields (text, document, ...)."""
        chat = self.chats.get(chat_id, {"id": chat_id, "type": "private", "first_name": "User"})
        return {
            "message_id": self._next_message_id(chat_id),
            "date": int(time.time()),
            "chat": chat,
            "from": self.bot_user(),
            **content,
        }

    def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        if chat_id in self.blocked_chats:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        text = str(params.get("text", ""))
        self._check_text(text)
        self._check_markup(params.get("reply_markup"))
        message = self._outgoing(chat_id, text=text)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def _m_editMessageText(self, params: dict[str, Any]) -> Any:
        key = (int(params["chat_id"]), int(params["message_id"]))
        message = self.messages.get(key)
        if message is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        text = str(params.get("text", ""))
        self._check_text(text)
        self._check_markup(params.get("reply_markup"))
        markup = params.get("reply_markup")
        if message.get("text") == text and message.get("reply_markup") == markup:
            raise _ApiError(400, "Bad Request: message is not modified")
        message = {**message, "text": text, "edit_date": int(time.time())}
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        self.messages[key] = message
        return message

    def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        key = (int(params["chat_id"]), int(params["message_id"]))
        message = self.messages.get(key)
        if message is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        message = dict(message)
        message.pop("reply_markup", None)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self.messages[key] = message
        return message

    def _m_deleteMessage(self, params: dict[str, Any]) -> Any:
        self.messages.pop((int(params["chat_id"]), int(params["message_id"])), None)
        return True

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        if len(str(params.get("text", ""))) > 200:
            raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    def _m_answerInlineQuery(self, params: dict[str, Any]) -> Any:
        results = params.get("results") or []
        if len(results) > 50:
            raise _ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        if len(str(params.get("next_offset", "")).encode()) > 64:
            raise _ApiError(400, "Bad Request: NEXT_OFFSET_INVALID")
        for result in results:
            content = result.get("input_message_content") or {}
            if "message_text" in content:
                self._check_text(content["message_text"])
        return True

    def _check_caption(self, params: dict[str, Any]) -> str | None:
        caption = params.get("caption")
        if caption is None or caption == "":
            return None
        caption = str(caption)
        problems = telegram_html_errors(caption) if params.get("parse_mode") == "HTML" else []
        if problems:
            raise _ApiError(400, f"Bad Request: can't parse entities: {problems[0]}")
        if utf16_len(visible_text(caption)) > CAPTION_LIMIT:
            raise _ApiError(400, "Bad Request: message caption is too long")
        return caption

    def _m_sendDocument(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        if chat_id in self.blocked_chats:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        document = params.get("document")
        if isinstance(document, UploadedFile):
            if not document.content:
                raise _ApiError(400, "Bad Request: file must be non-empty")
            stored = self.store_file(document.content, document.filename, document.mime_type)
        elif isinstance(document, str) and document in self.files:
            stored = self.files[document]
        else:
            raise _ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        caption = self._check_caption(params)
        self._check_markup(params.get("reply_markup"))
        message = self._outgoing(chat_id, document=self.document_object(stored))
        if caption is not None:
            message["caption"] = caption
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def _m_getFile(self, params: dict[str, Any]) -> Any:
        stored = self.files.get(str(params.get("file_id", "")))
        if stored is None:
            raise _ApiError(400, "Bad Request: invalid file_id")
        if len(stored.content) > DOWNLOAD_LIMIT:
            raise _ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    # -- files -------------------------------------------------------------------------------------------

    def store_file(
        self, content: bytes, file_name: str, mime_type: str = "application/octet-stream"
    ) -> StoredFile:
        """Keep a file (sent by the bot or a user); returns it with its ids and path."""
        number = next(self._file_ids)
        safe_name = re.sub(r"[^A-Za-z0-9._-]", "_", file_name)[-60:] or "file"
        stored = StoredFile(
            file_id=f"LOCALFILE{number:06d}",
            file_unique_id=f"U{number:06d}",
            file_name=file_name,
            mime_type=mime_type,
            content=content,
            file_path=f"documents/file_{number}_{safe_name}",
        )
        self.files[stored.file_id] = stored
        return stored

    @staticmethod
    def document_object(stored: StoredFile) -> dict[str, Any]:
        """The Document object for a stored file."""
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.file_name,
            "mime_type": stored.mime_type,
            "file_size": len(stored.content),
        }

    def download(self, file_path: str) -> bytes | None:
        """The bytes of the file at `file_path` (as getFile gave it; URL-quoted or not), or None."""
        path = unquote(file_path).lstrip("/")
        found = next((f for f in self.files.values() if f.file_path == path), None)
        self.calls.append(ApiCall("downloadFile", {"file_path": path}, 200 if found else 404, None))
        return None if found is None else found.content

    def document_of(self, call: ApiCall) -> bytes:
        """The content of the document a sendDocument call sent."""
        return self.files[call.result["document"]["file_id"]].content

    # -- updates as users make them ----------------------------------------------------------------------

    def user(
        self, user_id: int, first_name: str = "User", language_code: str | None = "en"
    ) -> dict[str, Any]:
        """A User object."""
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        return user

    def chat(self, chat_id: int, chat_type: str = "private", title: str | None = None) -> dict[str, Any]:
        """A Chat object (remembered, so the bot's messages carry it)."""
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = title or "User"
        else:
            chat["title"] = title or "Group"
        self.chats[chat_id] = chat
        return chat

    def message_update(
        self,
        chat: dict[str, Any],
        user: dict[str, Any],
        text: str,
        *,
        reply_to: dict[str, Any] | None = None,
        forward_from_channel: dict[str, Any] | None = None,
        edited: bool = False,
        document: StoredFile | None = None,
    ) -> dict[str, Any]:
        """An update with a text message from `user` in `chat` (commands get their entity); with
        `document`, a message carrying that file and `text` as its caption."""
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat["id"]),
            "date": int(time.time()),
            "chat": chat,
            "from": user,
        }
        if document is not None:
            message["document"] = self.document_object(document)
            if text:
                message["caption"] = text
        else:
            message["text"] = text
        entities = []
        command = re.match(r"^/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
        if command:
            entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command.group(0))})
        for mention in re.finditer(r"@[A-Za-z0-9_]{5,32}", text):
            if command and mention.start() < command.end():
                continue
            offset = utf16_len(text[: mention.start()])
            entities.append({"type": "mention", "offset": offset, "length": utf16_len(mention.group(0))})
        if entities:
            message["caption_entities" if document is not None else "entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        if forward_from_channel is not None:
            message["forward_origin"] = {
                "type": "channel",
                "date": int(time.time()),
                "chat": forward_from_channel,
                "message_id": 7,
            }
        if edited:
            message["edit_date"] = int(time.time())
        self.messages[(chat["id"], message["message_id"])] = message
        kind = "edited_message" if edited else "message"
        return {"update_id": next(self._update_ids), kind: message}

    def callback_update(self, user: dict[str, Any], message: dict[str, Any], data: str) -> dict[str, Any]:
        """An update for pressing a button with `data` under `message`."""
        current = self.messages.get((message["chat"]["id"], message["message_id"]), message)
        return {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": str(next(self._query_ids)),
                "from": user,
                "message": current,
                "chat_instance": str(current["chat"]["id"]),
                "data": data,
            },
        }

    def inline_update(self, user: dict[str, Any], query: str, offset: str = "") -> dict[str, Any]:
        """An inline query update."""
        return {
            "update_id": next(self._update_ids),
            "inline_query": {
                "id": str(next(self._query_ids)),
                "from": user,
                "query": query,
                "offset": offset,
            },
        }

    def sent(self, method: str = "sendMessage") -> list[ApiCall]:
        """Successful calls of `method`, in order."""
        return [c for c in self.calls if c.method == method and c.status == 200]


class _ApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


class LocalRequest(BaseRequest):
    """A `BaseRequest` that answers from a `LocalBotApi` instead of the network."""

    def __init__(self, api: LocalBotApi) -> None:
        self.api = api

    @property
    def read_timeout(self) -> float | None:
        """No network, no timeout."""
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        """Hand the call to the local API (file downloads: `.../file/bot<token>/<file_path>`)."""
        if "/file/bot" in url:
            file_path = url.split("/file/bot", 1)[1].partition("/")[2]
            content = self.api.download(file_path)
            if content is None:
                return 404, json.dumps({"ok": False, "error_code": 404, "description": "Not Found"}).encode()
            return 200, content
        api_method = url.rsplit("/", 1)[-1]
        params: dict[str, Any] = dict(request_data.json_parameters) if request_data is not None else {}
        if request_data is not None and request_data.contains_files:
            for name, (filename, upload, mime_type) in request_data.multipart_data.items():
                data = upload if isinstance(upload, bytes) else upload.read()
                params[name] = UploadedFile(
                    filename or name, bytes(data), mime_type or "application/octet-stream"
                )
        status, body = self.api.handle(api_method, params)
        return status, json.dumps(body).encode()


# -- the chat ------------------------------------------------------------------------------------------------

CONSOLE_USER_ID = 1000
CONSOLE_TOKEN = "100000001:LOCAL-CONSOLE-TOKEN-not-valid-on-telegram"


@dataclass
class Button:
    """A button shown in the terminal."""

    label: str
    data: str
    message: dict[str, Any]


class ConsoleChat:
    """Feeds typed lines to the Application as updates from one user and renders what the bot sends."""

    def __init__(self, application: Any, api: LocalBotApi, *, lang: str = "en", ansi: bool = False) -> None:
        self.application = application
        self.api = api
        self.ansi = ansi
        self.user = api.user(CONSOLE_USER_ID, "You", lang)
        self.chat = api.chat(CONSOLE_USER_ID, "private", "You")
        self.buttons: list[Button] = []

    async def send(self, line: str) -> list[ApiCall]:
        """Process one typed line; returns the Bot API calls it caused."""
        line = line.strip()
        if not line:
            return []
        if line.isdigit() and self.buttons and 1 <= int(line) <= len(self.buttons):
            pressed = self.buttons[int(line) - 1]
            update = self.api.callback_update(self.user, pressed.message, pressed.data)
        elif line.startswith(f"@{self.api.username}") or line.startswith("@ "):
            query = line.split(maxsplit=1)[1] if len(line.split(maxsplit=1)) > 1 else ""
            update = self.api.inline_update(self.user, query)
        else:
            update = self.api.message_update(self.chat, self.user, line)
        start = len(self.api.calls)
        await self.application.process_update(Update.de_json(update, self.application.bot))
        calls = self.api.calls[start:]
        for call in calls:
            markup = call.params.get("reply_markup") if call.status == 200 else None
            if (
                call.method in ("sendMessage", "editMessageText", "editMessageReplyMarkup")
                and call.status == 200
            ):
                rows = (markup or {}).get("inline_keyboard", [])
                found = [
                    Button(b["text"], b.get("callback_data", ""), call.result) for row in rows for b in row
                ]
                if found or call.method != "sendMessage":
                    self.buttons = found
        return calls

    def render(self, calls: list[ApiCall]) -> str:
        """What the person sees for these calls."""
        out: list[str] = []
        for call in calls:
            if call.status != 200:
                continue
            if call.method in ("sendMessage", "editMessageText"):
                label = "bot" if call.method == "sendMessage" else "bot (edited)"
                text = html_to_terminal(str(call.params.get("text", "")), ansi=self.ansi)
                out.append(f"{label}> " + text.replace("\n", "\n     "))
                rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
                if rows:
                    out.append(
                        "     " + "  ".join(f"[{i + 1}] {b.label}" for i, b in enumerate(self.buttons))
                    )
            elif call.method == "sendDocument":
                document = call.result["document"]
                caption = html_to_terminal(str(call.params.get("caption", "")), ansi=self.ansi)
                out.append(f"bot (file)> {document['file_name']} ({document['file_size']} bytes) {caption}")
            elif call.method == "answerCallbackQuery" and call.params.get("text"):
                out.append(f"bot (notice)> {call.params['text']}")
            elif call.method == "answerInlineQuery":
                results = call.params.get("results") or []
                if not results:
                    out.append("bot (inline)> no results")
                for i, result in enumerate(results, 1):
                    out.append(
                        f"bot (inline) {i}. {result.get('title', '')} — {result.get('description', '')}"
                    )
        return "\n".join(out)


def console_lang() -> str:
    """The terminal user's language from LANG/LC_ALL when supported, else English."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        code = os.environ.get(var, "")[:2].lower()
        if code in LANGS:
            return code
    return "en"


async def run_console(settings: Any, *, lang: str | None = None) -> int:
    """Chat with the bot in the terminal until EOF, /quit or /exit."""
    from bot.app import build_application, running

    api = LocalBotApi()
    console_settings = settings.model_copy(
        update={"admin_ids": settings.admin_ids | {CONSOLE_USER_ID}, "telegram_api_base_url": None}
    )
    application = build_application(
        console_settings, token=CONSOLE_TOKEN, request=LocalRequest(api), with_updater=False
    )
    chat = ConsoleChat(application, api, lang=lang or console_lang(), ansi=sys.stdout.isatty())
    async with running(application):
        print(
            "Console chat with the bot (the same handlers as on Telegram). Type a question or a command "
            "(/help); type a button's number to press it; '@ question' for inline mode; /quit to leave.",
            flush=True,
        )
        while True:
            line = await asyncio.to_thread(_read_line)
            if line is None or line.strip() in ("/quit", "/exit"):
                break
            print(chat.render(await chat.send(line)), flush=True)
    return 0


def _read_line() -> str | None:
    try:
        return input("you> ")
    except EOFError:
        return None
