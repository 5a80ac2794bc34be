"""The HTML report and an interactive picture in a real browser: Debian's headless Chromium, driven
over the Chrome DevTools Protocol (a websocket; nothing is downloaded), pages served from 127.0.0.1.

Checks that pages render without console errors or failed requests, clicks from a conference to a
session to an organization, saves a screenshot, and that hostile names stay text (no script runs).
"""

from __future__ import annotations

import base64
import functools
import json
import struct
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import websocket
from programs import needs_chromium

from kgkit.present.report import docs
from kgkit.present.viz import viz

HOSTILE = Path(__file__).resolve().parent.parent / "data" / "viz" / "hostile.trig"
CHROMIUM = needs_chromium.program
pytestmark = [*needs_chromium.marks, pytest.mark.slow]  # Chromium takes seconds to start


class Browser:
    """A headless Chromium and one tab, spoken to over the DevTools protocol.

    Every event the tab sends is kept in ``events``; :attr:`problems` picks out console errors,
    uncaught exceptions and JavaScript dialogs (an ``alert`` means injected script ran).
    """

    def __init__(self, profile: Path) -> None:
        self.log = (profile.parent / "chromium.log").open("w")
        self.process = subprocess.Popen(
            [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-extensions", "--hide-scrollbars",
             f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank"],
            stdout=self.log, stderr=subprocess.STDOUT,
        )
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        try:
            port = self._devtools_port(profile / "DevToolsActivePort")
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as response:
                tab = next(t for t in json.load(response) if t["type"] == "page")
            self.ws = websocket.create_connection(tab["webSocketDebuggerUrl"], timeout=15, suppress_origin=True)
            for domain in ("Page", "Runtime", "Log"):
                self.send(f"{domain}.enable")
            self.send("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)
        except BaseException:
            self.process.kill()
            self.process.wait()
            raise

    def _devtools_port(self, file: Path) -> int:
        """Chromium writes the port it listens on into its profile folder once it is ready."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Chromium exited with {self.process.returncode}; see {self.log.name}")
            if file.is_file() and file.read_text().strip():
                return int(file.read_text().split()[0])
            time.sleep(0.05)
        raise TimeoutError("Chromium did not start its DevTools server in 30 s")

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Call a DevTools method and return its result (events arriving meanwhile are kept)."""
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))
            self.events.append(message)

    def wait_for(self, event: str, timeout: float = 15) -> dict[str, Any]:
        """The next event called ``event`` (others are kept)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message: dict[str, Any] = json.loads(self.ws.recv())
            self.events.append(message)
            if message.get("method") == event:
                return message
        raise TimeoutError(f"no {event} in {timeout} s")

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, url: str) -> None:
        self.send("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def click(self, css: str, text: str | None = None, corner: bool = False) -> None:
        """Click (a real mouse press and release) the first element matching ``css`` whose text is ``text``,
        in its middle (or near its top left ``corner``)."""
        find = f"[...document.querySelectorAll({json.dumps(css)})]" + (
            f".find(e => e.textContent.trim() === {json.dumps(text)})" if text is not None else "[0]"
        )
        where = "[r.x + 3, r.y + 3]" if corner else "[r.x + r.width / 2, r.y + r.height / 2]"
        box = self.evaluate(
            f"(() => {{ const e = {find}; if (!e) return null; e.scrollIntoView({{block: 'center'}});"
            f" const r = e.getClientRects()[0]; return {where}; }})()"  # a wrapped link's first line
        )
        assert box is not None, f"nothing to click: {css} {text!r} on {self.evaluate('location.href')}"
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)

    def click_link(self, text: str) -> None:
        """Click the link ``text`` and wait for the page it leads to."""
        self.click("a", text)
        self.wait_for("Page.loadEventFired")

    def heading(self) -> str:
        return str(self.evaluate("document.querySelector('h1').firstChild.textContent.trim()"))

    def screenshot(self, path: Path) -> bytes:
        data = base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"])
        path.write_bytes(data)
        return data

    @property
    def problems(self) -> list[str]:
        found = []
        for e in self.events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert", "warning"):
                found.append(f"console.{params['type']}: {params.get('args')}")
            elif method == "Runtime.exceptionThrown":
                found.append(f"exception: {params['exceptionDetails']}")
            elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
                found.append(f"log: {params['entry'].get('text')} {params['entry'].get('url', '')}")
            elif method == "Page.javascriptDialogOpening":
                found.append(f"dialog: {params.get('message')}")
        return found

    def close(self) -> None:
        self.ws.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class Server:
    """A static file server on 127.0.0.1 that remembers every request that failed."""

    def __init__(self, root: Path) -> None:
        self.failures: list[str] = []
        server = self

        class Handler(SimpleHTTPRequestHandler):
            def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
                if int(code) >= 400:
                    server.failures.append(f"{code} {self.path}")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def served(built_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The corpus report in /, the hostile report in /hostile/, a picture at /db.html."""
    root = tmp_path_factory.mktemp("served")
    docs(root, source=built_dir)
    docs(root / "hostile", source=HOSTILE)
    viz("Deutsche Bahn", source=built_dir, output=root / "db.html")
    server = Server(root)
    yield server
    server.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    if CHROMIUM is None:
        pytest.fail("Chromium is not installed, and on CI the browser test must run: is it in .ci/apt-packages.txt?")
    b = Browser(tmp_path_factory.mktemp("chromium") / "profile")
    yield b
    b.close()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_click_from_conference_to_session_to_organization(served: Server, browser: Browser, tmp_path: Path) -> None:
    browser.open(served.url + "index.html")
    assert browser.heading() == "Knowledge graph report"
    browser.click_link("KubeCon + CloudNativeCon Europe 2024")
    assert browser.heading() == "KubeCon + CloudNativeCon Europe 2024"
    assert browser.evaluate("document.querySelectorAll('table.sessions tbody tr').length") == 14
    browser.click_link("Keynote: Building IT Green: A Journey of Platforms, Data, and Developer Empowerment at "
                       "Deutsche Bahn")
    assert browser.evaluate("location.pathname").startswith("/session-")
    assert "Thursday" in browser.evaluate("document.querySelector('table.details').textContent")
    browser.click_link("Deutsche Bahn")
    assert browser.evaluate("location.pathname") == "/org-deutsche-bahn.html"
    assert browser.heading() == "Deutsche Bahn"
    quote = browser.evaluate("document.querySelector('#facts blockquote').textContent")
    assert "Deutsche Bahn" in quote
    assert browser.evaluate("getComputedStyle(document.querySelector('nav')).backgroundColor") == "rgb(38, 70, 83)"
    shot = browser.screenshot(tmp_path / "org-deutsche-bahn.png")
    width, height = png_size(shot)
    assert (width, height) == (1280, 900) and len(shot) > 50_000  # a rendered page, not a blank one
    assert browser.problems == [] and served.failures == []


def test_hostile_names_stay_text(served: Server, browser: Browser) -> None:
    browser.open(served.url + "hostile/conference-hostcon.html")
    browser.click_link("<script>alert(1)</script>")
    assert browser.heading() == "<script>alert(1)</script>"
    assert browser.evaluate("document.scripts.length") == 0
    assert browser.problems == [] and served.failures == []  # an alert would show up as a dialog


def test_interactive_picture(served: Server, browser: Browser) -> None:
    browser.open(served.url + "db.html")
    assert browser.evaluate("document.querySelectorAll('svg g.node').length") >= 5
    browser.click("svg g.node.Person")  # Gualter Barbas Baptista: his neighbours stay, the rest fades
    dimmed = browser.evaluate("[...document.querySelectorAll('g.node.dim')].map(n => n.textContent.trim())")
    assert dimmed and not any("Deutsche Bahn" in n for n in dimmed)
    browser.click("#picture svg", corner=True)  # the background shows everything again
    assert browser.evaluate("document.querySelectorAll('g.dim').length") == 0
    assert browser.problems == [] and served.failures == []
