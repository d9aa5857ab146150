"""
test_zh_catalogue.py - no error message goes untranslated: scripts/check_zh.py
--strict passes, i.e. every message format raised in server/ has its Chinese
template in server/lib/zh_catalogue.c, and every question, evidence figure and scene
of schemas/instruments/ and every scenario of the taxonomy has its Chinese
name there (docs/api.md, "Errors in Chinese").  A new message without a
template fails `make test` here, naming the format and its file.
"""

import os
import subprocess

import lib

SCRIPT = os.path.join(lib.REPO, "scripts", "check_zh.py")


def test_every_message_has_a_chinese_template():
    p = subprocess.run(["/usr/bin/python3", SCRIPT, "--strict"], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, "scripts/check_zh.py --strict failed (exit %d):\n%s%s" % (
        p.returncode, p.stdout, p.stderr)
    assert "check_zh: 0 message formats without a Chinese template" in p.stdout, p.stdout
