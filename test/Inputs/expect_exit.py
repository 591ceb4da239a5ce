#!/usr/bin/env python3
"""Runs a command and succeeds only if it exits with the given status.

`not` accepts any failing status; diagnostics tests also pin the status (1)
and that the program did not die from a signal (a crash)."""
import subprocess
import sys

want = int(sys.argv[1])
proc = subprocess.run(sys.argv[2:])
if proc.returncode != want:
    sys.stderr.write(f"expect_exit: {sys.argv[2]} exited with {proc.returncode}, wanted {want}\n")
    sys.exit(1)
