"""Load on ``newssearch serve``: concurrent clients over mixed queries, page and API latencies.

Starts the real server (``python -m newssearch.cli serve``, uvicorn) on a free port over an
index folder, waits for it, then:

* ``burst``: N requests sent at once (one thread each), every one a different query, half
  search pages and half ``/api/search`` calls (what `corpus/` must answer: 40, p95 <= 1 s);
* ``clients``: C clients (threads with a kept-alive connection each), each sending R requests
  one after the other, over a mix of queries (1-2 words, phrases, person and date filters,
  sorts, page 2, comparisons): every request a query not asked before (``distinct``, the
  searcher computes everything), then the same mix again (``repeated``, as when many readers
  look at the same stories: answers are kept per index generation).

Latencies are measured by the clients (wall clock, the whole HTTP exchange) and reported as
median, p95 and max per kind (page, api), with the load average of the machine before and
after. Nothing is downloaded; the index is only read.

    .venv/bin/python bench/web_load.py --index /work/data/ix100k --clients 10 --requests 30 \\
        --out bench/results/web-load.md --label "remix 100k"
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

WORDS = [
    "election", "president", "police", "government", "minister", "oil", "prices", "bank", "market", "football", "court",
    "war", "china", "trade", "health", "hospital", "army", "talks", "shares", "company", "union", "strike", "budget", "tax",
    "school", "fire", "storm", "flood", "parliament", "vote", "peace", "rebels", "airline", "energy", "gas", "coal",
    "rugby", "cricket", "music", "film", "climate", "internet", "software", "profit", "loss", "drug", "murder", "trial",
    "refugees", "border", "nuclear", "missile", "embassy", "protest", "inflation", "interest", "dollar", "euro", "gold",
    "wheat", "farmers", "ship", "port", "rail", "crash", "earthquake", "virus", "vaccine", "olympic", "champion",
]
PHRASES = ['"prime minister"', '"interest rates"', '"oil prices"', '"world cup"', '"security council"', '"stock market"']


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(index: str, port: int, workers: int | None = None) -> subprocess.Popen[bytes]:
    src = Path(__file__).resolve().parent.parent / "src"
    env = dict(os.environ, PYTHONPATH=f"{src}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    options = ["--workers", str(workers)] if workers is not None else []
    return subprocess.Popen([sys.executable, "-m", "newssearch.cli", "serve", "--index", index, "--port", str(port), *options], env=env)


def get(conn: http.client.HTTPConnection, path: str) -> tuple[int, float, float | None]:
    """Status, seconds, and the server's CPU seconds (its Server-Timing header) of one request."""
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    took = time.perf_counter() - started
    timing = {
        part.split(";dur=")[0].strip(): float(part.split(";dur=")[1]) for part in (response.getheader("server-timing") or "").split(",") if ";dur=" in part
    }
    if response.status != 200:
        print(f"{response.status} {path}", file=sys.stderr)
    return response.status, took, timing["cpu"] / 1000 if "cpu" in timing else None


#: What the server reads as it starts (see ``create_app(warm=True)``): the home page (every
#: facet over every article) and a date filter. The load starts once both answer.
WARMED = ("/", "/?q=news&since=2000&until=2000")


def wait_ready(port: int, seconds: float = 600) -> float:
    """Seconds until the server answers the pages it warms as it starts."""
    started = time.perf_counter()
    waiting = list(WARMED)
    while waiting and time.perf_counter() - started < seconds:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            status, _, _ = get(conn, waiting[0])
            conn.close()
            if status == 200:
                waiting.pop(0)
                continue
        except OSError:
            pass
        time.sleep(0.5)
    if waiting:
        raise SystemExit("the server did not answer")
    return time.perf_counter() - started


def mix(n: int, seed: int, people: list[str]) -> list[str]:
    """``n`` different requests: pages and API calls over varied queries and options."""
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        shape = rng.random()
        if shape < 0.45:
            q = rng.choice(WORDS)
        elif shape < 0.8:
            q = " ".join(rng.sample(WORDS, 2))
        else:
            q = rng.choice(PHRASES)
        params: list[tuple[str, str]] = [("q", q)]
        extra = rng.random()
        if extra < 0.15 and people:
            params.append(("person", rng.choice(people)))
        elif extra < 0.3:
            year = rng.choice(["1987", "1996", "2004", "2005", "2006", "2019"])
            params += [("since", year), ("until", year)]
        elif extra < 0.4:
            params.append(("sort", "newest"))
        elif extra < 0.5:
            params.append(("page", "2"))
        kind = rng.random()
        if kind < 0.5:
            path = "/?" + urlencode(params)
        elif kind < 0.95:
            api = [("facet", "people"), ("facet", "source"), ("histogram", "month")] if rng.random() < 0.5 else []
            path = "/api/search?" + urlencode(params + api)
        else:
            path = "/compare?" + urlencode([("q", q), ("q", rng.choice(WORDS))])
        if path not in seen:
            seen.add(path)
            out.append(path)
    return out


def kind_of(path: str) -> str:
    return "api" if path.startswith("/api/") else "page"


Result = tuple[str, int, float, "float | None"]


def run_clients(port: int, paths: list[str], clients: int) -> list[Result]:
    """``clients`` threads share out ``paths`` (each takes the next one not sent yet)."""
    results: list[Result] = []
    lock = threading.Lock()
    queue = list(reversed(paths))

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with lock:
                if not queue:
                    break
                path = queue.pop()
            try:
                status, seconds, cpu = get(conn, path)
            except OSError:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                status, seconds, cpu = 0, float("nan"), None
            with lock:
                results.append((path, status, seconds, cpu))
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def burst(port: int, paths: list[str]) -> list[Result]:
    """Every path at once, one connection each, released together."""
    results: list[Result] = []
    lock = threading.Lock()
    gate = threading.Barrier(len(paths))

    def one(path: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.connect()
        gate.wait()
        try:
            status, seconds, cpu = get(conn, path)
        except OSError:
            status, seconds, cpu = 0, float("nan"), None
        conn.close()
        with lock:
            results.append((path, status, seconds, cpu))

    threads = [threading.Thread(target=one, args=(p,)) for p in paths]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def summary(name: str, results: list[Result]) -> list[str]:
    rows = []
    for kind in ("page", "api", "all"):
        got = [(s, t) for p, s, t, _ in results if kind == "all" or kind_of(p) == kind]
        if not got:
            continue
        ok = [t * 1000 for s, t in got if s == 200]
        failed = len(got) - len(ok)
        statuses = ", ".join(f"{n}×{s}" for s, n in sorted(Counter(s for s, _ in got if s != 200).items()))
        cpu = [c * 1000 for p, s, _, c in results if (kind == "all" or kind_of(p) == kind) and c is not None and s == 200]
        cpu_text = f"{statistics.median(cpu):.0f} / {percentile(cpu, 95):.0f}" if cpu else "-"
        rows.append(
            f"| {name} | {kind} | {len(got)} | {failed}{' (' + statuses + ')' if statuses else ''} | {statistics.median(ok):.0f} | "
            f"{percentile(ok, 95):.0f} | {max(ok):.0f} | {cpu_text} |"
            if ok else f"| {name} | {kind} | {len(got)} | {failed} | - | - | - | - |"
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", required=True, help="index folder (read only)")
    ap.add_argument("--clients", type=int, default=10)
    ap.add_argument("--requests", type=int, default=30, help="requests per client")
    ap.add_argument("--burst", type=int, default=0, help="also send this many requests at once")
    ap.add_argument("--workers", type=int, default=None, help="search processes (newssearch serve --workers; default: serve's own)")
    ap.add_argument("--seed", type=int, default=21)
    ap.add_argument("--label", default="")
    ap.add_argument("--out", help="append the table to this Markdown file")
    args = ap.parse_args()

    port = free_port()
    load_before = os.getloadavg()
    server = start_server(args.index, port, args.workers)
    try:
        ready = wait_ready(port)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.request("GET", "/api/people?limit=30")
        people = [p["name"] for p in json.loads(conn.getresponse().read())["people"]]
        conn.close()
        rows: list[str] = []
        if args.burst:
            shots = burst(port, mix(args.burst, args.seed + 1, people))
            rows += summary(f"burst of {args.burst}", shots)
        paths = mix(args.clients * args.requests, args.seed, people)
        started = time.perf_counter()
        distinct = run_clients(port, paths, args.clients)
        took = time.perf_counter() - started
        repeated = run_clients(port, random.Random(args.seed).sample(paths, len(paths)), args.clients)
        load_after = os.getloadavg()
        rows += summary(f"{args.clients} clients, distinct", distinct)
        rows += summary(f"{args.clients} clients, repeated", repeated)
    finally:
        server.terminate()
        server.wait(30)
    head = [
        "",
        f"### {args.label or args.index}: {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC",
        "",
        f"`bench/web_load.py --index {args.index} --clients {args.clients} --requests {args.requests}"
        + (f" --workers {args.workers}" if args.workers is not None else "")
        + (f" --burst {args.burst}" if args.burst else "") + "`; "
        f"server ready (facet tables read) in {ready:.1f} s; {len(paths)} distinct requests in {took:.1f} s "
        f"({len(paths) / took:.1f}/s); load average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
        f"({os.cpu_count()} cores).",
        "",
        "| run | kind | requests | failed | median ms | p95 ms | max ms | server CPU ms median / p95 |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    text = "\n".join(head + rows) + "\n"
    print(text)
    if args.out:
        with open(args.out, "a", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
