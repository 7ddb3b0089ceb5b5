"""Index one corpus folder and report the rate, the CPU time and the peak memory of each process.

    .venv/bin/python bench/format_rates.py FOLDER [--workers 2] [-- extra newssearch index options]
    .venv/bin/python bench/format_rates.py --export INDEX [--query QUERY]
    .venv/bin/python bench/format_rates.py --read FILE     # the reader alone, in this process

Runs ``newssearch index FOLDER --index TMP --json`` (or ``newssearch export QUERY --index INDEX
-o /dev/null``) as a child process, and while it runs reads the peak resident memory
(``VmHWM``) of the indexer and of each worker from ``/proc`` (Linux). Prints one Markdown table
row: articles, skipped, wall seconds, articles/s, CPU seconds of the whole process tree
(user+sys), CPU ms per article (all processes, and the indexer alone: the serial part, which
bounds the rate however many workers there are), peak RSS of the indexer and of the largest
worker, and the load average. CPU time
moves less with other work on a shared machine than wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _hwm(pid: int) -> int:
    """Peak resident memory of ``pid`` in KiB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu(pid: int) -> float:
    """CPU seconds (user+sys) ``pid`` has used so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            text = Path(f"/proc/{pid}/task/{task}/children").read_text().split()
            found.extend(int(t) for t in text)
    except OSError:
        pass
    return found


def run(command: list[str]) -> tuple[subprocess.CompletedProcess[str], float, float, int, int, float]:
    """Run ``command``; return it, wall s, CPU s of the tree, peak KiB of it and of its largest
    child, and the CPU s of the process itself (the indexer, without its workers: what runs
    serially), as last read before it ended."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    main_peak, child_peak, main_cpu = 0, 0, 0.0
    while proc.poll() is None:
        main_peak = max(main_peak, _hwm(proc.pid))
        main_cpu = max(main_cpu, _cpu(proc.pid))
        for child in _children(proc.pid):
            child_peak = max(child_peak, _hwm(child))
        time.sleep(0.25)
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return subprocess.CompletedProcess(command, proc.returncode, out, err), wall, cpu, main_peak, child_peak, main_cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--export", metavar="INDEX", help="time an export of every match from INDEX instead")
    parser.add_argument("--query", default="")
    parser.add_argument("--read", metavar="FILE", help="read FILE with its reader (iter_file) in this process: CPU s and peak RSS")
    parser.add_argument("extra", nargs="*")
    args = parser.parse_args(argv)
    exe = str(Path(sys.executable).with_name("newssearch"))
    load = os.getloadavg()[0]
    if args.read:
        from newssearch.ingest import discover, iter_file

        (file,) = discover([args.read]).files
        start = time.process_time()
        count = sum(1 for item in iter_file(file) if not isinstance(item, Exception))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"| read {args.read} | {count:,} | {time.process_time() - start:.1f} | {peak:.0f} | {load:.1f} |")
        return 0
    if args.export:
        done, wall, cpu, main_peak, _, _ = run([exe, "export", args.query, "--index", args.export, "-o", "/dev/null", "--fields",
                                              "id,title,published,source,url,authors,people"])
        count = int(subprocess.run([exe, "query", args.query, "--count", "--index", args.export], capture_output=True, text=True, check=True).stdout)
        print(f"| export {args.query!r} | {count:,} | {wall:.1f} | {count / wall:,.0f} | {cpu:.1f} | {main_peak / 1024:.0f} | {load:.1f} |")
        return done.returncode
    with tempfile.TemporaryDirectory(prefix="fmt-ix-") as tmp:
        command = [exe, "index", args.folder, "--index", tmp, "--json", "--workers", str(args.workers), *args.extra]
        done, wall, cpu, main_peak, child_peak, main_cpu = run(command)
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return done.returncode
        report = json.loads(done.stdout)
    articles = report["added"]
    print(f"| {args.folder} | {articles:,} | {report['skipped_count']:,} | {wall:.0f} | {articles / wall:.1f} | {cpu:.1f} | "
          f"{1000 * cpu / max(articles, 1):.1f} | {1000 * main_cpu / max(articles, 1):.1f} | {main_peak / 1024:.0f} | "
          f"{child_peak / 1024:.0f} | {load:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
