#!/usr/bin/env python3
"""timeit.py OUT CMD...: run CMD (its stdout and stderr untouched) and write to OUT
"wall-seconds peak-RSS-kB cpu-seconds". Wall time is taken here with millisecond
resolution (GNU time's %e has only hundredths, too coarse for commands that take a few
hundredths); peak RSS and CPU come from GNU time, which runs CMD itself, so that the
figures are CMD's alone (a child forked from Python would report Python's memory).
Exits with CMD's status."""
import os, subprocess, sys, tempfile, time

out, cmd = sys.argv[1], sys.argv[2:]
with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
    t0 = time.perf_counter()
    status = subprocess.call(["/usr/bin/time", "-f", "%M %U %S", "-o", tf.name] + cmd)
    wall = time.perf_counter() - t0
    line = tf.read().strip().splitlines()[-1].split()
kb, user, system = int(line[0]), float(line[1]), float(line[2])
with open(out, "w") as f:
    f.write("%.4f %d %.2f\n" % (wall, kb, user + system))
sys.exit(status)
