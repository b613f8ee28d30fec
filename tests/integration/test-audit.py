#!/usr/bin/env python3
"""Proof end to end: fixity (kho verify), the hash-chained audit trail (kho
audit verify, kho audit log), retention and deletion (kho retention, kho
delete), on sample scans archived through the real pipeline.  Every tamper
case of issue 6 is made by hand (a byte flipped in an original, an archival
PDF deleted, an unknown file dropped into originals/, an audit row edited
and one deleted with the sqlite3 shell) and must be detected with a
non-zero exit status, naming the document, file or entry.  TAP output; exit
status 1 on any failure.

  test-audit.py KHO_BINARY SOURCE_ROOT
"""
import getpass
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True      # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from khotest import check, run, run_kho, sha256  # noqa: E402

KHO, ROOT = sys.argv[1], sys.argv[2]
TMP = tempfile.mkdtemp(prefix="kho-audit-")
ARCHIVE = os.path.join(TMP, "archive")
ENV = dict(os.environ, KHO_LANG="en", KHO_ARCHIVE=ARCHIVE)
USER = getpass.getuser()


def kho(*args, status=0, archive=ARCHIVE, lang="en"):
    env = dict(ENV, KHO_ARCHIVE=archive, KHO_LANG=lang)
    return run_kho([KHO], args, env, status=status)


def sqlite(db, sql):
    return subprocess.run(["sqlite3", db, sql], capture_output=True, text=True)


def entry_hash(e):
    """The hash of an entry of `kho audit log --json`, as index/audit.h defines it."""
    text = b"kho-audit-1\n"
    for value in (e["entry"], e["time"], e["id"], e["stage"], e["status"], e["duration_ms"],
                  e["actor"], e["detail"], e["prev_hash"]):
        if value is None:
            text += b"-\n"
        else:
            raw = str(value).encode()
            text += b"%d:%s\n" % (len(raw), raw)
    return sha256(text)


def verify_fails():
    """kho verify and kho verify --json, both failing: the first's stderr,
    the report and its documents by ID."""
    stderr = kho("verify", status=1).stderr
    got = json.loads(kho("verify", "--json", status=1).stdout)
    return stderr, got, {d["id"]: d for d in got["documents"]}


def check_chain_broken(what, archive, message, problem, entry):
    """kho audit verify fails on @archive, naming @entry in @message, and
    its JSON gives @problem and @entry."""
    proc = kho("audit", "verify", status=1, archive=archive)
    check("%s: named" % what, message in proc.stderr, proc.stderr)
    got = json.loads(kho("audit", "verify", "--json", status=1, archive=archive).stdout)
    check("%s: JSON" % what, (got["ok"], got["problem"], got["bad_entry"]) ==
          (False, problem, entry), got)


def original_path(archive, sha):
    return os.path.join(archive, "originals", sha[:2], sha[2:4], sha)


def main():
    samples = os.path.join(ROOT, "sample-scans")
    lines = kho("ingest", "--json", os.path.join(samples, "cong-van-ra-soat-ho-so.jpg"),
                os.path.join(samples, "thong-bao-khai-giang.pdf")).stdout.splitlines()
    ingested = [json.loads(line) for line in lines]
    a, b = ingested[0]["id"], ingested[1]["id"]
    sha_a = ingested[0]["sha256"]
    check("two documents archived", [r["status"] for r in ingested] == ["archived"] * 2, lines)

    # --- a whole archive checks out ---
    got = json.loads(kho("verify", "--json").stdout)
    check("verify: all ok, exit 0", (got["checked"], got["ok"], got["orphans"]) == (2, 2, []), got)
    check("verify: both files of each document",
          all(d["original"]["status"] == "ok" and d["pdf"]["status"] == "ok"
              for d in got["documents"]), got)
    chain = json.loads(kho("audit", "verify", "--json").stdout)
    check("audit verify: intact", chain["ok"] and chain["problem"] is None and
          chain["entries"] > 10, chain)
    for doc_id in (a, b):
        fixity = json.loads(kho("show", "--json", doc_id).stdout)["fixity"]
        check("show --json %s: verified ok, with the time of the check" % doc_id,
              fixity is not None and fixity["status"] == "ok" and
              re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", fixity["verified"] or "")
              is not None, fixity)
    shown = kho("show", a).stdout
    check("show: the last check and its result",
          re.search(r"^  verified   \d\d/\d\d/\d{4} \d\d:\d\d, ok$", shown, re.M), shown)
    shown = kho("show", a, lang="vi").stdout
    check("show (vi): the last check and its result",
          re.search(r"^  ngày kiểm tra  \d\d/\d\d/\d{4} \d\d:\d\d, nguyên vẹn$", shown, re.M),
          shown)

    # --- the trail of one document ---
    kho("get", a, "--original", "-o", os.path.join(TMP, "a.orig"))
    log = json.loads(kho("audit", "log", a, "--json").stdout)
    stages = [e["stage"] for e in log]
    check("audit log: every stage, the verification, the download",
          stages == ["intake", "prepare", "ocr", "classify", "assemble", "index", "verify",
                     "access"], stages)
    check("audit log: of this document only", {e["id"] for e in log} == {a}, log)
    check("audit log: actor is the OS user", {e["actor"] for e in log} == {USER}, log)
    check("audit log: the download says what", log[-1]["detail"] == "original" and
          log[-1]["status"] == "ok", log[-1])
    check("audit log by SHA-256 prefix", json.loads(kho("audit", "log", sha_a[:12], "--json")
                                                    .stdout) == log)
    everything = json.loads(kho("audit", "log", "--json").stdout)
    check("audit log: the hashes are as documented, each chained to the one before",
          all(entry_hash(e) == e["hash"] for e in everything) and
          all(e["prev_hash"] == p["hash"] for p, e in zip(everything, everything[1:])) and
          everything[0]["prev_hash"] == "0" * 64, everything[:2])
    check("audit log: the run of verify is an entry of no document",
          any(e["stage"] == "verify" and e["id"] is None and e["status"] == "ok"
              for e in everything))
    kho("audit", "log", "KHO-1999-000001", status=1)
    kho("audit", "log", a, b, status=2)

    # --- tamper: a byte flipped in an original ---
    path = original_path(ARCHIVE, sha_a)
    os.chmod(path, 0o644)
    with open(path, "r+b") as f:
        f.seek(1000)
        byte = f.read(1)
        f.seek(1000)
        f.write(bytes([byte[0] ^ 0x01]))
    stderr, got, by_id = verify_fails()
    check("flipped byte: named", a in stderr and "original" in stderr and
          "has changed" in stderr and b not in stderr, stderr)
    check("flipped byte: JSON", by_id[a]["status"] == "changed" and
          by_id[a]["original"]["status"] == "changed" and
          by_id[a]["original"]["recorded"] == sha_a and
          by_id[a]["original"]["sha256"] != sha_a and by_id[b]["status"] == "ok", by_id[a])
    kho("get", a, "--original", "-o", os.path.join(TMP, "x"), status=1)
    log = json.loads(kho("audit", "log", a, "--json").stdout)
    check("flipped byte: the check and the refused download are recorded",
          [(e["stage"], e["status"]) for e in log[-3:]] ==
          [("verify", "changed"), ("verify", "changed"), ("access", "failed")], log[-3:])
    check("flipped byte: show --json reports the change",
          json.loads(kho("show", "--json", a).stdout)["fixity"]["status"] == "changed" and
          json.loads(kho("show", "--json", b).stdout)["fixity"]["status"] == "ok")
    check("flipped byte: show reports the change",
          re.search(r"^  verified   .*, changed$", kho("show", a).stdout, re.M))
    with open(path, "r+b") as f:
        f.seek(1000)
        f.write(byte)
    os.chmod(path, 0o444)
    kho("verify")

    # --- tamper: an archival PDF deleted ---
    pdf = os.path.join(ARCHIVE, "pdfa", b + ".pdf")
    shutil.copy(pdf, os.path.join(TMP, "b.pdf"))
    os.remove(pdf)
    stderr, got, by_id = verify_fails()
    check("deleted PDF: named", b in stderr and "archival PDF" in stderr and
          "missing" in stderr and a not in stderr, stderr)
    check("deleted PDF: JSON", by_id[b]["status"] == "missing" and
          by_id[b]["pdf"]["status"] == "missing" and by_id[b]["original"]["status"] == "ok" and
          got["missing"] == 1 and got["ok"] == 1, by_id[b])
    shutil.copy(os.path.join(TMP, "b.pdf"), pdf)
    kho("verify")

    # --- tamper: unknown files dropped into originals/ ---
    stray = os.path.join(ARCHIVE, "originals", "unknown.bin")
    fake_sha = "f" * 64
    fake = original_path(ARCHIVE, fake_sha)
    with open(stray, "wb") as f:
        f.write(b"not a scan")
    os.makedirs(os.path.dirname(fake))
    with open(fake, "wb") as f:
        f.write(b"no document has this")
    stderr, got, _ = verify_fails()
    check("orphans: named", "originals/unknown.bin: no document owns this file" in stderr and
          "originals/ff/ff/" + fake_sha in stderr, stderr)
    check("orphans: JSON, documents still ok",
          got["orphans"] == ["originals/ff/ff/" + fake_sha, "originals/unknown.bin"] and
          got["ok"] == 2, got["orphans"])
    everything = json.loads(kho("audit", "log", "--json").stdout)
    check("orphans: recorded", any(e["status"] == "orphan" and e["detail"] ==
                                   "originals/unknown.bin" for e in everything))
    os.remove(stray)
    shutil.rmtree(os.path.join(ARCHIVE, "originals", "ff"))
    kho("verify")

    # --- tamper: the audit trail, with the sqlite3 shell, on copies ---
    edited, deleted = os.path.join(TMP, "edited"), os.path.join(TMP, "deleted")
    shutil.copytree(ARCHIVE, edited)
    shutil.copytree(ARCHIVE, deleted)
    db = os.path.join(edited, "kho.db")
    refused = sqlite(db, "UPDATE events SET detail = 'x' WHERE id = 3")
    check("audit row edit refused by the trigger",
          refused.returncode != 0 and "append-only" in refused.stderr, refused.stderr)
    refused = sqlite(db, "DELETE FROM events WHERE id = 4")
    check("audit row delete refused by the trigger",
          refused.returncode != 0 and "append-only" in refused.stderr, refused.stderr)
    kho("audit", "verify", archive=edited)
    done = sqlite(db, "DROP TRIGGER events_no_update; "
                      "UPDATE events SET actor = 'mallory' WHERE id = 3")
    check("sqlite3: trigger dropped, row edited", done.returncode == 0, done.stderr)
    check_chain_broken("edited row", edited, "entry 3 was changed", "changed", 3)
    proc = kho("audit", "verify", status=1, archive=edited, lang="vi")
    check("edited row: in Vietnamese", "mục 3 đã bị sửa" in proc.stderr, proc.stderr)

    done = sqlite(os.path.join(deleted, "kho.db"),
                  "DROP TRIGGER events_no_delete; DELETE FROM events WHERE id = 4")
    check("sqlite3: trigger dropped, row deleted", done.returncode == 0, done.stderr)
    check_chain_broken("deleted row", deleted, "entry 4 was deleted", "missing", 4)
    kho("audit", "verify")

    # --- retention and deletion ---
    doc_a = json.loads(kho("show", "--json", a).stdout)
    check("retention from the type", doc_a["retention"] not in (None, "0"), doc_a["retention"])
    proc = kho("delete", a, "--reason", "trial", status=1)
    check("delete within the period: refused, named",
          a in proc.stderr and "within its retention period" in proc.stderr, proc.stderr)
    proc = kho("delete", a, "--reason", "trial", status=1, lang="vi")
    check("refusal in Vietnamese", "còn trong thời hạn bảo quản" in proc.stderr, proc.stderr)
    kho("delete", a, status=2)
    kho("delete", a, "--reason", "  ", status=2)
    check("refused: files and row stay", os.path.exists(original_path(ARCHIVE, sha_a)) and
          kho("show", a).returncode == 0)
    check("retention: nothing past yet", json.loads(kho("retention", "--json").stdout)["past"]
          == [])
    kho("edit", a, "--set", "retention=1", "--set", "issued=15/03/2020")
    past = json.loads(kho("retention", "--json").stdout)["past"]
    check("retention: past its period", [(p["id"], p["retention"], p["from"], p["until"])
                                         for p in past] == [(a, 1, "2020-03-15", "2022-01-01")],
          past)
    out = kho("retention").stdout
    check("retention: listed", a in out and "past since 01/01/2022" in out, out)
    kho("edit", b, "--set", "retention=vĩnh viễn")
    proc = kho("delete", b, "--reason", "trial", status=1)
    check("permanent: refused", b in proc.stderr and "permanently" in proc.stderr, proc.stderr)

    out = kho("delete", a, "--reason", "Hết thời hạn bảo quản").stdout
    check("delete: done", a in out, out)
    check("delete: files gone", not os.path.exists(original_path(ARCHIVE, sha_a)) and
          not os.path.exists(os.path.join(ARCHIVE, "pdfa", a + ".pdf")))
    kho("show", a, status=1)
    log = json.loads(kho("audit", "log", a, "--json").stdout)
    tomb = json.loads(log[-1]["detail"])
    check("tombstone: the last entry, by whom", (log[-1]["stage"], log[-1]["actor"]) ==
          ("delete", USER), log[-1])
    check("tombstone: ID, checksums, reason",
          (tomb["id"], tomb["sha256"], tomb["pdf_sha256"], tomb["reason"], tomb["forced"],
           tomb["retention"]) ==
          (a, sha_a, doc_a["pdf"]["sha256"], "Hết thời hạn bảo quản", False, 1), tomb)
    check("deleted: its trail stays whole", [e["stage"] for e in log][:6] ==
          ["intake", "prepare", "ocr", "classify", "assemble", "index"], log)
    kho("audit", "verify")
    got = json.loads(kho("verify", "--json").stdout)
    check("deleted: no orphan, one document left", (got["checked"], got["orphans"]) == (1, []),
          got)

    # --- a split scan: its parts share the original ---
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from blank_tiff import blank_tiff
    blank, batch = os.path.join(TMP, "blank.tif"), os.path.join(TMP, "batch.tif")
    blank_tiff(blank)
    qd = os.path.join(samples, "quyet-dinh-hoi-dong.tif")
    subprocess.run(["tiffcp", qd, blank, qd, batch], check=True)
    parts = [json.loads(line)["id"] for line in
             kho("ingest", "--json", "--split-on-blank", batch).stdout.splitlines()]
    check("split: two parts", len(parts) == 2, parts)
    got = json.loads(kho("verify", "--oldest", "2", "--json").stdout)
    check("verify --oldest 2: the never-checked parts first",
          sorted(d["id"] for d in got["documents"]) == sorted(parts), got["documents"])
    check("split: the shared original is no orphan", got["orphans"] == [], got["orphans"])
    got = json.loads(kho("verify", "--oldest", "1", "--json").stdout)
    check("verify --oldest 1: then the one checked longest ago",
          [d["id"] for d in got["documents"]] == [b], got["documents"])
    kho("verify", "--all", "--oldest", "1", status=2)
    sha_parts = json.loads(kho("show", "--json", parts[0]).stdout)["sha256"]
    kho("delete", parts[0], "--reason", "scanned twice", "--force")
    check("split: a deleted part leaves the original to the other",
          os.path.exists(original_path(ARCHIVE, sha_parts)) and
          not os.path.exists(os.path.join(ARCHIVE, "pdfa", parts[0] + ".pdf")))
    kho("get", parts[1], "--original", "-o", os.path.join(TMP, "p2"))
    tomb = json.loads(json.loads(kho("audit", "log", parts[0], "--json").stdout)[-1]["detail"])
    check("split: forced tombstone", (tomb["forced"], tomb["part"]) == (True, 1), tomb)
    got = json.loads(kho("verify", "--json").stdout)
    check("split: all ok after", (got["checked"], got["ok"], got["orphans"]) == (2, 2, []), got)
    kho("delete", parts[1], "--reason", "scanned twice", "--force")
    check("split: the last part takes the original with it",
          not os.path.exists(original_path(ARCHIVE, sha_parts)))
    kho("verify")
    kho("audit", "verify")


if __name__ == "__main__":
    run(main, TMP)
