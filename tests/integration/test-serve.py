#!/usr/bin/env python3
"""kho serve end to end: an archive of the sample scans (real OCR), accounts
made with kho user, then `kho serve --port 0` and every page and endpoint
of its specification over HTTP — search (accent-free, filters, facets,
limits), documents, originals byte for byte, the PDF with ETag and ranges,
the text; the errors (bad IDs and path traversal, unknown IDs, wrong
methods, oversized bodies and queries); and security: HTML escaping of what
a document holds, logins, cookie flags, roles, CSRF, a slow client that
must not hold up others, idle connections closed, read=login, SIGTERM.
TAP output; exit status 1 on any failure.

  test-serve.py KHO_BINARY SOURCE_ROOT
"""
import html.parser
import http.client as httpclient
import json
import os
import re
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

sys.dont_write_bytecode = True      # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from khotest import check, read_file, run, run_kho, sha256, stop  # noqa: E402

KHO, ROOT = sys.argv[1], sys.argv[2]
SAMPLES = os.path.join(ROOT, "sample-scans")
TMP = tempfile.mkdtemp(prefix="kho-serve-")
ARCHIVE = os.path.join(TMP, "archive")
ENV = dict(os.environ, KHO_LANG="en", KHO_ARCHIVE=ARCHIVE)
PASSWORDS = {"editor1": "bien tap vien 2026", "reader1": "chi doc thoi 2026",
             "admin1": "quan tri 2026!"}
UNICODE_NAME = "Học bạ lớp 3A — bản sao.png"
QUOTE_NAME = 'bao "cao"; filename=evil.sh\\x.png'
servers = []


def kho(*args, status=0, stdin=None):
    return run_kho([KHO], args, ENV, status=status, stdin=stdin)


# --- HTTP ------------------------------------------------------------------------

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        try:
            return json.loads(self.text)
        except ValueError:
            return None

    def header(self, name):
        return self.headers.get(name) if self.headers is not None else None

    def cookies(self):
        """Set-Cookie headers as {name: (value, [attributes])}."""
        out = {}
        for line in (self.headers.get_all("Set-Cookie") or []) if self.headers else []:
            parts = [p.strip() for p in line.split(";")]
            name, _, value = parts[0].partition("=")
            out[name] = (value, parts[1:])
        return out

    def __repr__(self):
        return "HTTP %s %s %r" % (self.status, self.header("Content-Type"), self.body[:300])


def http(method, path, body=None, headers=None, cookie=None, timeout=30, base=None):
    """One request; never raises for an HTTP status.  path is sent as is."""
    url = (base or SERVER.url) + path
    headers = dict(headers or {})
    if cookie:
        headers["Cookie"] = cookie
    if isinstance(body, dict):
        body = urllib.parse.urlencode(body).encode()
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with OPENER.open(request, timeout=timeout) as answer:
            return Answer(answer.status, answer.headers, answer.read())
    except urllib.error.HTTPError as e:
        return Answer(e.code, e.headers, e.read())


def get(path, **kw):
    return http("GET", path, **kw)


def post(path, body, **kw):
    return http("POST", path, body=body, **kw)


def raw_request(data, timeout=10, host=None, port=None):
    """Sends bytes on a fresh socket and returns what comes back until the
    server closes or answers (status line, headers, body)."""
    sock = socket.create_connection((host or SERVER.host, port or SERVER.port), timeout=timeout)
    try:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass     # the server may answer and close before reading all of it
        chunks = []
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
                joined = b"".join(chunks)
                if b"\r\n\r\n" in joined:
                    head, _, rest = joined.partition(b"\r\n\r\n")
                    m = re.search(rb"(?i)content-length:\s*(\d+)", head)
                    if m and len(rest) >= int(m.group(1)):
                        break
        except (ConnectionResetError, socket.timeout):
            pass
        return b"".join(chunks)
    finally:
        sock.close()


def raw_status(reply):
    m = re.match(rb"HTTP/1\.[01] (\d{3})", reply)
    return int(m.group(1)) if m else None


# --- HTML --------------------------------------------------------------------------

class Page(html.parser.HTMLParser):
    """The tags of a page, its forms and its text, for the checks."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tags = []             # (tag, attrs dict)
        self.forms = []            # {"action", "method", "fields": {name: value}}
        self.labels = set()        # <label for=…>
        self.ids = set()
        self.headings = []
        self.text_parts = []
        self._form = None
        self._textarea = None
        self._select = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        self.tags.append((tag, a))
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "label" and "for" in a:
            self.labels.add(a["for"])
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower(),
                          "fields": {}, "inputs": []}
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None and a.get("name"):
            kind = a.get("type", "text").lower()
            self._form["inputs"].append(a)
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button", "image", "reset"):
                return
            self._form["fields"][a["name"]] = a.get("value", "")
        elif tag == "textarea" and self._form is not None and a.get("name"):
            self._form["inputs"].append(a)
            self._textarea = a["name"]
            self._form["fields"][a["name"]] = ""
        elif tag == "select" and self._form is not None and a.get("name"):
            self._form["inputs"].append(a)
            self._select = a["name"]
            self._form["fields"].setdefault(a["name"], None)
        elif tag == "option" and self._select is not None:
            value = a.get("value")
            if "selected" in a or self._form["fields"].get(self._select) is None:
                self._form["fields"][self._select] = value if value is not None else ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        self.text_parts.append(data)
        if self._textarea is not None and self._form is not None:
            self._form["fields"][self._textarea] += data

    @property
    def text(self):
        return " ".join(" ".join(self.text_parts).split())

    def attrs(self, tag):
        return [a for t, a in self.tags if t == tag]

    def form(self, action_part):
        for form in self.forms:
            if action_part in form["action"]:
                return form
        return None

    def csrf(self):
        for form in self.forms:
            if form["fields"].get("csrf"):
                return form["fields"]["csrf"]
        return None


def results_list(text):
    """The hrefs of the first link of each <li class="result"> inside
    <ol class="results">, in order."""
    m = re.search(r'<ol\b[^>]*class="[^"]*\bresults\b[^"]*"[^>]*>(.*?)</ol>', text, re.S)
    if not m:
        return None
    hrefs = []
    for item in re.finditer(r'<li\b[^>]*class="[^"]*\bresult\b[^"]*"[^>]*>(.*?)</li>',
                            m.group(1), re.S):
        link = re.search(r'<a\b[^>]*href="([^"]*)"', item.group(1))
        hrefs.append(link.group(1) if link else None)
    return hrefs


# --- the server ----------------------------------------------------------------------

class Server:
    def __init__(self, *extra):
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([KHO, "serve", "--port", "0"] + list(extra), env=ENV,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self.stderr)
        servers.append(self)
        ready, _, _ = select.select([self.proc.stdout], [], [], 60)
        self.line = self.proc.stdout.readline().decode("utf-8", "replace").rstrip("\n") \
            if ready else "(nothing in 60 s)"
        m = re.fullmatch(r"listening on (http://([^/]+):(\d+))/", self.line)
        if not m:
            raise AssertionError("kho serve printed %r, not 'listening on http://HOST:PORT/'%s"
                                 % (self.line, self.log()))
        self.url, self.host, self.port = m.group(1), m.group(2), int(m.group(3))
        if self.host.startswith("["):
            self.host = self.host[1:-1]

    def log(self):
        self.stderr.seek(0)
        text = self.stderr.read().decode("utf-8", "replace")
        return ("\n" + text[-2000:]) if text else ""

    def stop(self, timeout=15):
        return stop(self.proc, timeout)


SERVER = None


def api_error(answer, status, code):
    """An /api/ error as the spec shapes it."""
    body = answer.json()
    return answer.status == status and isinstance(body, dict) and \
        isinstance(body.get("error"), dict) and body["error"].get("status") == status and \
        body["error"].get("code") == code and isinstance(body["error"].get("message"), str)


def login(user, password):
    """The login form filled in and sent as a browser would (with whatever
    hidden fields it has); returns (answer, "kho_session=TOKEN" or None)."""
    form = Page(get("/login").text).form("/login")
    fields = dict(form["fields"]) if form else {}
    fields.update(user=user, password=password)
    answer = post("/login", fields)
    value = answer.cookies().get("kho_session", ("", []))[0]
    return answer, ("kho_session=" + value if value else None)


def main():
    global SERVER
    # An archive of the sample scans, and one of them again under a
    # Vietnamese name (a byte appended after the PNG's end: a new SHA-256).
    extra = os.path.join(TMP, "extra")
    os.makedirs(extra)
    with open(os.path.join(extra, UNICODE_NAME), "wb") as f:
        f.write(read_file(os.path.join(SAMPLES, "hoc-ba-lop-3a.png")) + b"\n")
    with open(os.path.join(extra, QUOTE_NAME), "wb") as f:
        f.write(read_file(os.path.join(SAMPLES, "hoc-ba-lop-3a.png")) + b"\n\n")
    lines = kho("ingest", "--json", SAMPLES, extra).stdout.splitlines()
    ids, files = {}, {}
    for line in lines:
        result = json.loads(line)
        ids[os.path.basename(result["file"])] = result["id"]
        files[result["id"]] = result["file"]
    check("the samples archived", len(ids) == 7, sorted(ids))
    kh, qd = ids["ke-hoach-so-hoa.tif"], ids["quyet-dinh-hoi-dong.tif"]
    cv, hb, tb = ids["cong-van-ra-soat-ho-so.jpg"], ids["hoc-ba-lop-3a.png"], \
        ids["thong-bao-khai-giang.pdf"]
    hb2, hb3 = ids[UNICODE_NAME], ids[QUOTE_NAME]
    shown = {i: json.loads(kho("show", "--json", i).stdout) for i in ids.values()}

    # Accounts.
    kho("user", "add", "editor1", "--role", "editor", "--password-stdin",
        stdin=PASSWORDS["editor1"] + "\n")
    kho("user", "add", "reader1", "--role", "reader", "--password-stdin",
        stdin=PASSWORDS["reader1"] + "\n")
    kho("user", "add", "admin1", "--role", "admin", "--password-stdin",
        stdin=PASSWORDS["admin1"] + "\n")
    short = kho("user", "add", "shorty", "--role", "reader", "--password-stdin",
                stdin="short\n", status=None)
    check("kho user: a password under 8 characters is refused", short.returncode != 0,
          short.stderr)
    listed = kho("user", "list").stdout
    check("kho user list", all(n in listed for n in ("editor1", "reader1", "admin1")) and
          "shorty" not in listed, listed)

    # A field holding markup, set the way a person would (CLI).
    xss = "<script>alert(1)</script>"
    kho("edit", cv, "--set", "subject=" + xss)
    kho("edit", hb, "--set", 'issuer=<img src=x onerror="alert(2)">Trường "A" & B')

    SERVER = Server()
    check("binds 127.0.0.1 by default", SERVER.host == "127.0.0.1", SERVER.line)
    idle = socket.create_connection((SERVER.host, SERVER.port), timeout=60)
    idle.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")      # half a request, then nothing
    idle_since = time.monotonic()

    # --- search API -------------------------------------------------------------
    answer = get("/api/search?" + urllib.parse.urlencode({"q": "ke hoach so hoa"}))
    body = answer.json() or {}
    check("search: 200 JSON", answer.status == 200 and
          (answer.header("Content-Type") or "").startswith("application/json"), answer)
    hits = body.get("results") or []
    check("search: accent-free 'ke hoach so hoa' finds the kế hoạch first",
          hits and hits[0].get("id") == kh, [h.get("id") for h in hits])
    check("search: the envelope", body.get("query") == "ke hoach so hoa" and
          body.get("page") == 1 and body.get("per_page") == 20 and
          isinstance(body.get("total"), int) and body["total"] >= 1, {k: body.get(k) for k in
                                                                       ("query", "page",
                                                                        "per_page", "total")})
    if hits:
        first = hits[0]
        check("search: a hit's keys", {"id", "title", "type", "number", "issued", "issuer",
                                        "pages", "snippet"} <= set(first), sorted(first))
        check("search: a hit's values", first.get("type") == "Kế hoạch" and
              str(first.get("number", "")).startswith("189") and first.get("pages") == 3 and
              first.get("issued") in ("2023-04-28", "28/04/2023"), first)
        check("search: snippet marks the hits", "<mark>" in (first.get("snippet") or ""),
              first.get("snippet"))
    facets = body.get("facets") or {}
    check("search: facets type, year, issuer", {"type", "year", "issuer"} <= set(facets), facets)
    check("search: facets counted on every match (small archive)",
          body.get("facets_estimated") is False, body.get("facets_estimated"))
    check("search: facet counts are numbers",
          all(isinstance(v, int) and v > 0 for f in facets.values() if isinstance(f, dict)
              for v in f.values()) and facets.get("type", {}).get("Kế hoạch", 0) >= 1 and
          facets.get("year", {}).get("2023", 0) >= 1, facets)

    def search_ids(**params):
        a = get("/api/search?" + urllib.parse.urlencode(params))
        return [h["id"] for h in (a.json() or {}).get("results", [])] if a.status == 200 \
            else ("HTTP %d" % a.status)

    check("search: type=KH", search_ids(type="KH") == [kh], search_ids(type="KH"))
    check("search: type=quyet dinh", search_ids(type="quyet dinh") == [qd])
    check("search: number=189/KH-THCS", search_ids(number="189/KH-THCS") == [kh])
    check("search: from/to", search_ids(**{"from": "28/04/2023", "to": "28/04/2023"}) == [kh])
    check("search: year=2023 with a query", kh in search_ids(q="so hoa", year="2023"))
    check("search: issuer with a query", kh in search_ids(q="so hoa", issuer="binh chuong"))
    check("search: type with a query", search_ids(q="khai giang", type="TB") == [tb])
    a = get("/api/search?q=")
    check("search: empty q without filters: 200, nothing", a.status == 200 and
          (a.json() or {}).get("total") == 0 and (a.json() or {}).get("results") == [], a)
    a = get("/api/search")
    check("search: no parameters: 200, nothing", a.status == 200 and
          (a.json() or {}).get("total") == 0, a)
    all_ids = search_ids(q="", year="2023", per_page="100")
    one = search_ids(q="", year="2023", per_page="1", page="1")
    two = search_ids(q="", year="2023", per_page="1", page="2")
    check("search: pages of one", isinstance(one, list) and isinstance(two, list) and
          len(one) == 1 and len(two) == 1 and one != two and one + two == all_ids[:2],
          (one, two, all_ids))
    a = get("/api/search?q=&year=2023&per_page=100")
    check("search: per_page=100", a.status == 200 and (a.json() or {}).get("per_page") == 100, a)
    a = get("/api/search?q=hoc&per_page=101")
    check("search: per_page=101 is refused or capped at 100",
          api_error(a, 400, "bad_request") or
          (a.status == 200 and (a.json() or {}).get("per_page") == 100), a)
    a = get("/api/search?q=hoc&per_page=100000")
    check("search: per_page=100000 is refused or capped at 100",
          api_error(a, 400, "bad_request") or
          (a.status == 200 and (a.json() or {}).get("per_page") == 100), a)
    for bad in ("per_page=abc", "page=abc", "page=-1", "per_page=-5", "from=not+a+date",
                "to=31%2F02%2F2023", "year=abcd"):
        a = get("/api/search?q=hoc&" + bad)
        check("search: %s → 400" % bad, api_error(a, 400, "bad_request"), a)
    q500 = "a" * 500
    a = get("/api/search?" + urllib.parse.urlencode({"q": q500}))
    check("search: q of 500 characters is fine", a.status == 200, a)
    a = get("/api/search?" + urllib.parse.urlencode({"q": "a" * 501}))
    check("search: q of 501 characters → 400", api_error(a, 400, "bad_request"), a)
    a = get("/api/search?" + urllib.parse.urlencode({"q": "hồ sơ " * 84}))
    check("search: q of 504 Vietnamese characters → 400", api_error(a, 400, "bad_request"), a)
    a = get("/api/search?q=hoc&issuer=" + "x" * 3000)
    check("search: a query string over 2 KiB → 400 or 414", a.status in (400, 414), a)
    for q in ('"unclosed', "-", "*", "a AND OR", "NEAR(", "title:x", "(((", "'", "\\", "%00"):
        a = get("/api/search?" + urllib.parse.urlencode({"q": q}))
        check("search: odd query %r answers 200" % q, a.status == 200 and a.json() is not None,
              a)

    # --- documents API ----------------------------------------------------------
    a = get("/api/documents/" + kh)
    # kho show --json without the server's file paths (none of a reader's business).
    private = json.loads(json.dumps(shown[kh]))
    for member in ("original", "pdf"):
        private[member].pop("path", None)
    check("document: the object of kho show --json, without file paths",
          a.status == 200 and a.json() == private,
          a)
    a = get("/api/documents/" + shown[kh]["sha256"])
    check("document: by SHA-256", a.status == 200 and (a.json() or {}).get("id") == kh, a)
    a = get("/api/documents/" + shown[kh]["sha256"][:8])
    check("document: by an 8-digit prefix", a.status == 200 and (a.json() or {}).get("id") == kh,
          a)
    check("document: unknown archive ID → 404",
          api_error(get("/api/documents/KHO-2026-999999"), 404, "not_found"))
    check("document: unknown SHA-256 → 404",
          api_error(get("/api/documents/" + "0" * 64), 404, "not_found"))
    for sub in ("", "/original", "/pdf", "/text"):
        check("document%s: unknown ID → 404" % sub,
              api_error(get("/api/documents/KHO-2026-999999" + sub), 404, "not_found"))
    bad_ids = ["..%2F..%2Fetc%2Fpasswd", kh + "%2F..", "%2e%2e", "%2E%2E%2F%2E%2E%2Fkho.db",
               "..", "abc", "abcdef1", "KHO-2026-1%00", "kho.db", "KHO_2026_000001",
               "KHO-2026-000001%20", "%00", "g" * 64, "a" * 65, "KHO-2026-000001;rm",
               "ABCDEFGHIJKLMNOPQ-2026-000001"]
    not_json = []
    for bad in bad_ids:
        for sub in ("", "/original", "/pdf", "/text"):
            a = get("/api/documents/" + bad + sub)
            if bad in ("..", "%2e%2e"):     # dot segments: the URL is /api (spec: 400 or 404)
                check("document %s%s → 400 or 404" % (bad, sub), a.status in (400, 404) and
                      b"root:" not in a.body, a)
                if not (api_error(a, 400, "bad_request") or api_error(a, 404, "not_found")):
                    not_json.append("%s%s: %r" % (bad, sub, a))
                continue
            check("document %s%s → 400" % (bad, sub), a.status == 400, a)
            if not api_error(a, 400, "bad_request"):
                not_json.append("%s%s: %r" % (bad, sub, a))
    check("bad IDs: every error is the API's JSON error", not not_json, "\n".join(not_json))
    for path in ("/api/documents/../../etc/passwd", "/documents/../../etc/passwd",
                 "/api/documents/" + kh + "/../../../etc/passwd",
                 "/api/documents/%2e%2e/%2e%2e/etc/passwd", "/static/../kho.db",
                 "/static/..%2f..%2fkho.db", "/static/%2e%2e/%2e%2e/etc/passwd",
                 "/documents/" + kh + "/pages/..%2F..%2Fkho.db",
                 "/documents/..%2F..%2Fetc%2Fpasswd"):
        reply = raw_request(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                             % path).encode())
        status = raw_status(reply)
        check("traversal %s → 400 or 404, never a file" % path,
              status in (400, 404) and b"root:" not in reply and b"SQLite format" not in reply,
              reply[:300])

    # The original, byte for byte.
    original = read_file(os.path.join(SAMPLES, "ke-hoach-so-hoa.tif"))
    a = get("/api/documents/%s/original" % kh)
    check("original: 200, byte-identical", a.status == 200 and a.body == original,
          "%s, %d bytes" % (a.status, len(a.body)))
    check("original: SHA-256 of the file", sha256(a.body) == sha256(original) ==
          shown[kh]["sha256"])
    check("original: image/tiff", (a.header("Content-Type") or "").startswith("image/tiff"),
          a.header("Content-Type"))
    disposition = a.header("Content-Disposition") or ""
    check("original: Content-Disposition attachment with the file name",
          disposition.startswith("attachment") and 'filename="ke-hoach-so-hoa.tif"' in disposition
          and "filename*=UTF-8''ke-hoach-so-hoa.tif" in disposition, disposition)
    check("original: ETag is the SHA-256", a.header("ETag") == '"%s"' % shown[kh]["sha256"],
          a.header("ETag"))
    for doc_id, name, kind in ((cv, "cong-van-ra-soat-ho-so.jpg", "image/jpeg"),
                               (hb, "hoc-ba-lop-3a.png", "image/png"),
                               (tb, "thong-bao-khai-giang.pdf", "application/pdf")):
        a = get("/api/documents/%s/original" % doc_id)
        check("original %s: bytes and %s" % (name, kind),
              a.body == read_file(os.path.join(SAMPLES, name)) and
              (a.header("Content-Type") or "").startswith(kind), a.header("Content-Type"))
    a = get("/api/documents/%s/original" % hb2)
    disposition = a.header("Content-Disposition") or ""
    m = re.search(r"filename\*=UTF-8''([^;\s]+)", disposition)
    fallback = re.search(r'filename="([^"]*)"', disposition)
    check("original: a Vietnamese name, percent-encoded in filename*",
          m is not None and urllib.parse.unquote(m.group(1), "utf-8", "strict") == UNICODE_NAME
          and re.fullmatch(r"[A-Za-z0-9!#$&+.^_`|~%'*-]+", m.group(1)), disposition)
    check("original: an ASCII fallback filename", fallback is not None and
          all(32 <= ord(c) < 127 for c in fallback.group(1)) and
          fallback.group(1).endswith(".png"), disposition)
    check("original: the copy's bytes",
          a.body == read_file(os.path.join(extra, UNICODE_NAME)))
    a = get("/api/documents/%s/original" % hb3)
    disposition = a.header("Content-Disposition") or ""
    m = re.fullmatch(r'attachment; *filename="((?:[^"\\]|\\.)*)"; *'
                     r"filename\*=UTF-8''([A-Za-z0-9!#$&+.^_`|~%'*-]+)", disposition)
    check("original: quotes and ';' in a file name cannot split the header",
          m is not None and urllib.parse.unquote(m.group(2)) == QUOTE_NAME, disposition)

    # The archival PDF: type, ETag, 304, ranges.
    pdf_path = os.path.join(TMP, "kh.pdf")
    kho("get", kh, "--pdf", "-o", pdf_path)
    pdf = read_file(pdf_path)
    a = get("/api/documents/%s/pdf" % kh)
    check("pdf: 200 application/pdf, the archived file", a.status == 200 and a.body == pdf and
          (a.header("Content-Type") or "").startswith("application/pdf"), a.header("Content-Type"))
    etag = a.header("ETag")
    check("pdf: ETag is its SHA-256", etag == '"%s"' % sha256(pdf) == '"%s"' %
          shown[kh]["pdf"]["sha256"], etag)
    check("pdf: inline, ID.pdf", (a.header("Content-Disposition") or "").startswith("inline") and
          'filename="%s.pdf"' % kh in (a.header("Content-Disposition") or ""),
          a.header("Content-Disposition"))
    check("pdf: Accept-Ranges: bytes", a.header("Accept-Ranges") == "bytes",
          a.header("Accept-Ranges"))
    a = get("/api/documents/%s/pdf" % kh, headers={"If-None-Match": etag or '"x"'})
    check("pdf: If-None-Match → 304, no body", a.status == 304 and a.body == b"", a)
    a = get("/api/documents/%s/pdf" % kh, headers={"If-None-Match": '"%s"' % ("0" * 64)})
    check("pdf: another ETag → 200", a.status == 200 and a.body == pdf, a.status)
    for spec, lo, hi in (("bytes=0-99", 0, 99), ("bytes=100-", 100, len(pdf) - 1),
                         ("bytes=-50", len(pdf) - 50, len(pdf) - 1),
                         ("bytes=1000-1999", 1000, 1999)):
        a = get("/api/documents/%s/pdf" % kh, headers={"Range": spec})
        check("pdf: Range %s → 206 with those bytes" % spec,
              a.status == 206 and a.body == pdf[lo:hi + 1] and
              a.header("Content-Range") == "bytes %d-%d/%d" % (lo, hi, len(pdf)),
              (a.status, a.header("Content-Range"), len(a.body)))
    a = get("/api/documents/%s/pdf" % kh, headers={"Range": "bytes=%d-" % (len(pdf) + 10)})
    check("pdf: a range past the end → 416", a.status == 416, a.status)

    # Each download is in the audit trail, once: the full answers and the
    # range from byte 0, not a 304 nor the other ranges.
    trail = json.loads(kho("audit", "log", kh, "--json").stdout)
    web_pdf = [e for e in trail if e["stage"] == "access" and e["actor"] == "web" and
               e["detail"].startswith("pdf")]
    check("audit: the PDF's downloads over the web, 3 of them, with the client's address",
          len(web_pdf) == 3 and all(e["detail"] == "pdf: 127.0.0.1" and e["status"] == "ok"
                                    for e in web_pdf), web_pdf)
    check("audit: the original's download over the web",
          any(e["stage"] == "access" and e["detail"] == "original: 127.0.0.1" for e in trail),
          trail[-8:])
    chain = json.loads(kho("audit", "verify", "--json").stdout)
    check("audit: the chain holds with the server appending", chain.get("ok") is True, chain)

    # The text.
    a = get("/api/documents/%s/text" % kh)
    want = kho("get", kh, "--text").stdout
    check("text: text/plain; charset=utf-8", (a.header("Content-Type") or "").replace(" ", "")
          .lower() == "text/plain;charset=utf-8", a.header("Content-Type"))
    check("text: the document's text, pages split by form feeds",
          a.status == 200 and a.text == want and a.text.count("\f") == 2,
          (a.status, len(a.text), len(want)))

    # Methods.
    for method, path in (("POST", "/api/search"), ("DELETE", "/api/documents/" + kh),
                         ("PUT", "/api/documents/%s/pdf" % kh),
                         ("POST", "/api/documents/%s/original" % kh),
                         ("PATCH", "/api/documents/%s/text" % kh)):
        a = http(method, path, body=b"x=1")
        check("%s %s → 405" % (method, path), api_error(a, 405, "method_not_allowed"), a)
    for method, path in (("DELETE", "/"), ("PUT", "/documents/" + kh), ("POST", "/browse"),
                         ("GET", "/logout")):
        a = http(method, path, body=b"x=1" if method != "GET" else None)
        check("%s %s → 405" % (method, path), a.status == 405, a)
    a = get("/api/nothing-here")
    check("unknown API path → 404 JSON", api_error(a, 404, "not_found"), a)
    a = get("/nothing-here")
    check("unknown page → 404 HTML", a.status == 404 and
          "text/html" in (a.header("Content-Type") or ""), a)

    # --- HTML pages -------------------------------------------------------------
    a = get("/")
    check("/: 200 HTML", a.status == 200 and "text/html" in (a.header("Content-Type") or ""), a)
    page = Page(a.text)
    check("/: <html lang=vi>", any(t.get("lang", "").startswith("vi") for t in page.attrs("html")),
          page.attrs("html"))
    check("/: a search box named q",
          any(i.get("name") == "q" for i in page.attrs("input")), page.attrs("input"))
    accessible(page, "/")
    no_external(a.text, "/")
    css = get("/static/kho.css")
    check("/static/kho.css: text/css", css.status == 200 and
          (css.header("Content-Type") or "").startswith("text/css") and len(css.body) > 100, css)
    check("/: links kho.css", any(l.get("href") == "/static/kho.css" for l in page.attrs("link")),
          page.attrs("link"))

    a = get("/?" + urllib.parse.urlencode({"q": "ke hoach so hoa"}))
    hrefs = results_list(a.text) or []
    check("/?q=ke hoach so hoa: the kế hoạch first", hrefs and hrefs[0] == "/documents/" + kh,
          hrefs)
    check("/?q=…: the date as dd/mm/yyyy", "28/04/2023" in a.text)
    check("/?q=…: hits in <mark>", "<mark>" in a.text)
    page = Page(a.text)
    check("/?q=…: the box keeps the query",
          any(i.get("name") == "q" and i.get("value") == "ke hoach so hoa"
              for i in page.attrs("input")), page.attrs("input"))
    check("/?q=…: facet counts", re.search(r"Kế hoạch\D{0,80}\b1\b", page.text) is not None,
          page.text[:500])
    a = get("/?" + urllib.parse.urlencode({"q": "hoc", "page": "abc"}))
    check("/?page=abc → 400 HTML", a.status == 400 and "text/html" in
          (a.header("Content-Type") or ""), a)
    a = get("/?lang=en")
    check("/?lang=en: English, remembered in a cookie",
          any(t.get("lang", "").startswith("en") for t in Page(a.text).attrs("html")) and
          a.cookies().get("lang", ("",))[0] == "en", (a.cookies(), Page(a.text).attrs("html")))
    a = get("/?lang=en%0d%0aSet-Cookie:%20injected=1")
    check("?lang with CR LF: no header injected", "injected" not in a.cookies() and
          a.status in (200, 400), (a, a.cookies()))
    a = get("/", cookie="lang=en")
    check("/ with cookie lang=en: English",
          any(t.get("lang", "").startswith("en") for t in Page(a.text).attrs("html")))
    a = get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    check("/ with Accept-Language en: English",
          any(t.get("lang", "").startswith("en") for t in Page(a.text).attrs("html")))

    a = get("/documents/" + kh)
    page = Page(a.text)
    check("/documents/ID: 200 HTML", a.status == 200, a)
    check("/documents/ID: type Kế hoạch, number 189", "Kế hoạch" in page.text and
          re.search(r"\b189\b", page.text) is not None, page.text[:400])
    check("/documents/ID: the original's SHA-256", shown[kh]["sha256"] in a.text)
    imgs = [i for i in page.attrs("img") if i.get("src", "").startswith("/documents/%s/pages/" % kh)]
    check("/documents/ID: a thumbnail per page, with alt",
          [i.get("src") for i in imgs] == ["/documents/%s/pages/%d.png" % (kh, n)
                                           for n in (1, 2, 3)] and
          all(i.get("alt") for i in imgs), imgs)
    check("/documents/ID: the PDF inline",
          any(f.get("src") == "/api/documents/%s/pdf" % kh for f in page.attrs("iframe")),
          page.attrs("iframe"))
    links = [l.get("href") for l in page.attrs("a")]
    check("/documents/ID: download links", "/api/documents/%s/pdf" % kh in links and
          "/api/documents/%s/original" % kh in links, links)
    check("/documents/ID: no edit form for a visitor", page.form("/edit") is None)
    accessible(page, "/documents/ID")
    no_external(a.text, "/documents/ID")
    a = get("/documents/%s/pages/1.png" % kh)
    check("page image: PNG", a.status == 200 and a.body.startswith(b"\x89PNG\r\n\x1a\n") and
          (a.header("Content-Type") or "").startswith("image/png"), a)
    for bad in ("4.png", "0.png", "-1.png", "abc.png", "1.jpg", "99999999999999999999.png"):
        a = get("/documents/%s/pages/%s" % (kh, bad))
        check("page image %s → 400 or 404" % bad, a.status in (400, 404), a)
    a = get("/documents/KHO-2026-999999")
    check("/documents/unknown → 404 HTML", a.status == 404 and
          "text/html" in (a.header("Content-Type") or ""), a)
    a = get("/documents/..%2F..%2Fetc%2Fpasswd")
    check("/documents/..%2F… → 400 HTML", a.status == 400 and b"root:" not in a.body, a)

    a = get("/browse")
    page = Page(a.text)
    check("/browse: counts by type and year, linked to the search",
          a.status == 200 and any("type=" in (l.get("href") or "") for l in page.attrs("a")) and
          any("year=2023" in (l.get("href") or "") for l in page.attrs("a")), a)
    a = get("/office")
    check("/office: 200 HTML", a.status == 200 and "text/html" in (a.header("Content-Type") or ""),
          a)
    a = get("/login")
    page = Page(a.text)
    form = page.form("/login")
    check("/login: a form with user and password",
          form is not None and form["method"] == "post" and
          {"user", "password"} <= set(form["fields"]), page.forms)
    accessible(page, "/login")

    # --- escaping -----------------------------------------------------------------
    a = get("/documents/" + cv)
    check("XSS: the document page escapes the subject",
          "&lt;script&gt;alert(1)&lt;/script&gt;" in a.text and xss not in a.text, a)
    a = get("/documents/" + hb)
    check("XSS: the document page escapes the issuer",
          "<img src=x" not in a.text and "&lt;img src=x" in a.text, a)
    a = get("/?" + urllib.parse.urlencode({"q": xss}))
    check("XSS: the search page escapes the query",
          a.status == 200 and "&lt;script&gt;" in a.text and "<script>" not in a.text, a)
    a = get("/?" + urllib.parse.urlencode({"q": "ra soat"}))
    check("XSS: the search page escapes a hit's fields", cv in a.text and
          "<script>" not in a.text and "alert(1)</" not in a.text, a)
    a = get("/?" + urllib.parse.urlencode({"q": "hoc ba"}))
    check("XSS: the search page escapes facets", "<img src=x" not in a.text and
          "&lt;img" in a.text, a)
    a = get("/?" + urllib.parse.urlencode({"q": '"><b>x</b>', "issuer": '"><i>y</i>'}))
    check("XSS: attribute values escaped", "<b>x</b>" not in a.text and "<i>y</i>" not in a.text, a)
    a = get("/api/documents/%s/text" % cv)
    check("API text is plain text, not HTML",
          (a.header("Content-Type") or "").startswith("text/plain"), a.header("Content-Type"))
    a = get("/api/search?" + urllib.parse.urlencode({"q": "ra soat"}))
    hit = [h for h in (a.json() or {}).get("results", []) if h["id"] == cv]
    check("XSS: the API's snippet escapes the text around <mark>",
          hit and "<script" not in (hit[0].get("snippet") or ""), hit)

    # --- accounts, sessions, CSRF -----------------------------------------------------
    answer, bad = login("editor1", "wrong password")
    check("login: a wrong password fails", bad is None and answer.status in (200, 400, 401, 403),
          answer)
    answer, bad = login("nobody", "whatever 123")
    check("login: an unknown user fails", bad is None and answer.status in (200, 400, 401, 403),
          answer)
    answer, editor = login("editor1", PASSWORDS["editor1"])
    check("login: editor1 logs in", editor is not None and answer.status in (200, 302, 303),
          answer)
    location = answer.header("Location") or "/"
    check("login: redirects within the site", location.startswith("/") and
          not location.startswith("//") or location.startswith(SERVER.url + "/"), location)
    flags = [f.lower().replace(" ", "") for f in answer.cookies().get("kho_session", ("", []))[1]]
    check("cookie: HttpOnly", "httponly" in flags, flags)
    check("cookie: SameSite=Strict", "samesite=strict" in flags, flags)
    check("cookie: Path=/", "path=/" in flags, flags)
    editor = editor or "kho_session=none"
    page = Page(get("/documents/" + kh, cookie=editor).text)
    form = page.form("/documents/%s/edit" % kh)
    check("editor: the edit form, POST, with csrf", form is not None and form["method"] == "post"
          and form["fields"].get("csrf"), page.forms)
    if form is not None:
        accessible(page, "/documents/ID as editor")
    token = (form or {}).get("fields", {}).get("csrf") or page.csrf() or ""
    fields = dict((form or {}).get("fields") or {"csrf": token})

    def subject_of(doc_id):
        return json.loads(kho("show", "--json", doc_id).stdout)["subject"]

    def api_subject(doc_id):
        return (get("/api/documents/" + doc_id).json() or {}).get("subject")

    before = subject_of(kh)
    edit_path = "/documents/%s/edit" % kh
    for label, value in (("without csrf", None), ("with a wrong csrf", "x" * len(token or "x")),
                         ("with an empty csrf", "")):
        body = dict(fields, subject="CSRF %s" % label)
        body.pop("csrf", None)
        if value is not None:
            body["csrf"] = value
        a = post(edit_path, body, cookie=editor)
        check("CSRF: an edit %s → 403" % label, a.status == 403, a)
        check("CSRF: nothing changed %s" % label, subject_of(kh) == before)
    body = dict(fields, subject="Kế hoạch số hóa đã sửa qua web")
    a = post(edit_path, body, cookie=editor)
    check("edit: editor with the right csrf → 200 or 303", a.status in (200, 303), a)
    check("edit: the field changed (API)",
          api_subject(kh) == "Kế hoạch số hóa đã sửa qua web", api_subject(kh))
    doc = json.loads(kho("show", "--json", kh).stdout)
    check("edit: recorded as a person's, with the account",
          "subject" in doc["confirmed"] and
          any(e["stage"] == "edit" and "editor1" in (e["actor"] or "") for e in doc["events"]),
          [e for e in doc["events"] if e["stage"] == "edit"])
    check("edit: the other fields kept", doc["type"] == "Kế hoạch" and
          doc["number"] == shown[kh]["number"] and doc["issued"] == shown[kh]["issued"],
          {k: doc[k] for k in ("type", "number", "issued")})
    a = post(edit_path, {"subject": "qua tiêu đề"}, cookie=editor,
             headers={"X-CSRF-Token": token})
    check("edit: the csrf in X-CSRF-Token works too", a.status in (200, 303) and
          api_subject(kh) == "qua tiêu đề", (a, api_subject(kh)))
    a = post(edit_path, dict(fields, subject="x", issued="31/02/2023"), cookie=editor)
    check("edit: an invalid date is refused, nothing changed", a.status in (400, 200) and
          api_subject(kh) == "qua tiêu đề" and subject_of(kh) == "qua tiêu đề", a)
    a = post("/documents/KHO-2026-999999/edit", dict(fields), cookie=editor)
    check("edit: an unknown document → 404", a.status == 404, a)
    a = post("/documents/..%2F..%2Fx/edit", dict(fields), cookie=editor)
    check("edit: a bad ID → 400", a.status == 400, a)

    before = subject_of(kh)
    a = post(edit_path, dict(fields, subject="anonymous"))
    check("edit: without login → 401/403 or a redirect to /login",
          a.status in (401, 403) or (a.status in (302, 303) and
                                      "/login" in (a.header("Location") or "")), a)
    check("edit: without login nothing changed", subject_of(kh) == before)
    a = post(edit_path, dict(fields, subject="forged"), cookie="kho_session=forged-token")
    check("edit: a forged session → 401/403 or /login, nothing changed",
          (a.status in (401, 403) or "/login" in (a.header("Location") or "")) and
          subject_of(kh) == before, a)

    answer, reader = login("reader1", PASSWORDS["reader1"])
    check("login: reader1 logs in", reader is not None, answer)
    reader = reader or "kho_session=none"
    rpage = Page(get("/documents/" + kh, cookie=reader).text)
    check("reader: no edit form", rpage.form("/edit") is None, rpage.forms)
    rtoken = rpage.csrf() or Page(get("/", cookie=reader).text).csrf() or token
    a = post(edit_path, dict(fields, subject="reader", csrf=rtoken), cookie=reader)
    check("reader: an edit → 403", a.status == 403, a)
    a = post(edit_path, {"subject": "reader"}, cookie=reader, headers={"X-CSRF-Token": rtoken})
    check("reader: an edit with the header → 403", a.status == 403, a)
    check("reader: nothing changed", subject_of(kh) == before)
    check("reader: the editor's token is not the reader's", rtoken != token or
          rpage.csrf() is None)

    answer, admin = login("admin1", PASSWORDS["admin1"])
    apage = Page(get("/documents/" + kh, cookie=admin or "").text)
    aform = apage.form("/documents/%s/edit" % kh)
    check("admin: the edit form", aform is not None, apage.forms)
    if aform is not None:
        a = post(edit_path, dict(aform["fields"], subject="admin sửa"), cookie=admin)
        check("admin: edits", a.status in (200, 303) and api_subject(kh) == "admin sửa", a)
    a = post(edit_path, dict(fields, subject="cross"), cookie=admin)
    check("CSRF: another session's token → 403", a.status == 403 and
          api_subject(kh) != "cross", a)

    # 413: a body over 64 KiB.
    big = b"subject=" + b"x" * (64 * 1024 + 10)
    for path in (edit_path, "/login"):
        reply = raw_request(b"POST %s HTTP/1.1\r\nHost: x\r\nCookie: %s\r\n"
                            b"Content-Type: application/x-www-form-urlencoded\r\n"
                            b"Content-Length: %d\r\nConnection: close\r\n\r\n"
                            % (path.encode(), editor.encode(), len(big)) + big)
        check("POST %s over 64 KiB → 413" % path, raw_status(reply) == 413, reply[:200])
    reply = raw_request(b"POST /api/search HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n"
                        b"Connection: close\r\n\r\n" % len(big) + big)
    check("POST /api/search over 64 KiB → 413 or 405", raw_status(reply) in (405, 413),
          reply[:200])
    check("413: nothing changed", api_subject(kh) != "x" * 10 and subject_of(kh) == api_subject(kh))

    # Logout needs the token, then ends the session.
    a = post("/logout", {}, cookie=editor)
    check("logout without csrf → 403", a.status == 403, a)
    check("... and the session lives on",
          Page(get("/documents/" + kh, cookie=editor).text).form("/edit") is not None)
    a = post("/logout", {"csrf": token}, cookie=editor)
    check("logout with csrf", a.status in (200, 302, 303), a)
    check("... ends the session",
          Page(get("/documents/" + kh, cookie=editor).text).form("/edit") is None)
    a = post(edit_path, dict(fields, subject="after logout"), cookie=editor)
    check("... and editing with its cookie fails", a.status in (302, 303, 401, 403) and
          api_subject(kh) != "after logout", a)

    # One connection, several requests (HTTP/1.1 keep-alive): a search that
    # goes to a thread, the same again (from the cache), a page, an error.
    conn = httpclient.HTTPConnection(SERVER.host, SERVER.port, timeout=30)
    kept = []
    for path in ("/api/search?q=hoc+sinh+keep", "/api/search?q=hoc+sinh+keep", "/",
                 "/api/documents/NOPE-0000-000000"):
        conn.request("GET", path)
        r = conn.getresponse()
        r.read()
        kept.append((r.status, conn.sock is not None and conn.sock.fileno()))
    conn.close()
    check("keep-alive: four answers on one connection",
          [k[0] for k in kept] == [200, 200, 200, 404] and len({k[1] for k in kept}) == 1, kept)

    # A slow client holds nobody up.
    slow = []
    for i in range(5):
        s = socket.create_connection((SERVER.host, SERVER.port), timeout=60)
        s.sendall(b"GET /api/search?q=ke HTTP/1.1\r\nHost: x\r\nUser-Agent: sl")
        slow.append(s)
    s = socket.create_connection((SERVER.host, SERVER.port), timeout=60)
    s.sendall(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-"
              b"urlencoded\r\nContent-Length: 1000\r\n\r\nuser=a")
    slow.append(s)
    for i in range(3):      # clients that ask for 2 MB and read none of it
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.settimeout(60)
        s.connect((SERVER.host, SERVER.port))
        s.sendall(b"GET /api/documents/%s/original HTTP/1.1\r\nHost: x\r\n\r\n" % kh.encode())
        slow.append(s)
    time.sleep(0.5)
    t0 = time.monotonic()
    a = get("/api/search?" + urllib.parse.urlencode({"q": "ke hoach so hoa"}), timeout=10)
    elapsed = time.monotonic() - t0
    check("slow clients: another request answered in < 2 s",
          a.status == 200 and elapsed < 2.0, "%.2f s, %s" % (elapsed, a.status))
    t0 = time.monotonic()
    a = get("/api/documents/%s/original" % kh, timeout=10)
    check("slow clients: a download in < 2 s", a.status == 200 and time.monotonic() - t0 < 2.0,
          "%.2f s" % (time.monotonic() - t0))

    # Many requests at once.
    answers = []

    def fetch():
        answers.append(get("/api/search?q=hoc+sinh", timeout=30).status)
    threads = [threading.Thread(target=fetch) for _ in range(40)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check("40 searches at once: all 200", answers == [200] * 40 and time.monotonic() - t0 < 20,
          (answers, time.monotonic() - t0))

    # Idle connections are closed after 30 s.
    remaining = 36 - (time.monotonic() - idle_since)
    idle.settimeout(max(1, remaining))
    try:
        data = idle.recv(4096)
        closed = data == b"" or raw_status(data) == 408
        if data and closed:
            idle.settimeout(5)
            idle.recv(4096)
    except socket.timeout:
        closed = False
    except ConnectionResetError:
        closed = True
    check("an idle connection is closed after 30 s", closed,
          "%.0f s" % (time.monotonic() - idle_since))
    idle.close()
    for s in slow:
        s.close()

    # An original changed on disk is refused, never given out as the archived one.
    stored = shown[tb]["original"]["path"]
    kept = read_file(stored)
    mode = os.stat(stored).st_mode
    os.chmod(stored, 0o600)
    with open(stored, "r+b") as f:
        f.seek(len(kept) // 2)
        f.write(bytes([kept[len(kept) // 2] ^ 0xFF]))
    a = get("/api/documents/%s/original" % tb)
    check("original: a stored file that changed is refused (500 internal)",
          api_error(a, 500, "internal") and a.body != read_file(stored), a)
    with open(stored, "wb") as f:
        f.write(kept)
    os.chmod(stored, mode)
    a = get("/api/documents/%s/original" % tb)
    check("original: restored, served again", a.status == 200 and a.body == kept, a)

    status = SERVER.stop()
    check("SIGTERM: exit 0", status == 0, "exit %s%s" % (status, SERVER.log()))

    # [serve] read=login: reading needs an account.
    conf = os.path.join(ARCHIVE, "kho.conf")
    with open(conf, encoding="utf-8") as f:
        text = f.read()
    if re.search(r"(?m)^\[serve\]", text):
        text = re.sub(r"(?m)^\[serve\]\s*\n", "[serve]\nread=login\n", text, count=1)
    else:
        text += "\n[serve]\nread=login\n"
    with open(conf, "w", encoding="utf-8") as f:
        f.write(text)
    SERVER = Server("--listen", "127.0.0.1")
    a = get("/api/search?q=ke+hoach")
    check("read=login: the API needs a login (401)", api_error(a, 401, "unauthorized"), a)
    a = get("/api/documents/%s/original" % kh)
    check("read=login: no original without a login", a.status == 401 and original not in a.body,
          a)
    a = get("/documents/" + kh)
    check("read=login: a page redirects to /login (or 401)",
          a.status == 401 or (a.status in (302, 303) and "/login" in (a.header("Location") or "")),
          a)
    a = get("/login")
    check("read=login: /login itself is open", a.status == 200, a)
    check("read=login: the CSS is open", get("/static/kho.css").status == 200)
    answer, reader = login("reader1", PASSWORDS["reader1"])
    a = get("/api/search?q=ke+hoach+so+hoa", cookie=reader or "")
    check("read=login: a reader reads", a.status == 200 and
          [h["id"] for h in (a.json() or {}).get("results", [])][:1] == [kh], a)
    status = SERVER.stop()
    check("SIGTERM again: exit 0", status == 0, "exit %s%s" % (status, SERVER.log()))


def accessible(page, where):
    """Every visible input, select and textarea has a <label for>; <html
    lang>; headings start at h1 and never skip a level."""
    unlabelled = []
    for tag, a in page.tags:
        if tag in ("input", "select", "textarea") and \
                a.get("type", "").lower() not in ("hidden", "submit", "button", "image", "reset"):
            if not a.get("id") or a["id"] not in page.labels:
                unlabelled.append(a)
    check("%s: every input has a <label for>" % where, not unlabelled, unlabelled)
    check("%s: <html lang>" % where, any(t.get("lang") for t in page.attrs("html")))
    levels = page.headings
    ordered = bool(levels) and levels[0] == 1 and \
        all(b <= a + 1 for a, b in zip(levels, levels[1:]))
    check("%s: headings in order" % where, ordered, levels)


def no_external(text, where):
    urls = re.findall(r'(?:src|href|action)\s*=\s*["\']?((?:https?:)?//[^"\'\s>]+)', text, re.I)
    urls += re.findall(r"url\(\s*['\"]?((?:https?:)?//[^)'\"]+)", text, re.I)
    check("%s: no external URL" % where, not urls, urls)


def stop_servers():
    for server in servers:
        server.stop()


if __name__ == "__main__":
    # A crash is a failure, reported with what ran before it and the server's log.
    run(main, TMP, cleanup=stop_servers, crash_detail=lambda: SERVER.log() if SERVER else "")
