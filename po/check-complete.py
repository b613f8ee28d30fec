#!/usr/bin/env python3
"""check-complete.py — every message marked in po/POTFILES.in has a translation.

Usage: check-complete.py XGETTEXT MSGCMP SOURCE_ROOT LANG.po
Extracts the marked strings as `ninja kho-pot` does (glib preset keywords),
then msgcmp fails on any msgid the catalogue lacks or leaves untranslated.
"""
import os
import subprocess
import sys
import tempfile

xgettext, msgcmp, root, po = sys.argv[1:5]
keywords = ['--keyword=_', '--keyword=N_', '--keyword=C_:1c,2', '--keyword=NC_:1c,2',
            '--keyword=g_dngettext:2,3', '--keyword=ngettext:1,2']
with tempfile.TemporaryDirectory() as tmp:
    pot = os.path.join(tmp, 'kho.pot')
    subprocess.run([xgettext, '--from-code=UTF-8', '--package-name=kho', *keywords,
                    '--directory=' + root, '--files-from=' + os.path.join(root, 'po', 'POTFILES.in'),
                    '--output=' + pot], check=True)
    sys.exit(subprocess.run([msgcmp, po, pot]).returncode)
