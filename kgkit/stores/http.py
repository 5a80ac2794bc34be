"""kgkit's HTTP client for stores: credentials, retries with back-off, timeouts, and redaction of secrets."""

from __future__ import annotations

import base64
import http.client
import io
import logging
import os
import re
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

from kgkit.errors import InputError, StoreError

#: Environment variables read for credentials when none are given (never printed).
ENV_USER, ENV_PASSWORD, ENV_TOKEN = "KGKIT_STORE_USER", "KGKIT_STORE_PASSWORD", "KGKIT_STORE_TOKEN"

log = logging.getLogger(__name__)


@dataclass(frozen=True, repr=False)
class Credentials:
    """HTTP credentials: ``user``/``password`` (Basic or Digest, whichever the store asks for:
    Virtuoso's ``/sparql-auth`` wants Digest) or a bearer ``token``. Never printed: ``repr`` hides them and
    every message kgkit makes from a store's answer has them blanked out."""

    user: str | None = None
    password: str | None = None
    token: str | None = None

    def __repr__(self) -> str:
        return f"Credentials(user={'***' if self.user else None}, password=***, token=***)"

    def __bool__(self) -> bool:
        return bool(self.user or self.token)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Credentials | None:
        """Credentials from ``KGKIT_STORE_USER``/``KGKIT_STORE_PASSWORD`` or ``KGKIT_STORE_TOKEN``."""
        env = os.environ if environ is None else environ
        found = cls(env.get(ENV_USER) or None, env.get(ENV_PASSWORD) or None, env.get(ENV_TOKEN) or None)
        return found if found else None

    def secrets(self) -> list[str]:
        """Every string that would give the credentials away (blanked out of messages)."""
        found = [s for s in (self.password, self.token) if s]
        if self.user and self.password:
            pair = f"{self.user}:{self.password}"
            found += [pair, base64.b64encode(pair.encode("utf-8")).decode("ascii"), urllib.parse.quote(pair)]
            found.append(urllib.parse.quote(self.password, safe=""))
        return sorted({s for s in found if len(s) >= 3}, key=len, reverse=True)


@dataclass
class _Response:
    """A store's complete answer (what SPARQLWrapper's QueryResult reads as its ``response``)."""

    status: int
    headers: Message
    body: bytes
    url: str

    def read(self) -> bytes:
        return self.body

    def info(self) -> Message:
        return self.headers

    def geturl(self) -> str:
        return self.url

    def getcode(self) -> int:
        return self.status


class _Body(io.RawIOBase):
    """A request body read in blocks by http.client, reporting how many bytes went out."""

    def __init__(self, data: bytes, sent: Callable[[int], None] | None = None) -> None:
        self._data = memoryview(data)
        self._pos = 0
        self._sent = sent

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = min(len(buffer), len(self._data) - self._pos, 1 << 16)
        buffer[:n] = self._data[self._pos : self._pos + n]
        self._pos += n
        if self._sent and n:
            self._sent(self._pos)
        return n


def _file_blocks(path: Path, sent: Callable[[int], None] | None = None) -> Iterator[bytes]:
    """A request body read from a file in large blocks (so that sending them holds the GIL rarely),
    reporting how many bytes went out."""
    done = 0
    with open(path, "rb") as fh:
        while block := fh.read(1 << 23):
            yield block
            done += len(block)
            if sent:
                sent(done)


_RETRY_STATUS = {500, 502, 503, 504, 507, 429}


_SECRET_PARAM = re.compile(r"(?i)(access[-_]?)?token|key|password|secret")


_STREAM_ABOVE = 1 << 20  # bytes
#: The largest answer kgkit takes from a store (held in memory), and of an error answer what it reads
MAX_ANSWER_BYTES = 512 * 1024 * 1024
_ERROR_BYTES = 64 * 1024


class _AnswerTooLong(Exception):
    """An answer that did not end in time, or grew past its limit (``reason`` says which)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _read_bounded(response: Any, deadline: float, limit: int, *, cut: bool = False) -> bytes:
    """The body of ``response`` read by blocks until ``deadline`` (a store that sends a byte now and
    then would otherwise keep the socket timeout from ever firing) and up to ``limit`` bytes;
    _AnswerTooLong past either, or with ``cut`` what came by then."""
    body = bytearray()
    while True:
        block = response.read(min(1 << 16, limit + 1 - len(body)))
        if not block:
            return bytes(body)
        body += block
        if len(body) > limit:
            if cut:
                return bytes(body[:limit])
            raise _AnswerTooLong(f"the answer is larger than {limit / 2**20:g} MB")
        if time.monotonic() > deadline:
            if cut:
                return bytes(body)
            raise _AnswerTooLong("the answer did not end in time (timed out)")


_HINTS = {
    401: "check the credentials (--user/--password, --token or the KGKIT_STORE_* variables)",
    403: "the account may not be allowed to do this (Virtuoso: grant SPARQL_UPDATE, or use /sparql-auth)",
    404: "is this the store's URL? see `kgkit load --help` for the URLs of each store",
    405: "this URL does not take this request; give --update-url / --gsp-url",
    413: "the request was too large: lower --batch-size (with --protocol update)",
    415: "the store does not take this media type",
}


class _Http:
    """Sends requests for one store: credentials, a timeout, retries with exponential back-off on
    5xx answers and dropped connections (idempotent requests only) and one-line StoreErrors with no
    credentials in them."""

    def __init__(
        self, credentials: Credentials | None, timeout: float, retries: int = 2, backoff: float = 0.5
    ) -> None:
        self.credentials = credentials if credentials else None
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self.secrets = credentials.secrets() if credentials else []
        # Authorization goes in as an "unredirected" header: urllib never carries it to a redirect.
        self._opener = urllib.request.build_opener()
        self._digest: tuple[urllib.request.HTTPDigestAuthHandler, dict[str, str]] | None = None
        self._basic = False
        self.server = ""  # the Server header of the last answer ("Oxigraph/0.5.13")

    # -- sending --

    def send(
        self,
        method: str,
        url: str,
        *,
        data: bytes | Path | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool,
        sent: Callable[[int], None] | None = None,
    ) -> _Response:
        """One HTTP exchange, retried where safe; StoreError for anything but a 2xx answer. ``data``
        is the body, or a file whose content is the body (streamed, never held in memory)."""
        attempt, answered_challenge = 0, False
        while True:
            request = urllib.request.Request(url, method=method, headers=dict(headers or {}))
            if isinstance(data, Path):
                request.data = _file_blocks(data, sent)
                request.add_header("Content-Length", str(data.stat().st_size))
            elif data is not None:
                # Bytes go out with the headers in one send (a file-like body is sent after them, and
                # Nagle's algorithm with delayed ACKs then stalls each request ~40 ms); a large body
                # is read in blocks, so that progress can be told.
                request.data = _Body(data, sent) if sent and len(data) > _STREAM_ABOVE else data
                request.add_header("Content-Length", str(len(data)))
            self._authorize(request)
            started = time.monotonic()
            try:
                with self._opener.open(request, timeout=self.timeout) as response:
                    self.server = response.headers.get("Server") or ""
                    try:
                        body = _read_bounded(response, started + self.timeout, MAX_ANSWER_BYTES)
                    except _AnswerTooLong as err:
                        raise self.error(
                            f"{method} {self.redact(url)}: {err.reason} within {self.timeout:g} s; "
                            "a larger --timeout may help"
                            if "time" in err.reason
                            else f"{method} {self.redact(url)}: {err.reason}: refused"
                        ) from None
                    log.debug("%s %s -> %s in %.2f s", method, self.redact(url), response.status,
                              time.monotonic() - started)
                    return _Response(response.status, response.headers, body, response.url)
            except urllib.error.HTTPError as err:
                message = _store_message(err, started + self.timeout)
                log.debug("%s %s -> HTTP %s", method, self.redact(url), err.code)
                if err.code == 401 and not answered_challenge and self._answer_challenge(err, url):
                    answered_challenge = True
                    continue
                if err.code in _RETRY_STATUS and idempotent and attempt < self.retries:
                    self._pause(attempt, err.headers.get("Retry-After"))
                    attempt += 1
                    continue
                tries = f" (after {attempt + 1} attempts)" if attempt else ""
                hint = _HINTS.get(err.code)
                raise self.error(
                    f"{method} {self.redact(url)}: HTTP {err.code} {_reason_phrase(err)}: {message}{tries}"
                    + (f"; {hint}" if hint else "")
                ) from None
            except (urllib.error.URLError, OSError, http.client.HTTPException) as err:
                reason = err.reason if isinstance(err, urllib.error.URLError) else err
                kind, retry_safe = _classify(reason)
                log.debug("%s %s -> %s", method, self.redact(url), kind)
                if (retry_safe or idempotent) and kind in ("refused", "dropped") and attempt < self.retries:
                    self._pause(attempt, None)
                    attempt += 1
                    continue
                raise self.error(self._describe(kind, reason, method, url, attempt)) from None

    def send_request(self, request: urllib.request.Request, *, idempotent: bool) -> _Response:
        """Send a urllib Request built by SPARQLWrapper."""
        data = request.data if isinstance(request.data, bytes) else None
        headers = {k: v for k, v in request.header_items() if k.lower() != "authorization"}
        return self.send(request.get_method(), request.full_url, data=data, headers=headers, idempotent=idempotent)

    def _pause(self, attempt: int, retry_after: str | None) -> None:
        delay = self.backoff * (2**attempt)
        if retry_after and retry_after.strip().isdigit():
            delay = max(delay, min(float(retry_after), 30.0))
        time.sleep(delay)

    # -- credentials --

    def _authorize(self, request: urllib.request.Request) -> None:
        """Add the Authorization header: a bearer token always; a user and password once the store
        has said which scheme it wants (none is sent before, so a password never goes out as Basic
        to a store that wants Digest)."""
        creds = self.credentials
        if creds is None:
            return
        if creds.token:
            request.add_unredirected_header("Authorization", f"Bearer {creds.token}")
        elif self._digest is not None:
            handler, challenge = self._digest
            auth = handler.get_authorization(request, challenge)
            if auth:
                request.add_unredirected_header("Authorization", f"Digest {auth}")
        elif self._basic and creds.user is not None:
            pair = f"{creds.user}:{creds.password or ''}".encode()
            request.add_unredirected_header("Authorization", f"Basic {base64.b64encode(pair).decode('ascii')}")

    def _answer_challenge(self, err: urllib.error.HTTPError, url: str) -> bool:
        """After a 401: take up the scheme the store asks for (Digest, else Basic); False if there
        is nothing new to try."""
        creds = self.credentials
        if creds is None or creds.user is None or creds.token:
            return False
        for value in err.headers.get_all("WWW-Authenticate") or []:
            scheme, _, rest = value.strip().partition(" ")
            if scheme.lower() == "digest":
                passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
                parts = urllib.parse.urlsplit(url)
                root = f"{parts.scheme}://{parts.netloc}/"  # the same credentials for every path
                passwords.add_password(None, root, creds.user, creds.password or "")
                challenge = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
                self._digest = (urllib.request.HTTPDigestAuthHandler(passwords), challenge)
                return True
        if not self._basic and self._digest is None:
            self._basic = True  # a Basic challenge, or none at all
            return True
        return False

    # -- messages --

    def redact(self, text: str) -> str:
        """``text`` with credentials blanked out, and a URL without user:password@ or token params."""
        text = _redact(text) if re.match(r"https?://", text) else text
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    def error(self, message: str) -> StoreError:
        return StoreError(self.redact(" ".join(message.split())))

    def _describe(self, kind: str, reason: object, method: str, url: str, attempt: int) -> str:
        parts = urllib.parse.urlsplit(url)
        host = f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)
        tries = f" (after {attempt + 1} attempts)" if attempt else ""
        detail = _reason_text(reason)
        if kind == "dns":
            return f"cannot connect to {host}: the host name does not resolve (DNS: {detail})"
        if kind == "refused":
            return f"cannot connect to {host}: connection refused{tries}; is the store running?"
        if kind == "tls":
            return f"cannot connect to {host}: TLS error: {detail}"
        if kind == "timeout":
            return (f"{method} {self.redact(url)}: no answer within {self.timeout:g} s (timed out); "
                    "a larger --timeout may help")
        if kind == "dropped":
            return f"{method} {self.redact(url)}: the store closed the connection ({detail}){tries}"
        return f"cannot connect to {host}: {detail}{tries}"


def _classify(reason: object) -> tuple[str, bool]:
    """(kind of network failure, whether the request surely never reached the store)."""
    if isinstance(reason, socket.gaierror):
        return "dns", True
    if isinstance(reason, ssl.SSLError | ssl.CertificateError):
        return "tls", True
    if isinstance(reason, ConnectionRefusedError):
        return "refused", True
    if isinstance(reason, TimeoutError | socket.timeout):
        return "timeout", False
    if isinstance(
        reason, ConnectionResetError | BrokenPipeError | ConnectionAbortedError | http.client.HTTPException
    ):
        return "dropped", False
    return "other", False


def _reason_text(reason: object) -> str:
    if isinstance(reason, ssl.SSLCertVerificationError):
        return str(reason.verify_message or reason.reason or "certificate verify failed")
    if isinstance(reason, ssl.SSLError):
        return str(reason.reason or reason.strerror or "TLS handshake failed")
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    if isinstance(reason, http.client.RemoteDisconnected):
        return "no answer"
    if isinstance(reason, http.client.IncompleteRead):
        return "answer cut short"
    text = str(reason).strip()
    return text or type(reason).__name__


def _reason_phrase(err: urllib.error.HTTPError) -> str:
    return str(err.reason or http.client.responses.get(err.code, "")).strip()


def _store_message(err: urllib.error.HTTPError, deadline: float) -> str:
    """The first meaningful line of a store's error answer (HTML tags dropped), at most 300 chars;
    of the answer, what came of its first 64 KB before ``deadline``."""
    try:
        body = _read_bounded(err, deadline, _ERROR_BYTES, cut=True)
    except (OSError, http.client.HTTPException):
        body = b""
    text = body.decode("utf-8", "replace")
    if "html" in (err.headers.get("Content-Type") or "") or text.lstrip().startswith("<"):
        text = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", " ", text)
        text = re.sub(r"<[^>]+>", "\n", text)
    return _first_line(text.encode("utf-8"))


def _redact(url: str) -> str:
    """``url`` without any user:password@ part, and with token-like query parameters blanked."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc
    if parts.username is not None or parts.password is not None:
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
    query = re.sub(r"(?i)\b((?:access[-_]?)?token|key|password|secret)=[^&]*", r"\1=***", parts.query)
    # (the same names as _SECRET_PARAM)
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc, query=query))


def _first_line(body: bytes) -> str:
    lines = [line.strip() for line in body.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[0][:300] if lines else "(no message)"


def _check_url(url: str) -> urllib.parse.SplitResult:
    """The parts of an http(s) URL; InputError (with no credentials in it) for anything else."""
    try:
        parts = urllib.parse.urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 0) >= 0
    except ValueError:  # a port that is not a number, a bad IPv6 address
        valid = False
    if not valid or any(c.isspace() for c in url):
        try:
            shown = repr(_redact(url))
        except ValueError:
            shown = "this"
        raise InputError(f"--endpoint must be an http(s) URL, not {shown}")
    return parts


def _redact_userinfo(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{host}:{parts.port}" if parts.port else host))
