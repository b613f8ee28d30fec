#!/usr/bin/env python3
"""kho serve in a real browser: headless Chromium driven through
chromedriver with the W3C WebDriver protocol (plain HTTP and JSON, no
Selenium).  On an archive of the sample scans: the search page, an
accent-free query typed into the box and sent with Enter, the kế hoạch
first among the results, a click to its page (type Kế hoạch, number 189),
its PDF served as application/pdf and its original byte-identical to the
scan, at the URLs the page links to; a screenshot of the results written
to BUILD_ROOT/screenshots/search.png.  TAP output; exit status 1 on any
failure, 77 (skip) when chromium or chromedriver is not installed.

  test-browser.py KHO_BINARY SOURCE_ROOT [BUILD_ROOT]
"""
import base64
import json
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

sys.dont_write_bytecode = True      # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from khotest import check, run, run_kho, sha256, stop  # noqa: E402

KHO, ROOT = sys.argv[1], sys.argv[2]
BUILD = sys.argv[3] if len(sys.argv) > 3 else os.environ.get("MESON_BUILD_ROOT") or os.getcwd()
SAMPLES = os.path.join(ROOT, "sample-scans")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
TMP = tempfile.mkdtemp(prefix="kho-browser-")
ARCHIVE = os.path.join(TMP, "archive")
ENV = dict(os.environ, KHO_LANG="en", KHO_ARCHIVE=ARCHIVE)
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"     # the W3C element reference key
ENTER = "\ue007"
processes = []


def kho(*args):
    return run_kho([KHO], args, ENV)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url, timeout=30):
    """(status, headers, body) of a GET, never raising for a status."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


class WebDriverError(Exception):
    pass


class Driver:
    """chromedriver and one headless Chromium session."""

    def __init__(self):
        self.port = free_port()
        self.log = open(os.path.join(TMP, "chromedriver.log"), "wb")
        self.proc = subprocess.Popen([CHROMEDRIVER, "--port=%d" % self.port],
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        processes.append(self.proc)
        self.base = "http://127.0.0.1:%d" % self.port
        deadline = time.monotonic() + 30
        while True:
            try:
                if self.call("GET", "/status").get("ready"):
                    break
            except (OSError, WebDriverError):
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise WebDriverError("chromedriver did not start: " + self.log_tail())
            time.sleep(0.1)
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM if CHROMIUM and not CHROMIUM.endswith("/chromium")
                else "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1280,1000",
                         "--user-data-dir=" + os.path.join(TMP, "profile")]}}}}
        value = self.call("POST", "/session", caps, timeout=90)
        self.session = value["sessionId"]

    def log_tail(self):
        self.log.flush()
        with open(self.log.name, "rb") as f:
            return f.read()[-1500:].decode("utf-8", "replace")

    def call(self, method, path, body=None, timeout=60):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                reply = json.loads(answer.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            try:
                value = json.loads(e.read().decode("utf-8")).get("value", {})
            except ValueError:
                value = {}
            raise WebDriverError("%s %s: HTTP %d %s: %s" % (method, path, e.code,
                                                            value.get("error"),
                                                            (value.get("message") or "")[:300]))
        return reply.get("value")

    def s(self, method, path, body=None, **kw):
        return self.call(method, "/session/%s%s" % (self.session, path), body, **kw)

    def go(self, url):
        self.s("POST", "/url", {"url": url})

    def url(self):
        return self.s("GET", "/url")

    def find(self, css):
        return self.s("POST", "/element", {"using": "css selector", "value": css})[ELEMENT]

    def find_all(self, css):
        return [e[ELEMENT] for e in
                self.s("POST", "/elements", {"using": "css selector", "value": css})]

    def text(self, element):
        return self.s("GET", "/element/%s/text" % element)

    def attribute(self, element, name):
        return self.s("GET", "/element/%s/attribute/%s" % (element, name))

    def prop(self, element, name):
        return self.s("GET", "/element/%s/property/%s" % (element, name))

    def type(self, element, keys):
        self.s("POST", "/element/%s/value" % element, {"text": keys})

    def click(self, element):
        self.s("POST", "/element/%s/click" % element, {})

    def wait(self, what, predicate, timeout=15):
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = predicate()
                if value:
                    return value
            except WebDriverError:
                pass
            if time.monotonic() > deadline:
                raise WebDriverError("timed out waiting for " + what)
            time.sleep(0.1)

    def screenshot(self):
        return base64.b64decode(self.s("GET", "/screenshot"))

    def quit(self):
        try:
            self.call("DELETE", "/session/%s" % self.session, timeout=30)
        except (OSError, WebDriverError, AttributeError):
            pass
        stop(self.proc)
        self.log.close()


def stop_processes():
    for proc in processes:
        stop(proc)


def main():
    lines = kho("ingest", "--json", SAMPLES).stdout.splitlines()
    ids = {os.path.basename(json.loads(l)["file"]): json.loads(l)["id"] for l in lines}
    kh = ids["ke-hoach-so-hoa.tif"]
    check("the samples archived", len(ids) == 5, sorted(ids))

    serve_log = tempfile.TemporaryFile()
    server = subprocess.Popen([KHO, "serve", "--port", "0"], env=ENV, stdout=subprocess.PIPE,
                              stderr=serve_log, stdin=subprocess.DEVNULL)
    processes.append(server)
    ready, _, _ = select.select([server.stdout], [], [], 60)
    line = server.stdout.readline().decode("utf-8", "replace").strip() if ready else ""
    m = re.fullmatch(r"listening on (http://[^/]+)/", line)
    if not m:
        serve_log.seek(0)
        raise AssertionError("kho serve printed %r\n%s" % (line, serve_log.read().decode()))
    base = m.group(1)

    driver = Driver()
    try:
        driver.go(base + "/")
        box = driver.wait("the search box", lambda: driver.find("input[name='q']"))
        check("/: the search box is there", box)
        driver.type(box, "ke hoach so hoa" + ENTER)
        driver.wait("the results page", lambda: "q=" in driver.url())
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(driver.url()).query)
        check("Enter sends the query", query.get("q") == ["ke hoach so hoa"], driver.url())
        links = driver.wait("the results",
                            lambda: driver.find_all("ol.results li.result a"))
        first_item = driver.find("ol.results li.result")
        first = driver.find("ol.results li.result a")
        href = driver.attribute(first, "href")
        item_text = driver.text(first_item)
        check("the kế hoạch is the first result", href and href.rstrip("/").endswith(
            "/documents/" + kh), "%s (of %d links)" % (href, len(links)))
        check("its title shown", "Số hóa hồ sơ" in item_text or
              "số hóa hồ sơ" in item_text.lower(), item_text)

        png = driver.screenshot()
        folder = os.path.join(BUILD, "screenshots")
        os.makedirs(folder, exist_ok=True)
        shot = os.path.join(folder, "search.png")
        with open(shot, "wb") as f:
            f.write(png)
        check("screenshot: a PNG of a few kB", png.startswith(b"\x89PNG\r\n\x1a\n") and
              len(png) > 5000, "%d bytes at %s" % (len(png), shot))

        driver.click(first)
        driver.wait("the document page", lambda: "/documents/" + kh in driver.url())
        body = driver.text(driver.find("body"))
        check("document page: type Kế hoạch", "Kế hoạch" in body, body[:500])
        check("document page: number 189", re.search(r"\b189\b", body) is not None, body[:500])
        driver.s("POST", "/execute/sync", {"script": "window.scrollTo(0, 0)", "args": []})
        page_shot = driver.screenshot()
        with open(os.path.join(folder, "document.png"), "wb") as f:
            f.write(page_shot)

        pdf_links = [e for e in driver.find_all("a[href]")
                     if (driver.attribute(e, "href") or "").endswith("/pdf")]
        original_links = [e for e in driver.find_all("a[href]")
                          if (driver.attribute(e, "href") or "").endswith("/original")]
        check("document page: a PDF link and an original link", pdf_links and original_links)
        if pdf_links:
            url = driver.prop(pdf_links[0], "href")      # absolute, as the browser resolved it
            status, headers, data = fetch(url)
            check("PDF link: application/pdf", status == 200 and
                  (headers.get("Content-Type") or "").startswith("application/pdf") and
                  data.startswith(b"%PDF-"), "%s %s %s" % (url, status,
                                                           headers.get("Content-Type")))
        if original_links:
            url = driver.prop(original_links[0], "href")
            status, headers, data = fetch(url)
            with open(os.path.join(SAMPLES, "ke-hoach-so-hoa.tif"), "rb") as f:
                want = f.read()
            check("original link: byte-identical to the scan", status == 200 and data == want,
                  "%s %s, %d bytes, sha256 %s" % (url, status, len(data), sha256(data)))
        frames = driver.find_all("iframe")
        check("document page: the PDF inline",
              any((driver.attribute(f, "src") or "").endswith("/api/documents/%s/pdf" % kh)
                  for f in frames), len(frames))
        images = driver.find_all("img")
        loaded = [driver.s("POST", "/execute/sync", {
            "script": "return arguments[0].complete && arguments[0].naturalWidth > 0",
            "args": [{ELEMENT: e}]}) for e in images]
        check("document page: the page thumbnails load", images and all(loaded),
              "%d images, loaded %s" % (len(images), loaded))
    finally:
        driver.quit()
        check("kho serve: SIGTERM, exit 0", stop(server) == 0)


if __name__ == "__main__":
    if not CHROMIUM or not CHROMEDRIVER:
        print("1..0 # SKIP %s not installed" % ("chromium" if not CHROMIUM else "chromedriver"))
        sys.exit(77)
    run(main, TMP, cleanup=stop_processes)
