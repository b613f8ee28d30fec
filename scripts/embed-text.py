#!/usr/bin/env python3
"""Embed a text file as a C string constant: embed-text.py NAME IN OUT.

Short texts become a string literal; long ones an array of bytes, since
ISO C compilers need only support string literals of 4095 characters
(-Woverlength-strings)."""
import sys

name, src, dst = sys.argv[1:4]
with open(src, encoding="utf-8") as f:
    text = f.read()
with open(dst, "w", encoding="utf-8") as out:
    out.write("/* generated from %s by scripts/embed-text.py; do not edit */\n#pragma once\n" % src.split("/")[-1])
    data = text.encode("utf-8")
    if len(data) < 4000:
        out.write("static const char %s[] =\n" % name)
        for line in text.splitlines(keepends=True):
            esc = line.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            out.write('  "%s"\n' % esc)
        out.write(";\n")
    else:
        out.write("static const char %s[] = {\n" % name)
        for i in range(0, len(data), 16):
            out.write("  " + ", ".join("'\\x%02x'" % b for b in data[i:i + 16]) + ",\n")
        out.write("  '\\0'\n};\n")
