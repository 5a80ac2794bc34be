"""JSON-LD contexts that refer to other documents: never fetched unless asked, never from this
machine or a private network even then.

rdflib's and pyld's JSON-LD processors fetch every ``@context`` (and ``@import``) that is a URL, and
rdflib reads one that names a local file. kgkit resolves those references itself, before handing the
document to either, with :func:`inline_contexts`:

- by default any reference is an InputError naming it (the document's own inline contexts are fine);
- with :func:`allow_remote_contexts` (``--allow-remote-context``) an ``http(s)`` URL is fetched and
  put in its place, but only from a public address: a host that resolves to a loopback, private,
  link-local or otherwise reserved address is refused (server-side request forgery), each redirect
  is checked the same way, the connection goes to the address that was checked (no DNS rebinding),
  and size, time and the number of contexts fetched are bounded.

>>> inline_contexts({"@context": {"name": "https://schema.org/name"}, "name": "A"})
{'@context': {'name': 'https://schema.org/name'}, 'name': 'A'}
>>> inline_contexts({"@context": "https://schema.org/", "name": "A"})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
kgkit.errors.InputError: its @context refers to https://schema.org/: kgkit does not fetch remote ...
"""

from __future__ import annotations

import contextlib
import contextvars
import http.client
import ipaddress
import json
import socket
import ssl
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

from kgkit.errors import InputError

#: Limits on fetching contexts (when allowed at all)
MAX_CONTEXT_BYTES = 1024 * 1024
MAX_CONTEXTS = 16
MAX_REDIRECTS = 3
FETCH_TIMEOUT = 10.0

_ALLOWED: contextvars.ContextVar[bool] = contextvars.ContextVar("kgkit_remote_contexts", default=False)


@contextlib.contextmanager
def allow_remote_contexts(allowed: bool = True) -> Iterator[None]:
    """Within the block, JSON-LD read by kgkit may fetch its remote contexts (from public addresses)."""
    token = _ALLOWED.set(allowed)
    try:
        yield
    finally:
        _ALLOWED.reset(token)


def remote_contexts_allowed() -> bool:
    """Is fetching remote JSON-LD contexts allowed here (see :func:`allow_remote_contexts`)?"""
    return _ALLOWED.get()


def inline_contexts(document: Any, *, allowed: bool | None = None) -> Any:
    """``document`` (parsed JSON-LD) with every context reference (``"@context": "URL"``, a URL in an
    ``@context`` array, ``"@import": "URL"``) replaced by the context it names, fetched as the module
    docs say; InputError for a reference when fetching is not ``allowed`` (default: the current
    :func:`allow_remote_contexts` setting)."""
    fetcher = _Fetcher(remote_contexts_allowed() if allowed is None else allowed)
    return fetcher.inline(document)


class _Fetcher:
    def __init__(self, allowed: bool) -> None:
        self.allowed = allowed
        self.fetched: dict[str, Any] = {}
        self.active: list[str] = []

    def inline(self, document: Any) -> Any:
        # iteratively (a document nested 100,000 deep must not overflow the stack), changing dicts in place
        todo = [document]
        while todo:
            value = todo.pop()
            if isinstance(value, list):
                todo.extend(value)
            elif isinstance(value, dict):
                if "@context" in value:
                    value["@context"] = self._context(value["@context"])
                todo.extend(v for k, v in value.items() if k != "@context")
                context = value.get("@context")
                todo.extend(context if isinstance(context, list) else [context])
        return document

    def _context(self, context: Any) -> Any:
        """A context value with its references replaced (one level: the caller walks inside)."""
        if isinstance(context, str):
            return self._load(context)
        if isinstance(context, list):
            return [self._load(c) if isinstance(c, str) else self._imports(c) for c in context]
        return self._imports(context)

    def _imports(self, context: Any) -> Any:
        if isinstance(context, dict) and isinstance(context.get("@import"), str):
            imported = self._load(context["@import"])
            if not isinstance(imported, dict):
                raise InputError(f"the context @import {context['@import']} is not a JSON-LD context object")
            return {**imported, **{k: v for k, v in context.items() if k != "@import"}}
        return context

    def _load(self, reference: str) -> Any:
        """The ``@context`` of the document ``reference`` names, its own references inlined."""
        if not self.allowed:
            raise InputError(
                f"its @context refers to {_shown(reference)}: kgkit does not fetch remote JSON-LD contexts; "
                "put the context in the document, or pass --allow-remote-context"
            )
        parts = urllib.parse.urlsplit(reference)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError(
                f"its @context refers to {_shown(reference)}: only an http(s) URL can be fetched, "
                "with --allow-remote-context"
            )
        if reference in self.fetched:
            return self.fetched[reference]
        if reference in self.active:
            raise InputError(f"the JSON-LD context {_shown(reference)} includes itself")
        if len(self.fetched) >= MAX_CONTEXTS:
            raise InputError(f"more than {MAX_CONTEXTS} remote JSON-LD contexts: refused")
        document = fetch_json(reference)
        if not isinstance(document, dict) or "@context" not in document:
            raise InputError(f"{_shown(reference)} is not a JSON-LD context (no @context)")
        self.active.append(reference)
        try:
            context = self._context(document["@context"])
            self.inline(context)
        finally:
            self.active.pop()
        self.fetched[reference] = context
        return context


def _shown(url: str) -> str:
    return " ".join(url.split())[:200]


def public_address(address: str) -> bool:
    """Is ``address`` (an IP address) one on the public internet, as opposed to this machine, a private
    network, link-local, multicast or reserved?

    >>> [public_address(a) for a in ("93.184.215.14", "127.0.0.1", "10.1.2.3", "169.254.169.254", "::1",
    ...                               "::ffff:127.0.0.1", "fd00::1", "0.0.0.0")]
    [True, False, False, False, False, False, False, False]
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def fetch_json(url: str) -> Any:
    """GET ``url`` (http or https) from a public address and parse its JSON; InputError otherwise."""
    deadline = time.monotonic() + FETCH_TIMEOUT
    for _ in range(MAX_REDIRECTS + 1):
        status, location, body = _get(url, deadline)
        if status in (301, 302, 303, 307, 308) and location:
            url = urllib.parse.urljoin(url, location)
            if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
                raise InputError(f"the JSON-LD context redirects to {_shown(url)}: refused")
            continue
        if status != 200:
            raise InputError(f"cannot fetch the JSON-LD context {_shown(url)}: HTTP {status}")
        try:
            return json.loads(body.decode("utf-8"))
        except (ValueError, RecursionError) as err:
            raise InputError(f"the JSON-LD context {_shown(url)} is not JSON: {err}") from None
    raise InputError(f"the JSON-LD context {_shown(url)} redirects more than {MAX_REDIRECTS} times")


def _get(url: str, deadline: float) -> tuple[int, str | None, bytes]:
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        raise InputError(f"cannot fetch the JSON-LD context {_shown(url)}: the host does not resolve ({err})") from None
    addresses = [str(info[4][0]) for info in infos]
    refused = [a for a in addresses if not public_address(a)]
    if refused or not addresses:
        raise InputError(
            f"the JSON-LD context {_shown(url)} is on {refused[0] if refused else 'no address'}, a loopback or "
            "private address: kgkit never fetches from this machine or a private network"
        )
    connection = _Pinned(host, port, addresses[0], https, max(0.1, deadline - time.monotonic()))
    try:
        connection.request("GET", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
                           headers={"Accept": "application/ld+json, application/json", "User-Agent": "kgkit"})
        response = connection.getresponse()
        body = bytearray()
        while chunk := response.read(1 << 16):
            body += chunk
            if len(body) > MAX_CONTEXT_BYTES:
                raise InputError(f"the JSON-LD context {_shown(url)} is larger than {MAX_CONTEXT_BYTES // 1024} KB")
            if time.monotonic() > deadline:
                raise InputError(f"the JSON-LD context {_shown(url)} took more than {FETCH_TIMEOUT:g} s")
        return response.status, response.getheader("Location"), bytes(body)
    except (OSError, http.client.HTTPException) as err:
        raise InputError(f"cannot fetch the JSON-LD context {_shown(url)}: {err}") from None
    finally:
        connection.close()


class _Pinned(http.client.HTTPConnection):
    """A connection to the address that was checked (not to whatever the name resolves to next)."""

    def __init__(self, host: str, port: int, address: str, https: bool, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address, self.https = address, https

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)
        if self.https:
            self.sock = ssl.create_default_context().wrap_socket(self.sock, server_hostname=self.host)
