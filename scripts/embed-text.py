#!/usr/bin/env python3
"""Embed a text file as a C string constant: embed-text.py NAME IN OUT."""
import sys

name, src, dst = sys.argv[1:4]
with open(src, encoding="utf-8") as f:
    text = f.read()
with open(dst, "w", encoding="utf-8") as out:
    out.write("/* generated from %s by scripts/embed-text.py; do not edit */\n#pragma once\n" % src.split("/")[-1])
    out.write("static const char %s[] =\n" % name)
    for line in text.splitlines(keepends=True):
        esc = line.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        out.write('  "%s"\n' % esc)
    out.write(";\n")
