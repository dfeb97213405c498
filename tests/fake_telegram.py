"""A small local Bot API server for end-to-end tests (127.0.0.1 only).

It behaves like Telegram where it matters to the bot: the /bot<token>/<method> endpoints the
bot uses, long-polled getUpdates, Telegram's error shape ({"ok": false, "error_code",
"description"}), and Telegram's checks: HTML that does not parse or uses unsupported tags
(400 "can't parse entities"), text over 4096 characters, callback_data over 64 bytes, more
than 50 inline results. Tests drive it through a thread-safe handle: push updates, read what
the bot sent, and inject faults (429 with retry_after, 500, slow answers).
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import threading
import time
from dataclasses import dataclass, field

from aiohttp import web

BOT_USER = {"id": 7000001, "is_bot": True, "first_name": "QuoteBot", "username": "QuoteTestBot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": True}
ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "blockquote",
                "tg-spoiler", "span", "tg-emoji"}
JSON_FIELDS = {"reply_markup", "results", "commands", "allowed_updates", "entities", "link_preview_options",
               "reply_parameters", "scope", "input_message_content"}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:=(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*>")
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});")
MAX_TEXT = 4096
MAX_CALLBACK = 64
MAX_INLINE = 50


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


def visible_text(text: str) -> str:
    """Check Telegram-HTML the way Telegram does; return the text without tags."""
    out, stack, pos = [], [], 0
    while pos < len(text):
        ch = text[pos]
        if ch == "<":
            match = _TAG.match(text, pos)
            if not match:
                raise ApiError(400, f"Bad Request: can't parse entities: unsupported start tag at byte offset {pos}")
            closing, name = match.group(1), match.group(2).lower()
            if name not in ALLOWED_TAGS:
                raise ApiError(400, f'Bad Request: can\'t parse entities: unsupported start tag "{name}" at byte offset {pos}')
            if closing:
                if not stack or stack[-1] != name:
                    raise ApiError(400, f'Bad Request: can\'t parse entities: unexpected end tag at byte offset {pos}')
                stack.pop()
            else:
                stack.append(name)
            pos = match.end()
        elif ch == "&":
            match = _ENTITY.match(text, pos)
            if not match:
                raise ApiError(400, f"Bad Request: can't parse entities: unsupported entity at byte offset {pos}")
            out.append(html.unescape(match.group()))
            pos = match.end()
        else:
            out.append(ch)
            pos += 1
    if stack:
        raise ApiError(400, f"Bad Request: can't parse entities: can't find end tag corresponding to start tag \"{stack[-1]}\"")
    return "".join(out)


def check_text(text: str | None, parse_mode: str | None) -> str:
    if not text or not str(text).strip():
        raise ApiError(400, "Bad Request: message text is empty")
    plain = visible_text(text) if (parse_mode or "").upper() == "HTML" else text
    if len(plain) > MAX_TEXT:
        raise ApiError(400, "Bad Request: message is too long")
    return plain


def check_markup(markup: dict | None) -> None:
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not (1 <= len(data.encode("utf-8")) <= MAX_CALLBACK):
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")


@dataclass
class Fault:
    method: str
    kind: str  # "429", "500", "404", "slow", or "502-after" (delivered, then answered 502)
    times: int = 1
    retry_after: int = 1
    delay: float = 2.0


@dataclass
class State:
    token: str
    updates: list = field(default_factory=list)
    next_update: int = 1
    calls: list = field(default_factory=list)
    faults: list = field(default_factory=list)
    next_message: int = 1000
    chats: dict = field(default_factory=dict)
    messages: dict = field(default_factory=dict)  # (chat_id, message_id) -> text
    files: dict = field(default_factory=dict)  # file_id -> bytes (getFile and /file/bot<token>/…)


class FakeTelegram:
    """Run the server in a background thread; the methods are safe to call from tests."""

    def __init__(self, token: str) -> None:
        self.state = State(token)
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._new_update: asyncio.Event | None = None
        self.port = 0
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    # ---- lifecycle -----------------------------------------------------------------------
    def start(self) -> "FakeTelegram":
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fake Telegram did not start")
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._new_update = asyncio.Event()
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/documents/{file_id}", self._download)
        runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(runner.cleanup())

    # ---- test controls -------------------------------------------------------------------
    def push(self, update: dict) -> int:
        with self._lock:
            update = {**update, "update_id": self.state.next_update}
            self.state.next_update += 1
            self.state.updates.append(update)
            chat = (update.get("message") or {}).get("chat")
            if chat:
                self.state.chats[chat["id"]] = chat
        self._loop.call_soon_threadsafe(self._new_update.set)
        return update["update_id"]

    def add_file(self, file_id: str, data: bytes) -> None:
        """A file a user sent: getFile describes it, /file/bot<token>/documents/<file_id> serves it."""
        with self._lock:
            self.state.files[file_id] = data

    def fault(self, method: str, kind: str, times: int = 1, retry_after: int = 1, delay: float = 2.0) -> None:
        with self._lock:
            self.state.faults.append(Fault(method, kind, times, retry_after, delay))

    def calls(self, method: str | None = None) -> list[dict]:
        with self._lock:
            return [c for c in self.state.calls if method is None or c["method"] == method]

    def wait_for(self, predicate, timeout: float = 60.0, what: str = "a call") -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for call in self.calls():
                if predicate(call):
                    return call
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; calls: {[c['method'] for c in self.calls()][-20:]}")

    # ---- the API -------------------------------------------------------------------------
    async def _params(self, request: web.Request) -> dict:
        params: dict = dict(request.query)
        if request.content_type == "application/json":
            body = await request.text()
            params.update(json.loads(body) if body else {})
        elif request.can_read_body:
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
        for key in JSON_FIELDS & set(params):
            if isinstance(params[key], str):
                params[key] = json.loads(params[key])
        return params

    def _take_fault(self, method: str) -> Fault | None:
        with self._lock:
            for fault in self.state.faults:
                if fault.method == method and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.state.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        params = await self._params(request)
        fault = self._take_fault(method)
        record = {"method": method, "params": params, "time": time.monotonic()}
        try:
            if fault and fault.kind == "429":
                raise ApiError(429, f"Too Many Requests: retry after {fault.retry_after}", {"retry_after": fault.retry_after})
            if fault and fault.kind == "500":
                raise ApiError(500, "Internal Server Error")
            if fault and fault.kind == "404":
                raise ApiError(404, "Not Found")
            if fault and fault.kind == "slow":
                await asyncio.sleep(fault.delay)
            handler = getattr(self, f"api_{method}", None)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            result = await handler(params)
            if fault and fault.kind == "502-after":  # done, yet the bot is told it failed
                record.update(ok=True, result=result, answered=502)
                with self._lock:
                    self.state.calls.append(record)
                return web.json_response({"ok": False, "error_code": 502, "description": "Bad Gateway"}, status=502)
        except ApiError as exc:
            record.update(ok=False, error=exc.description)
            with self._lock:
                self.state.calls.append(record)
            body = {"ok": False, "error_code": exc.code, "description": exc.description}
            if exc.parameters:
                body["parameters"] = exc.parameters
            return web.json_response(body, status=exc.code)
        if method != "getUpdates" or result:
            record.update(ok=True, result=result)
            with self._lock:
                self.state.calls.append(record)
        return web.json_response({"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        with self._lock:
            data = self.state.files.get(file_id)
            self.state.calls.append({"method": "download", "params": {"file_id": file_id}, "time": time.monotonic(),
                                     "ok": data is not None})
        if request.match_info["token"] != self.state.token or data is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=data, content_type="application/octet-stream")

    async def api_getFile(self, params):
        file_id = str(params.get("file_id"))
        with self._lock:
            data = self.state.files.get(file_id)
        if data is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {"file_id": file_id, "file_unique_id": "u" + file_id, "file_size": len(data),
                "file_path": f"documents/{file_id}"}

    async def api_getMe(self, params):
        return BOT_USER

    async def api_getUpdates(self, params):
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 2.0)
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                self.state.updates = [u for u in self.state.updates if u["update_id"] >= offset]
                pending = list(self.state.updates[: int(params.get("limit") or 100)])
            if pending or time.monotonic() >= deadline:
                return pending
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), max(0.01, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                pass

    async def _ok(self, params):
        return True

    api_deleteWebhook = api_setMyCommands = api_deleteMyCommands = api_sendChatAction = _ok
    api_answerCallbackQuery = api_setWebhook = _ok

    async def api_getWebhookInfo(self, params):
        return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}

    def _message(self, chat_id: int, text: str, params: dict, message_id: int | None = None) -> dict:
        with self._lock:
            if message_id is None:
                self.state.next_message += 1
                message_id = self.state.next_message
            chat = self.state.chats.get(chat_id, {"id": chat_id, "type": "private" if chat_id > 0 else "group"})
            self.state.messages[(chat_id, message_id)] = text
        message = {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": BOT_USER, "text": text}
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    async def api_sendMessage(self, params):
        plain = check_text(params.get("text"), params.get("parse_mode"))
        check_markup(params.get("reply_markup"))
        return self._message(int(params["chat_id"]), plain, params)

    async def api_editMessageText(self, params):
        plain = check_text(params.get("text"), params.get("parse_mode"))
        check_markup(params.get("reply_markup"))
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        with self._lock:
            old = self.state.messages.get((chat_id, message_id))
        if old is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if old == plain:
            raise ApiError(400, "Bad Request: message is not modified")
        return self._message(chat_id, plain, params, message_id)

    async def api_answerInlineQuery(self, params):
        results = params.get("results") or []
        if len(results) > MAX_INLINE:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        for result in results:
            content = result.get("input_message_content") or {}
            check_text(content.get("message_text"), content.get("parse_mode"))
        return True
