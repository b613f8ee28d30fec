"""Helpers for scripts/bench and scripts/bench-watch: CER, the sample
manifest, the three peers, the machine, and table formatting.

Each peer (kho, OCRmyPDF, bare tesseract) is a function that takes the same
pages, runs once, and returns a PeerRun: wall-clock seconds, pages done, text
per page and PDF bytes per document.  Nothing here prints; the scripts do.
Python 3 standard library only.

Part of kho.  SPDX-License-Identifier: GPL-3.0-or-later
"""
import concurrent.futures
import json
import os
import platform
import shutil
import subprocess
import time
import unicodedata

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Generous limits so that a stuck tool cannot hang the benchmark forever.
TIMEOUT_FILE = 1800      # one OCRmyPDF file, or one tesseract page
TIMEOUT_RUN = 3600       # one whole kho ingest

COLOUR_SPACES = {"srgb", "rgb", "cmyk", "ycbcr", "lab", "hsl", "hsb", "scrgb",
                 "devicergb", "devicecmyk", "iccbased", "indexed"}


# --- character error rate (same definition as scripts/cer) ------------------

def normalize(text):
    """NFC, then drop every whitespace character (form feeds included)."""
    text = unicodedata.normalize("NFC", text or "")
    return "".join(ch for ch in text if not ch.isspace())


def levenshtein(a, b):
    """Edit distance, two rows; common prefix and suffix cut off first."""
    start = 0
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    a, b = a[start:], b[start:]
    end = 0
    while end < len(a) and end < len(b) and a[-1 - end] == b[-1 - end]:
        end += 1
    if end:
        a, b = a[:-end], b[:-end]
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return len(a)
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        append = current.append
        for j, cb in enumerate(b, 1):
            append(min(previous[j] + 1, current[j - 1] + 1,
                       previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def cer(ground_truth, ocr):
    """Levenshtein(NFC, no whitespace) / len(ground truth); empty gt: 0 or 1."""
    gt, hyp = normalize(ground_truth), normalize(ocr)
    if not gt:
        return 0.0 if not hyp else 1.0
    return levenshtein(gt, hyp) / len(gt)


# --- small process helpers ---------------------------------------------------

def have(program):
    return shutil.which(program) is not None


def run(argv, timeout=TIMEOUT_FILE, env=None, check=True):
    """Runs argv; returns CompletedProcess with text output (never raises
    for a missing program: returncode 127 then)."""
    try:
        proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=env, timeout=timeout)
    except FileNotFoundError as e:
        proc = subprocess.CompletedProcess(argv, 127, b"", str(e).encode())
    except subprocess.TimeoutExpired as e:
        proc = subprocess.CompletedProcess(argv, 124, e.stdout or b"",
                                           b"timed out after %d s" % timeout)
    proc.out = proc.stdout.decode("utf-8", "replace")
    proc.err = proc.stderr.decode("utf-8", "replace")
    if check and proc.returncode != 0:
        raise ToolError("%s failed (exit %d): %s" % (
            " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(argv)),
            proc.returncode, last_line(proc.err)))
    return proc


def last_line(text):
    lines = [l.strip() for l in (text or "").splitlines() if l.strip()]
    return lines[-1] if lines else "(no message)"


def first_line(text):
    lines = [l.strip() for l in (text or "").splitlines() if l.strip()]
    return lines[0] if lines else "?"


class ToolError(Exception):
    pass


def median(values):
    values = sorted(values)
    n = len(values)
    if n == 0:
        return None
    return values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2


def split_pages(text, count):
    """Splits text on form feeds into exactly count pages (trailing feed ok)."""
    pages = text.split("\f")
    if len(pages) > count and all(not p.strip() for p in pages[count:]):
        pages = pages[:count]
    while len(pages) < count:
        pages.append("")
    return pages


# --- the machine, paths and printing -----------------------------------------

def machine():
    """CPUs, CPU model, Python, kernel, tesseract and ocrmypdf versions."""
    info = {"nproc": os.cpu_count(), "cpu": None, "python": platform.python_version(),
            "kernel": platform.release(), "tesseract": None, "ocrmypdf": None}
    if hasattr(os, "sched_getaffinity"):
        info["nproc"] = len(os.sched_getaffinity(0))
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    if have("tesseract"):
        proc = run(["tesseract", "--version"], check=False)
        info["tesseract"] = first_line(proc.out or proc.err)
    if have("ocrmypdf"):
        proc = run(["ocrmypdf", "--version"], check=False)
        info["ocrmypdf"] = first_line(proc.out or proc.err)
    return info


def resolve(path):
    """path itself if absolute or present here, else relative to the repository."""
    return path if os.path.isabs(path) or os.path.exists(path) else os.path.join(REPO, path)


def ratio(a, b):
    return a / b if a is not None and b not in (None, 0) else None


def fmt_num(value, pattern, dash="—"):
    return dash if value is None else pattern % value


def table(rows, header, align):
    """rows under header as aligned text ("<" left, ">" right per column)."""
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]

    def line(r):
        return "  ".join(str(c).ljust(w) if a == "<" else str(c).rjust(w)
                         for c, w, a in zip(r, widths, align)).rstrip()
    out = [line(header), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    return "\n".join("  " + l for l in out)


# --- the samples --------------------------------------------------------------

class Page:
    def __init__(self, doc, number, spec, samples):
        self.doc = doc                      # the Document
        self.number = number                # 1-based
        self.rotation = spec.get("rotation", 0)
        self.skew = spec.get("skew", 0.0)
        self.bilevel = bool(spec.get("bilevel", False))
        self.kind = "bilevel" if self.bilevel else "gray"
        gt_path = os.path.join(samples, spec["gt"])
        with open(gt_path, encoding="utf-8") as f:
            self.gt = f.read()

    @property
    def label(self):
        return "%s p%d" % (self.doc.file, self.number)


class Document:
    def __init__(self, entry, samples):
        self.file = entry["file"]
        self.path = os.path.join(samples, self.file)
        self.format = (entry.get("format") or os.path.splitext(self.file)[1][1:]).lower()
        self.size = os.path.getsize(self.path)
        self.queries = entry.get("queries") or []   # searches that should find it
        self.pages = [Page(self, i + 1, spec, samples)
                      for i, spec in enumerate(entry.get("pages", []))]

    @property
    def is_pdf(self):
        return self.format == "pdf" or self.file.lower().endswith(".pdf")


def load_manifest(samples):
    with open(os.path.join(samples, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    docs = [Document(entry, samples) for entry in manifest]
    for doc in docs:
        set_kinds(doc)
    return docs


def set_kinds(doc):
    """bilevel from the manifest; otherwise colour or gray from the input."""
    spaces = []
    if doc.is_pdf and have("pdfimages"):
        proc = run(["pdfimages", "-list", doc.path], check=False)
        for line in proc.out.splitlines()[2:]:
            fields = line.split()
            if len(fields) > 5 and fields[2] == "image":
                spaces.append((int(fields[0]), fields[5]))
        by_page = {}
        for number, space in spaces:
            by_page.setdefault(number, space)
        spaces = [by_page.get(p.number, "") for p in doc.pages]
    elif not doc.is_pdf and have("identify"):
        proc = run(["identify", "-format", "%[colorspace]\n", doc.path], check=False)
        spaces = [s.strip() for s in proc.out.splitlines() if s.strip()]
    for i, page in enumerate(doc.pages):
        if page.bilevel:
            continue
        space = spaces[i] if i < len(spaces) else ""
        if space:
            page.kind = "colour" if space.lower() in COLOUR_SPACES else "gray"
        else:   # no tool to ask: the format decides (JPEG scans are colour)
            page.kind = "colour" if doc.format in ("jpeg", "jpg") else "gray"


def image_dpi(path):
    """The image's resolution in dpi, or 0 when it records none."""
    if not have("identify"):
        return 0
    proc = run(["identify", "-format", "%x %U\n", path + "[0]"], check=False)
    try:
        value, unit = proc.out.split()[0:2]
        value = float(value)
    except (ValueError, IndexError):
        return 0
    if unit == "PixelsPerCentimeter":
        value *= 2.54
    elif unit != "PixelsPerInch":
        return 0
    return value if value > 10 else 0


# --- one run of each peer -----------------------------------------------------

class PeerRun:
    def __init__(self):
        self.seconds = 0.0
        self.pages = 0                  # pages the tool reports it did
        self.text = {}                  # (file, page number) -> text
        self.pdf_bytes = {}             # file -> bytes of its output PDF
        self.failures = []              # "file: message"
        self.ids = {}                   # kho: file -> archive ID
        self.stage_ms = {}              # kho: stage -> summed duration_ms
        self.text_default = {}          # OCRmyPDF: pdftotext in its default order


def run_kho(kho, docs, samples, lang, work):
    """One `kho ingest --json SAMPLES` into a fresh archive under work."""
    archive = os.path.join(work, "archive")
    result = PeerRun()
    argv = [kho, "--archive", archive, "ingest", "--json", "--languages", lang, samples]
    t0 = time.monotonic()
    proc = run(argv, timeout=TIMEOUT_RUN, check=False)
    result.seconds = time.monotonic() - t0
    if proc.returncode in (124, 127):
        raise ToolError("kho ingest: " + last_line(proc.err))
    by_name = {doc.file: doc for doc in docs}
    for line in proc.out.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            row = json.loads(line)
        except ValueError:
            continue
        name = os.path.relpath(row.get("file") or "", samples)
        if row.get("status") in ("archived", "duplicate") and row.get("id"):
            result.pages += int(row.get("pages") or 0)
            result.ids[name] = row["id"]
        else:
            result.failures.append("%s: %s" % (name, row.get("error") or row.get("status")))
    if not result.ids:
        raise ToolError("kho ingest archived nothing (exit %d): %s" % (
            proc.returncode, last_line(proc.err)))
    for name, doc in by_name.items():
        archive_id = result.ids.get(name)
        if archive_id is None:
            if not any(f.startswith(name + ":") for f in result.failures):
                result.failures.append("%s: not in kho's output" % name)
            continue
        text = run([kho, "--archive", archive, "get", archive_id, "--text"], check=False)
        if text.returncode == 0:
            for page, body in zip(doc.pages, split_pages(text.out, len(doc.pages))):
                result.text[(doc.file, page.number)] = body
        else:
            result.failures.append("%s: get --text: %s" % (name, last_line(text.err)))
        size = None
        show = run([kho, "--archive", archive, "show", "--json", archive_id], check=False)
        try:
            shown = json.loads(show.out)
            size = int(shown["pdf"]["size"]) or None
            for event in shown.get("events", []):
                if isinstance(event.get("duration_ms"), int):
                    stage = event.get("stage") or "?"
                    result.stage_ms[stage] = result.stage_ms.get(stage, 0) + event["duration_ms"]
        except (ValueError, KeyError, TypeError, AttributeError):
            pass
        if size is None:
            folder = os.path.join(archive, "pdfa")
            for entry in os.listdir(folder) if os.path.isdir(folder) else []:
                if entry.startswith(archive_id):
                    size = os.path.getsize(os.path.join(folder, entry))
        if size:
            result.pdf_bytes[doc.file] = size
    return result


def run_ocrmypdf(docs, lang, jobs, work):
    """OCRmyPDF file by file, timed together; text with pdftotext."""
    result = PeerRun()
    outputs = {}
    plans = []
    for doc in docs:   # the DPI look-up is done before the clock starts
        argv = ["ocrmypdf", "-l", lang, "--deskew", "--rotate-pages",
                "--output-type", "pdfa-2", "--jobs", str(jobs)]
        if not doc.is_pdf and not image_dpi(doc.path):
            argv += ["--image-dpi", "300"]
        out = os.path.join(work, doc.file + ".ocrmypdf.pdf")
        plans.append((doc, argv + [doc.path, out], out))
    t0 = time.monotonic()
    for doc, argv, out in plans:
        proc = run(argv, check=False)
        if proc.returncode == 0 and os.path.exists(out):
            outputs[doc.file] = out
            result.pages += len(doc.pages)
        else:
            result.failures.append("%s: exit %d: %s" % (doc.file, proc.returncode,
                                                         last_line(proc.err)))
    result.seconds = time.monotonic() - t0
    for doc in docs:
        out = outputs.get(doc.file)
        if out is None:
            continue
        result.pdf_bytes[doc.file] = os.path.getsize(out)
        # -raw: the text layer in content-stream order, which is the order
        # tesseract read it in (the order of the ground truth and of kho's
        # text).  pdftotext's default order regroups table cells and side-by-
        # side header blocks column by column; it is kept as a second figure.
        for mode, into in ((["-raw"], result.text), ([], result.text_default)):
            proc = run(["pdftotext", "-enc", "UTF-8"] + mode + [out, "-"], check=False)
            if proc.returncode != 0:
                result.failures.append("%s: pdftotext: %s" % (doc.file, last_line(proc.err)))
                continue
            for page, body in zip(doc.pages, split_pages(proc.out, len(doc.pages))):
                into[(doc.file, page.number)] = body
    return result


def extract_pages(docs, work):
    """Every page as its own image file, for bare tesseract.  Returns
    ({(file, number): path}, [failures])."""
    folder = os.path.join(work, "pages")
    os.makedirs(folder, exist_ok=True)
    images, failures = {}, []
    for doc in docs:
        base = os.path.join(folder, doc.file.replace(os.sep, "_"))
        n = len(doc.pages)
        try:
            if doc.is_pdf:
                run(["pdftoppm", "-r", "300", "-png", doc.path, base])
                made = sorted(f for f in os.listdir(folder)
                              if f.startswith(os.path.basename(base) + "-") and f.endswith(".png"))
                paths = [os.path.join(folder, f) for f in made]
            elif n > 1 or doc.format in ("tif", "tiff"):
                if have("tiffsplit") and doc.format in ("tif", "tiff"):
                    run(["tiffsplit", doc.path, base + "-"])
                    made = sorted(f for f in os.listdir(folder)
                                  if f.startswith(os.path.basename(base) + "-"))
                    paths = [os.path.join(folder, f) for f in made]
                else:
                    run(["convert", doc.path, base + "-%03d.tif"])
                    paths = [base + "-%03d.tif" % i for i in range(n)]
            else:
                paths = [doc.path]
        except ToolError as e:
            failures.append("%s: %s" % (doc.file, e))
            continue
        paths = [p for p in paths if os.path.exists(p)]
        if len(paths) != n:
            failures.append("%s: %d page images for %d pages" % (doc.file, len(paths), n))
        for page, path in zip(doc.pages, paths):
            images[(doc.file, page.number)] = path
    return images, failures


def run_tesseract(images, lang, jobs, work):
    """tesseract IMG OUT -l LANG, jobs at a time, OMP_THREAD_LIMIT=1 each."""
    result = PeerRun()
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    folder = os.path.join(work, "tesseract")
    os.makedirs(folder, exist_ok=True)
    outbases = {key: os.path.join(folder, "%s.p%d" % (key[0].replace(os.sep, "_"), key[1]))
                for key in images}

    def one(key):
        return key, run(["tesseract", images[key], outbases[key], "-l", lang],
                        env=env, check=False)

    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        done = list(pool.map(one, sorted(images)))
    result.seconds = time.monotonic() - t0
    for key, proc in done:
        txt = outbases[key] + ".txt"
        if proc.returncode == 0 and os.path.exists(txt):
            result.pages += 1
            with open(txt, encoding="utf-8", errors="replace") as f:
                result.text[key] = f.read()
        else:
            result.failures.append("%s p%d: exit %d: %s" % (key[0], key[1], proc.returncode,
                                                            last_line(proc.err)))
    return result
