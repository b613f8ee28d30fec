#!/usr/bin/env python3
"""kho export --bagit, kho import --bagit and kho backup end to end: two sample
scans through real OCR, a bag of them checked file by file (bagit.txt, the
manifests, Payload-Oxum, metadata.xml against kho show --json), the round
trip into an empty archive (same IDs, checksums, fields, search results,
byte-identical originals), bags with a changed byte, a missing manifest
line, an added file, a path out of the bag or a changed tag file refused
with nothing imported, export subsets, and a backup taken while kho serve
runs and a writer holds an open transaction.  TAP output; exit status 1 on
any failure.

  test-bagit.py KHO_BINARY SOURCE_ROOT
"""
import json
import os
import re
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True      # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from khotest import check, read_file, run, run_kho, sha256_file, skip  # noqa: E402

KHO, ROOT = sys.argv[1], sys.argv[2]
TMP = tempfile.mkdtemp(prefix="kho-bagit-")
SOURCE = os.path.join(TMP, "source")
ENV = dict(os.environ, KHO_LANG="en")
NS = "{urn:kho:document:1}"
SAMPLES = ["cong-van-ra-soat-ho-so.jpg", "thong-bao-khai-giang.pdf"]


def kho(archive, *args, status=0):
    return run_kho([KHO, "--archive", archive], args, ENV, status=status)


def show(archive, doc_id):
    return json.loads(kho(archive, "show", "--json", doc_id).stdout)


def comparable(doc, fixity=True):
    """kho show --json without what differs between two archives by design:
    where the files are, and the history (export and import add events).
    fixity=False leaves out the last check by kho verify too: a document
    restored from a bag has not been checked in its new archive, so its
    verification state may differ from the source's (a backup keeps it)."""
    doc = dict(doc)
    doc.pop("events")
    if not fixity:
        doc.pop("fixity")
    doc["original"] = {k: v for k, v in doc["original"].items() if k != "path"}
    doc["pdf"] = {k: v for k, v in doc["pdf"].items() if k != "path"}
    return doc


def search_ids(archive, *args):
    return [hit["id"] for hit in json.loads(kho(archive, "search", "--json", *args).stdout)]


def read_manifest(path):
    entries = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            checksum, name = line.rstrip("\n").split("  ", 1)
            entries[name] = checksum
    return entries


def copy_bag(bag, name):
    """A writable copy of @bag (its files are read-only)."""
    copy = os.path.join(TMP, name)
    shutil.copytree(bag, copy)
    for folder, _, files in os.walk(copy):
        for f in files:
            os.chmod(os.path.join(folder, f), 0o644)
    return copy


def refused(name, bag, wanted_in_message):
    target = os.path.join(TMP, "refused-" + name)
    proc = kho(target, "import", "--bagit", bag, status=None)
    check("refused: %s: exit 1" % name, proc.returncode == 1, proc.stderr)
    check("refused: %s: the message names it" % name, wanted_in_message in proc.stderr,
          proc.stderr)
    check("refused: %s: nothing written" % name, not os.path.exists(target),
          os.listdir(target) if os.path.exists(target) else "")


def check_bag(bag, ids, shown):
    with open(os.path.join(bag, "bagit.txt"), encoding="utf-8") as f:
        check("bag: bagit.txt", f.read() ==
              "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
    manifest = read_manifest(os.path.join(bag, "manifest-sha256.txt"))
    payload = {}
    for folder, _, files in os.walk(os.path.join(bag, "data")):
        for f in files:
            path = os.path.join(folder, f)
            payload[os.path.relpath(path, bag)] = path
    check("bag: the manifest lists every payload file", set(manifest) == set(payload),
          sorted(set(manifest) ^ set(payload)))
    check("bag: the manifest's checksums",
          all(sha256_file(payload[p]) == c for p, c in manifest.items() if p in payload))
    tags = read_manifest(os.path.join(bag, "tagmanifest-sha256.txt"))
    check("bag: tagmanifest covers bagit.txt, bag-info.txt, the manifest",
          set(tags) == {"bagit.txt", "bag-info.txt", "manifest-sha256.txt"}, sorted(tags))
    check("bag: the tagmanifest's checksums",
          all(sha256_file(os.path.join(bag, p)) == c for p, c in tags.items()))
    info = {}
    with open(os.path.join(bag, "bag-info.txt"), encoding="utf-8") as f:
        for line in f:
            label, value = line.rstrip("\n").split(": ", 1)
            info[label] = value
    octets = sum(os.path.getsize(p) for p in payload.values())
    check("bag: Payload-Oxum", info.get("Payload-Oxum") == "%d.%d" % (octets, len(payload)),
          (info.get("Payload-Oxum"), octets, len(payload)))
    check("bag: Source-Organization", info.get("Source-Organization") == "Trường TH&THCS Bình Chương",
          info)
    check("bag: Bagging-Date", re.fullmatch(r"\d{4}-\d{2}-\d{2}", info.get("Bagging-Date", "")),
          info)
    check("bag: one folder per document", sorted(os.listdir(os.path.join(bag, "data"))) ==
          sorted(ids), os.listdir(os.path.join(bag, "data")))

    for doc_id in ids:
        doc = shown[doc_id]
        folder = os.path.join(bag, "data", doc_id)
        root = ET.parse(os.path.join(folder, "metadata.xml")).getroot()

        def text(element):
            node = root.find(NS + element)
            return node.text if node is not None else None

        check("%s: metadata.xml ArchiveID" % doc_id, text("ArchiveID") == doc_id)
        for element, key in (("TypeName", "type"), ("CodeNumber", "number"),
                             ("CodeNotation", "notation"), ("IssuedDate", "issued"),
                             ("OrganName", "issuer"), ("Subject", "subject"),
                             ("PlaceName", "place"), ("SignerName", "signer_name"),
                             ("Language", "language"), ("Description", "title")):
            check("%s: metadata.xml %s" % (doc_id, element), text(element) == doc[key],
                  (text(element), doc[key]))
        check("%s: metadata.xml PageAmount" % doc_id,
              text("PageAmount") == str(doc["page_count"]))
        recipients = [r.text for r in root.findall(NS + "Recipients/" + NS + "Recipient")]
        check("%s: metadata.xml Recipients" % doc_id, recipients == doc["recipients"],
              recipients)
        original = root.find(NS + "Original")
        pdf = root.find(NS + "ArchivalCopy")
        check("%s: metadata.xml checksums" % doc_id,
              original.get("sha256") == doc["sha256"] and
              pdf.get("sha256") == doc["pdf"]["sha256"])
        check("%s: the original in the bag, under its name" % doc_id,
              sha256_file(os.path.join(folder, original.get("path"))) == doc["sha256"] and
              original.get("path") == "original/" + re.sub(r"[\t\n]", "_", doc["file_name"]),
              original.get("path"))
        check("%s: the PDF/A in the bag" % doc_id,
              sha256_file(os.path.join(folder, doc_id + ".pdf")) == doc["pdf"]["sha256"])
        events = root.findall(NS + "AuditTrail/" + NS + "Event")
        check("%s: the audit trail" % doc_id,
              [(e.get("stage"), e.get("status"), e.get("time")) for e in events] ==
              [(e["stage"], e["status"], e["time"]) for e in doc["events"]],
              [e.get("stage") for e in events])
        pages = sorted(os.listdir(os.path.join(folder, "text")))
        check("%s: the page texts" % doc_id,
              [p for p in pages if p.endswith(".txt")] ==
              ["page-%04d.txt" % (i + 1) for i in range(doc["page_count"])], pages)


def main():
    ids = {}
    out = kho(SOURCE, "ingest", "--json", *[os.path.join(ROOT, "sample-scans", s)
                                            for s in SAMPLES]).stdout
    for line in out.splitlines():
        result = json.loads(line)
        ids[os.path.basename(result["file"])] = result["id"]
    check("two samples archived", sorted(ids) == sorted(SAMPLES), out)
    all_ids = sorted(ids.values())
    # A person's correction travels with its source.
    kho(SOURCE, "edit", all_ids[0], "--set", "subject=Rà soát hồ sơ & <lớp 1> để đóng gói")
    conf = os.path.join(SOURCE, "kho.conf")
    with open(conf, encoding="utf-8") as f:
        text = f.read()
    with open(conf, "w", encoding="utf-8") as f:
        f.write(text.replace("[archive]\n", "[archive]\norganization=Trường TH&THCS Bình Chương\n"))
    # A tag (given by an inbox folder) and a part of a split scan travel too;
    # both set in the catalogue directly, as a split needs a long OCR run.
    db = sqlite3.connect(os.path.join(SOURCE, "kho.db"))
    db.execute("INSERT INTO tags (document_id, tag) SELECT id, 'Công văn đến' FROM documents "
               "WHERE archive_id = ?", (all_ids[0],))
    db.execute("UPDATE documents SET part = 1, first_page = 1, last_page = 1 "
               "WHERE archive_id = ?", (all_ids[1],))
    # Characters XML parsers normalise away unless escaped.
    db.execute("UPDATE documents SET file_name = ? WHERE archive_id = ?",
               ("Công văn\t<01>\n&.jpg", all_ids[0]))
    db.execute("UPDATE fields SET value = ? WHERE name = 'place' AND document_id = "
               "(SELECT id FROM documents WHERE archive_id = ?)", ("Bình\r\nChương\t", all_ids[0]))
    db.commit()
    db.close()
    shown = {i: show(SOURCE, i) for i in all_ids}
    check("a tag and a part set", shown[all_ids[0]]["tags"] == ["Công văn đến"] and
          shown[all_ids[1]]["part"] == 1)

    # --- export --all, and the bag it writes
    bag = os.path.join(TMP, "bag")
    proc = kho(SOURCE, "export", "--bagit", bag, "--all", "--json")
    summary = json.loads(proc.stdout)
    check("export: summary", summary["documents"] == 2 and summary["files"] >= 8, summary)
    check("export: no temporary folder left",
          [n for n in os.listdir(TMP) if ".tmp-" in n] == [], os.listdir(TMP))
    check_bag(bag, all_ids, shown)
    part = ET.parse(os.path.join(bag, "data", all_ids[1], "metadata.xml")).getroot().find(NS + "Part")
    check("bag: the part of a split scan", part is not None and
          (part.get("number"), part.get("firstPage"), part.get("lastPage")) == ("1", "1", "1"))
    try:
        import bagit  # the Library of Congress's validator, when installed
        try:
            bagit.Bag(bag).validate()
            check("bag: valid for bagit-python", True)
        except bagit.BagError as e:
            check("bag: valid for bagit-python", False, e)
    except ImportError:
        skip("bag: valid for bagit-python", "bagit-python is not installed")
    after = show(SOURCE, all_ids[0])
    check("export: an export event", after["events"][-1]["stage"] == "export" and
          bag in after["events"][-1]["detail"], after["events"][-1])

    # --- the round trip into an empty archive
    target = os.path.join(TMP, "target")
    kho(target, "init")
    proc = kho(target, "import", "--bagit", bag, "--json")
    imported = [json.loads(line) for line in proc.stdout.splitlines()]
    check("import: both restored", [(r["id"], r["status"]) for r in imported] ==
          [(i, "restored") for i in all_ids], imported)
    for doc_id in all_ids:
        restored = show(target, doc_id)
        check("%s: kho show --json the same after the round trip" % doc_id,
              comparable(restored, False) == comparable(shown[doc_id], False),
              [k for k in comparable(restored, False)
               if comparable(restored, False)[k] != comparable(shown[doc_id], False).get(k)])
        check("%s: its history kept, then an import event" % doc_id,
              [e["time"] for e in restored["events"][:-1]] ==
              [e["time"] for e in shown[doc_id]["events"]] and
              restored["events"][-1]["stage"] == "import", restored["events"][-1])
        check("%s: confirmed fields kept" % doc_id,
              restored["confirmed"] == shown[doc_id]["confirmed"], restored["confirmed"])
        name = [s for s, i in ids.items() if i == doc_id][0]
        got = subprocess.run([KHO, "--archive", target, "get", doc_id, "--original"], env=ENV,
                             capture_output=True, check=True).stdout
        check("%s: the original byte-identical" % doc_id,
              got == read_file(os.path.join(ROOT, "sample-scans", name)))
        check("%s: the text the same" % doc_id,
              kho(target, "get", doc_id, "--text").stdout ==
              kho(SOURCE, "get", doc_id, "--text").stdout)
    for query in (["khai giang"], ["ra soat ho so"], ["hoc sinh"], ["--type", "Công văn"],
                  ["--from", "2023"], ["dong goi"]):
        check("search %s: the same results" % " ".join(query),
              search_ids(target, *query) == search_ids(SOURCE, *query),
              (search_ids(target, *query), search_ids(SOURCE, *query)))
    check("search finds the corrected subject", search_ids(target, "dong goi") == [all_ids[0]])
    # The issue's round trip ends with a verification: every file, the trail.
    fixity = json.loads(kho(target, "verify", "--all", "--json").stdout)
    check("round trip: kho verify --all finds every file as it was",
          fixity.get("checked") == fixity.get("ok") == len(all_ids) and
          fixity.get("changed") == fixity.get("missing") == 0 and fixity.get("orphans") == [],
          fixity)
    chain = json.loads(kho(target, "audit", "verify", "--json").stdout)
    check("round trip: the restored history is inside the hash chain", chain.get("ok") is True,
          chain)

    again = [json.loads(line) for line in
             kho(target, "import", "--bagit", bag, "--json").stdout.splitlines()]
    check("import again: duplicates, not copies",
          [(r["status"], r["existing"]) for r in again] == [("duplicate", i) for i in all_ids],
          again)
    db = sqlite3.connect(os.path.join(target, "kho.db"))
    count = db.execute("SELECT count(*) FROM documents").fetchone()[0]
    serial = db.execute("SELECT last FROM serials").fetchall()
    db.close()
    check("import again: no new documents", count == 2, count)
    check("import: the serial raised past the imported IDs",
          serial == [(int(all_ids[-1].rsplit("-", 1)[1]),)], serial)

    # --- refusals: nothing imported
    changed = copy_bag(bag, "changed")
    victim = os.path.join(changed, "data", all_ids[1], "text", "page-0001.txt")
    with open(victim, "r+b") as f:
        byte = f.read(1)
        f.seek(0)
        f.write(bytes([byte[0] ^ 1]))
    refused("a changed byte", changed, "data/%s/text/page-0001.txt" % all_ids[1])

    missing_line = copy_bag(bag, "missing-line")
    manifest = os.path.join(missing_line, "manifest-sha256.txt")
    with open(manifest, encoding="utf-8") as f:
        lines = f.readlines()
    dropped = lines.pop(1).split("  ", 1)[1].strip()
    with open(manifest, "w", encoding="utf-8") as f:
        f.writelines(lines)
    refused("a manifest line removed", missing_line, dropped + ": not listed")

    added = copy_bag(bag, "added")
    with open(os.path.join(added, "data", all_ids[0], "extra.txt"), "w") as f:
        f.write("not in the manifest\n")
    refused("a file added", added, "data/%s/extra.txt: not listed" % all_ids[0])

    traversal = copy_bag(bag, "traversal")
    with open(os.path.join(traversal, "manifest-sha256.txt"), "a", encoding="utf-8") as f:
        f.write("%s  data/../../outside.txt\n" % ("0" * 64))
    refused("a path out of the bag", traversal, "data/../../outside.txt")

    absolute = copy_bag(bag, "absolute")
    with open(os.path.join(absolute, "manifest-sha256.txt"), "a", encoding="utf-8") as f:
        f.write("%s  /etc/passwd\n" % ("0" * 64))
    refused("an absolute path", absolute, "/etc/passwd")

    info = copy_bag(bag, "info")
    with open(os.path.join(info, "bag-info.txt"), "a", encoding="utf-8") as f:
        f.write("Contact-Name: someone else\n")
    refused("a changed tag file", info, "bag-info.txt")

    oxum = copy_bag(bag, "oxum")
    with open(os.path.join(oxum, "bag-info.txt"), encoding="utf-8") as f:
        text = f.read()
    with open(os.path.join(oxum, "bag-info.txt"), "w", encoding="utf-8") as f:
        f.write(re.sub(r"Payload-Oxum: \d+", "Payload-Oxum: 1", text))
    refused("a wrong Payload-Oxum", oxum, "Payload-Oxum")

    proc = kho(os.path.join(TMP, "vi"), "--lang", "vi", "import", "--bagit", changed, status=1)
    check("refused in Vietnamese", "từ chối nhập" in proc.stderr, proc.stderr)

    # --- export subsets and usage
    subset = os.path.join(TMP, "subset")
    kho(SOURCE, "export", "--bagit", subset, "--ids", all_ids[1])
    check("export --ids: that document only",
          os.listdir(os.path.join(subset, "data")) == [all_ids[1]])
    found = os.path.join(TMP, "found")
    kho(SOURCE, "export", "--bagit", found, "--query", "khai giang")
    check("export --query: what the search finds",
          os.listdir(os.path.join(found, "data")) == search_ids(SOURCE, "khai giang"),
          os.listdir(os.path.join(found, "data")))
    proc = kho(SOURCE, "export", "--bagit", bag, "--all", status=1)
    check("export into a non-empty folder refused", "not an empty folder" in proc.stderr,
          proc.stderr)
    kho(SOURCE, "export", "--bagit", os.path.join(TMP, "x"), status=2)
    kho(SOURCE, "export", "--bagit", os.path.join(TMP, "x"), "--all", "--query", "a", status=2)
    kho(SOURCE, "export", "--bagit", os.path.join(TMP, "x"), "--ids", "KHO-2026-999999",
        status=1)
    check("a failed export leaves nothing", not os.path.exists(os.path.join(TMP, "x")))

    # --- backup while kho serve runs and a writer holds a transaction open
    server = subprocess.Popen([KHO, "--archive", SOURCE, "serve", "--port", "0"], env=ENV,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL)
    try:
        ready, _, _ = select.select([server.stdout], [], [], 60)
        line = server.stdout.readline().decode() if ready else ""
        check("kho serve started", line.startswith("listening on"), line)
        writer = sqlite3.connect(os.path.join(SOURCE, "kho.db"), isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO events (time, stage, status) VALUES ('x', 'uncommitted', 'ok')")
        backup = os.path.join(TMP, "backup")
        proc = kho(SOURCE, "backup", backup, "--json", status=None)
        writer.execute("ROLLBACK")
        writer.close()
        check("backup: exit 0 while in use", proc.returncode == 0, proc.stderr)
        summary = json.loads(proc.stdout) if proc.returncode == 0 else {}
        check("backup: counts", summary.get("documents") == 2 and summary.get("originals") == 2
              and summary.get("pdfs") == 2, summary)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    if proc.returncode == 0:
        copy = sqlite3.connect(os.path.join(backup, "kho.db"))
        check("backup: not the uncommitted write",
              copy.execute("SELECT count(*) FROM events WHERE stage = 'uncommitted'")
              .fetchone()[0] == 0)
        copy.close()
        check("backup: kho.conf copied", open(os.path.join(backup, "kho.conf")).read() ==
              open(os.path.join(SOURCE, "kho.conf")).read())
        for query in (["khai giang"], ["ra soat ho so"], ["--type", "Công văn"]):
            check("backup: search %s the same" % " ".join(query),
                  search_ids(backup, *query) == search_ids(SOURCE, *query))
        for doc_id in all_ids:
            name = [s for s, i in ids.items() if i == doc_id][0]
            got = subprocess.run([KHO, "--archive", backup, "get", doc_id, "--original"],
                                 env=ENV, capture_output=True).stdout
            check("backup: %s original byte-identical" % doc_id,
                  got == read_file(os.path.join(ROOT, "sample-scans", name)))
            check("backup: %s the same document" % doc_id,
                  comparable(show(backup, doc_id)) == comparable(show(SOURCE, doc_id)))
        proc = kho(SOURCE, "backup", backup, status=1)
        check("backup into a non-empty folder refused", "not an empty folder" in proc.stderr)
        # A stored file that changed fails the backup, naming it.
        pdf = os.path.join(SOURCE, "pdfa", all_ids[0] + ".pdf")
        os.chmod(pdf, 0o644)
        with open(pdf, "ab") as f:
            f.write(b"%tampered\n")
        proc = kho(SOURCE, "backup", os.path.join(TMP, "backup2"), status=1)
        check("backup: a changed file fails it, named", all_ids[0] in proc.stderr and
              "has changed" in proc.stderr, proc.stderr)
        check("backup: and leaves nothing", not os.path.exists(os.path.join(TMP, "backup2")) and
              [n for n in os.listdir(TMP) if ".tmp-" in n] == [])
        proc = kho(SOURCE, "export", "--bagit", os.path.join(TMP, "bag2"), "--all", status=1)
        check("export: a changed file fails it", "has changed" in proc.stderr and
              not os.path.exists(os.path.join(TMP, "bag2")), proc.stderr)


if __name__ == "__main__":
    run(main, TMP)
