#!/usr/bin/env python3
"""Validate the document-classification evaluation set in tests/classify/corpus.

Checks that every NNN-slug.txt has a NNN-slug.json (and the reverse), that each
JSON has exactly the expected keys with valid values (ISO dates, a known type,
type_code consistent with the type, ...), that texts and labels are in NFC, and,
for documents not marked "damaged", that the labelled fields can be found in the
text (after NFC, whitespace collapse and case folding), which catches typos in
the labels.  sample-*.json describe the scans in sample-scans/ and are checked
against their ground-truth pages.  Prints the number of documents per type.

Usage: tests/classify/check-corpus.py [CORPUS_DIR]      (stdlib only)
Exit status: 0 if the set is valid, 1 otherwise.
"""

import datetime
import glob
import json
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))

# type name -> official abbreviation (Nghị định 30/2020/NĐ-CP, Phụ lục III), or None
TYPES = {
    "Nghị quyết": "NQ", "Quyết định": "QĐ", "Chỉ thị": "CT", "Quy chế": "QC",
    "Quy định": "QyĐ", "Thông cáo": "TC", "Thông báo": "TB", "Hướng dẫn": "HD",
    "Chương trình": "CTr", "Kế hoạch": "KH", "Phương án": "PA", "Đề án": "ĐA",
    "Dự án": "DA", "Báo cáo": "BC", "Biên bản": "BB", "Tờ trình": "TTr",
    "Hợp đồng": "HĐ", "Công văn": None, "Công điện": "CĐ", "Bản ghi nhớ": "BGN",
    "Bản thỏa thuận": "BTT", "Giấy ủy quyền": "GUQ", "Giấy mời": "GM",
    "Giấy giới thiệu": "GGT", "Giấy nghỉ phép": "GNP", "Phiếu gửi": "PG",
    "Phiếu chuyển": "PC", "Phiếu báo": "PB", "Thư công": None,
    "Bản sao y": "SY", "Bản trích sao": "TrS", "Bản sao lục": "SL",
    # legal documents a school receives
    "Luật": None, "Nghị định": "NĐ", "Thông tư": "TT", "Thông tư liên tịch": "TTLT",
    # school records
    "Học bạ": None, "Sổ đăng bộ": None, "Sổ theo dõi và đánh giá học sinh": None,
    "Sổ ghi đầu bài": None, "Sổ chủ nhiệm": None, "Kế hoạch bài dạy": None,
    "Kế hoạch giáo dục": None, "Bằng": None, "Chứng chỉ": None,
    "Giấy chứng nhận": None, "Đơn": None, "Biên lai": None, "Hóa đơn": None,
    # fits no type
    "Chưa phân loại": None,
}
RECORDS = {"Học bạ", "Sổ đăng bộ", "Sổ theo dõi và đánh giá học sinh", "Sổ ghi đầu bài",
           "Sổ chủ nhiệm", "Kế hoạch bài dạy", "Kế hoạch giáo dục", "Bằng", "Chứng chỉ",
           "Giấy chứng nhận", "Đơn", "Biên lai", "Hóa đơn"}
# minimum number of documents per type (corpus + samples); every other type: 1
MINIMUM = {"Công văn": 5, "Kế hoạch": 4, "Quyết định": 4, "Thông báo": 3, "Báo cáo": 3,
           "Tờ trình": 2, "Biên bản": 2, "Giấy mời": 2, "Chưa phân loại": 2}
MIN_DOCS, MIN_DAMAGED = 45, 12

KEYS = ["type", "type_code", "number", "year", "notation", "place", "issued", "issuer",
        "subject", "signer_position", "signer_name", "recipients", "urgency", "secrecy",
        "damaged"]
URGENCY = {"Hỏa tốc", "Thượng khẩn", "Khẩn"}
SECRECY = {"Mật", "Tối mật", "Tuyệt mật"}

errors = []
notes = []


def err(name, msg):
    errors.append(f"{name}: {msg}")


def nfc(s):
    return unicodedata.normalize("NFC", s)


def fold(s):
    """What scoring compares: NFC, whitespace collapsed, case folded."""
    return " ".join(nfc(s).split()).casefold()


def strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, list):
        for x in obj:
            yield from strings(x)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield k
            yield from strings(v)


def opt_str(name, meta, key, multiline=False):
    v = meta.get(key)
    if v is None:
        return
    if not isinstance(v, str) or not v.strip():
        err(name, f"{key} must be null or a non-empty string")
        return
    lines = v.split("\n")
    if not multiline and len(lines) > 1:
        err(name, f"{key} must be one line")
    for ln in lines:
        if ln != ln.strip() or not ln or "  " in ln:
            err(name, f"{key}: line {ln!r} has stray whitespace or is empty")


def date_in_text(iso, text):
    y, m, d = (int(x) for x in iso.split("-"))
    dd, mm = rf"0?{d}", rf"0?{m}"
    pats = [rf"ngày\s+{dd}\s+tháng\s+{mm}\s+năm\s+{y}",
            rf"(?<!\d){dd}\s*/\s*{mm}\s*/\s*{y}", rf"(?<!\d){dd}\s*-\s*{mm}\s*-\s*{y}"]
    return any(re.search(p, text, re.IGNORECASE) for p in pats)


def validate(name, meta, is_sample):
    expected = (["text"] if is_sample else []) + KEYS
    missing = [k for k in expected if k not in meta]
    extra = [k for k in meta if k not in expected]
    if missing:
        err(name, f"missing keys {missing}")
    if extra:
        err(name, f"unknown keys {extra}")
    if missing:
        return False
    for s in strings(meta):
        if s != nfc(s):
            err(name, f"label not in NFC: {s!r}")

    t = meta["type"]
    if t not in TYPES:
        err(name, f"unknown type {t!r}")
        return False
    if meta["type_code"] != TYPES[t]:
        err(name, f"type_code {meta['type_code']!r} does not match type {t!r} ({TYPES[t]!r})")

    num = meta["number"]
    if num is not None and (not isinstance(num, str) or not re.fullmatch(r"[0-9]+", num)):
        err(name, f"number {num!r} must be null or a string of digits")
    year = meta["year"]
    if year is not None:
        if not isinstance(year, str) or not re.fullmatch(r"(19|20)[0-9]{2}", year):
            err(name, f"year {year!r} must be null or a 4-digit year string")
        if num is None:
            err(name, "year set without a number")
        if meta["issued"] and not meta["issued"].startswith(str(year)):
            err(name, f"year {year} differs from the issue date {meta['issued']}")

    nota = meta["notation"]
    opt_str(name, meta, "notation")
    if isinstance(nota, str):
        if " " in nota:
            err(name, f"notation {nota!r} contains a space")
        code = TYPES[t]
        if code and t not in RECORDS:
            lead = re.split(r"[-/]", nota)[0]
            if lead != code:
                err(name, f"notation {nota!r} does not start with the type code {code!r}")

    opt_str(name, meta, "place")
    iss = meta["issued"]
    if iss is not None:
        try:
            dt = datetime.date.fromisoformat(iss)
            if not (datetime.date(2000, 1, 1) <= dt <= datetime.date(2026, 12, 31)):
                err(name, f"issued {iss} outside 2000-2026")
        except (TypeError, ValueError):
            err(name, f"issued {iss!r} is not an ISO date YYYY-MM-DD")

    opt_str(name, meta, "issuer", multiline=True)
    if isinstance(meta["issuer"], str) and len(meta["issuer"].split("\n")) > 3:
        err(name, "issuer has more than 3 lines")
    opt_str(name, meta, "subject")
    subj = meta["subject"]
    if isinstance(subj, str) and re.match(r"(?i)v\s*/\s*v\b", subj):
        err(name, "subject must not start with V/v")
    opt_str(name, meta, "signer_position", multiline=True)
    opt_str(name, meta, "signer_name")
    if meta["signer_name"] is not None and meta["signer_position"] is None \
            and t != "Chưa phân loại":
        notes.append(f"{name}: signer_name without signer_position")

    rec = meta["recipients"]
    if not isinstance(rec, list):
        err(name, "recipients must be a list")
    else:
        for r in rec:
            if not isinstance(r, str) or not r.strip():
                err(name, f"recipient {r!r} must be a non-empty string")
            elif re.match(r"^[-–—•+*·]", r) or r.rstrip() != r or r.endswith((";", ".", ",")) \
                    or r != r.strip():
                err(name, f"recipient {r!r} keeps a bullet, trailing punctuation or spaces")

    if meta["urgency"] not in URGENCY | {None}:
        err(name, f"urgency {meta['urgency']!r} not one of {sorted(URGENCY)}")
    if meta["secrecy"] not in SECRECY | {None}:
        err(name, f"secrecy {meta['secrecy']!r} not one of {sorted(SECRECY)}")
    if not isinstance(meta["damaged"], bool):
        err(name, "damaged must be true or false")
    if is_sample and meta["damaged"]:
        err(name, "a sample ground truth is not damaged")
    return True


def verbatim(name, meta, text):
    """List the labelled values that cannot be found in the text."""
    ft = fold(text)
    miss = []

    def need(key, value):
        if value is not None and fold(value) not in ft:
            miss.append(f"{key}={value!r}")

    if meta["number"] is not None and not re.search(
            rf"(?<![0-9]){re.escape(meta['number'])}(?![0-9])", text):
        miss.append(f"number={meta['number']!r}")
    if meta["year"] is not None:
        need("year", f"{meta['number']}/{meta['year']}/")
    need("notation", meta["notation"])
    need("place", meta["place"])
    if meta["issued"]:
        # on the place-and-date line when there is a place: a date in the body is not enough
        lines = [ln for ln in nfc(text).split("\n")
                 if meta["place"] is None or fold(meta["place"]) in fold(ln)]
        if not any(date_in_text(meta["issued"], ln) for ln in lines):
            miss.append(f"issued={meta['issued']!r}")
    for key in ("issuer", "signer_position"):
        for ln in (meta[key] or "").split("\n"):
            if ln:
                need(key, ln)
    need("subject", meta["subject"])
    need("signer_name", meta["signer_name"])
    for r in meta["recipients"]:
        need("recipient", r)
    need("urgency", meta["urgency"])
    need("secrecy", meta["secrecy"])
    return miss


def main():
    corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus")
    if not os.path.isdir(corpus):
        sys.exit(f"no corpus at {corpus}")
    txts = {os.path.basename(p)[:-4] for p in glob.glob(os.path.join(corpus, "*.txt"))}
    jsons = {os.path.basename(p)[:-5] for p in glob.glob(os.path.join(corpus, "*.json"))}
    samples = {b for b in jsons if b.startswith("sample-")}
    for b in sorted(txts - jsons):
        err(b + ".txt", "has no .json")
    for b in sorted(jsons - txts - samples):
        err(b + ".json", "has no .txt")
    for b in sorted(txts | (jsons - samples)):
        if not re.fullmatch(r"[0-9]{3}-[a-z0-9]+(-[a-z0-9]+)*", b):
            err(b, "name is not NNN-slug (lower-case ASCII)")

    per_type = {t: [0, 0] for t in TYPES}  # corpus, samples
    damaged = 0
    ndocs = 0
    for b in sorted(jsons):
        name = b + ".json"
        try:
            with open(os.path.join(corpus, name), encoding="utf-8") as f:
                meta = json.load(f)
        except (OSError, ValueError) as e:
            err(name, f"cannot read: {e}")
            continue
        if not isinstance(meta, dict):
            err(name, "is not a JSON object")
            continue
        is_sample = b in samples
        if not validate(name, meta, is_sample):
            continue
        if is_sample:
            src = meta["text"]
            pages = glob.glob(os.path.join(REPO, glob.escape(src) + ".p*.gt.txt"))
            pages.sort(key=lambda p: int(re.search(r"\.p([0-9]+)\.gt\.txt$", p).group(1)))
            if not isinstance(src, str) or not os.path.exists(os.path.join(REPO, src)) or not pages:
                err(name, f"text {src!r}: no such sample scan with ground truth")
                continue
            text = "".join(open(p, encoding="utf-8").read() for p in pages)
        else:
            if b not in txts:
                continue
            ndocs += 1
            raw = open(os.path.join(corpus, b + ".txt"), "rb").read()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                err(b + ".txt", f"not UTF-8: {e}")
                continue
            if text != nfc(text):
                err(b + ".txt", "text is not in NFC")
            if text.startswith("\ufeff") or "\r" in text:
                err(b + ".txt", "BOM or CR in text")
            if not text.strip():
                err(b + ".txt", "empty text")
        per_type[meta["type"]][1 if is_sample else 0] += 1
        damaged += meta["damaged"] is True

        miss = verbatim(name, meta, text)
        if meta["damaged"]:
            notes.append(f"{name}: damaged; {len(miss)} labelled value(s) not verbatim in the text")
        elif miss:
            err(name, "not found in the text: " + "; ".join(miss))

    for t, (c, s) in per_type.items():
        if c + s < MINIMUM.get(t, 1):
            err("corpus", f"type {t!r} has {c + s} document(s), want at least {MINIMUM.get(t, 1)}")
    if ndocs < MIN_DOCS:
        err("corpus", f"{ndocs} documents with text, want at least {MIN_DOCS}")
    if damaged < MIN_DAMAGED:
        err("corpus", f"{damaged} damaged documents, want at least {MIN_DAMAGED}")

    width = max(len(t) for t in TYPES)
    print(f"{'type':<{width}}  corpus  samples")
    for t, (c, s) in per_type.items():
        print(f"{t:<{width}}  {c:6d}  {s:7d}")
    print(f"{'total':<{width}}  {ndocs:6d}  {len(samples):7d}")
    print(f"damaged: {damaged}; types covered: {sum(1 for c, s in per_type.values() if c + s)}"
          f"/{len(TYPES)}")
    if "-v" in sys.argv or os.environ.get("VERBOSE"):
        for n in notes:
            print("note:", n)
    for e in errors:
        print("error:", e, file=sys.stderr)
    if errors:
        print(f"{len(errors)} error(s)", file=sys.stderr)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
