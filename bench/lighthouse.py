"""Lighthouse's mobile preset on the pages consumers and agents open on their phones.

    .venv/bin/python bench/lighthouse.py                  # 3 runs per page, medians printed
    .venv/bin/python bench/lighthouse.py --runs 5 --write-docs

Sets up a server as a deployment runs it (DEBUG off, `collectstatic`, `agentmatch run`:
gunicorn and the worker) on a fresh SQLite database with the demo data, sends one Get
Contacted request over HTTP (for the confirmation and status pages) and logs the demo
agent in (for Manage Referrals), then runs Lighthouse from node_modules (pinned in
package-lock.json) in Debian's Chromium (CHROME_PATH, default /usr/bin/chromium), headless,
N times per page, each a first visit (Lighthouse empties the cache before every run). It
prints the medians as Markdown; --write-docs puts them in docs/benchmarks.md.

Chromium resolves no host name but 127.0.0.1: nothing but loopback is contacted.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import machine, median  # noqa: E402

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
DOCS = ROOT / "docs" / "benchmarks.md"
DOCS_BEGIN = "<!-- lighthouse results: written by bench/lighthouse.py --write-docs -->"
DOCS_END = "<!-- end of lighthouse results -->"
DEMO_LOGIN = ("lucia.demo", "Demo#Agent26")
ATTEMPTS = 3
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    '--host-resolver-rules="MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"',
]
# What each column is, read from Lighthouse's JSON report (lhr).
METRICS: dict[str, tuple[str, Callable[[dict[str, Any]], float]]] = {
    "performance": ("performance", lambda r: r["categories"]["performance"]["score"] * 100),
    "accessibility": ("accessibility", lambda r: r["categories"]["accessibility"]["score"] * 100),
    "fcp_s": ("FCP (s)", lambda r: r["audits"]["first-contentful-paint"]["numericValue"] / 1000),
    "lcp_s": ("LCP (s)", lambda r: r["audits"]["largest-contentful-paint"]["numericValue"] / 1000),
    "tbt_ms": ("TBT (ms)", lambda r: r["audits"]["total-blocking-time"]["numericValue"]),
    "cls": ("CLS", lambda r: r["audits"]["cumulative-layout-shift"]["numericValue"]),
    "kib": ("transferred (KiB)", lambda r: r["audits"]["total-byte-weight"]["numericValue"] / 1024),
    "requests": ("requests", lambda r: len(r["audits"]["network-requests"]["details"]["items"])),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Browser:
    """A tiny cookie-keeping HTTP client for the set-up requests (Python, not Chromium)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": self.cookie_header()}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        return response.status, response.getheader("Location") or "", text

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items() if v)

    def csrf_form(self, path: str) -> str:
        status, _, html = self.request("GET", path)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if status != 200 or not match:
            raise SystemExit(f"GET {path}: {status}, no CSRF token")
        return match.group(1)


def consumer_pages(port: int) -> tuple[Browser, str, str]:
    """Sends Get Contacted as a person would: the confirmation and status pages' paths."""
    consumer = Browser(port)
    token = consumer.csrf_form("/")
    status, location, _ = consumer.request(
        "POST",
        "/",
        {
            "csrfmiddlewaretoken": token,
            "first_name": "Ana",
            "last_name": "Diaz",
            "phone": "608-555-0199",
            "email": "",
            "zip": "53703",
            "language": "es",
            "consent": "yes",
        },
    )
    match = re.fullmatch(r"/request/([0-9a-f-]+)/sent/", location)
    if status != 302 or not match:
        raise SystemExit(f"Get Contacted was not accepted ({status} {location})")
    return consumer, location, f"/status/{match.group(1)}/"


def agent_session(port: int) -> Browser:
    agent = Browser(port)
    token = agent.csrf_form("/accounts/login/")
    username, password = DEMO_LOGIN
    agent.request(
        "POST",
        "/accounts/login/",
        {"csrfmiddlewaretoken": token, "username": username, "password": password},
    )
    status, location, _ = agent.request("GET", "/workspace/")
    if status != 200:
        raise SystemExit(f"the demo agent's /workspace/ answered {status} {location}")
    return agent


def lighthouse(url: str, cookie: str, out: Path) -> dict[str, Any]:
    argv = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        f"--output-path={out}",
        "--only-categories=performance,accessibility",
        "--quiet",
        "--disable-full-page-screenshot",
        f"--chrome-flags={' '.join(CHROME_FLAGS)}",
    ]
    if cookie:  # the session: Chromium starts each run with an empty cookie jar
        argv.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    for _ in range(ATTEMPTS):
        done = subprocess.run(argv, env=env, cwd=ROOT)
        report: dict[str, Any] = json.loads(out.read_text()) if out.exists() else {}
        if done.returncode == 0 and "categories" in report and not report.get("runtimeError"):
            return report
        # Lighthouse's own advice for a trace it could not record (NO_NAVSTART): run again.
        print(f"Lighthouse on {url} failed ({report.get('runtimeError')}); again", flush=True)
    raise SystemExit(f"Lighthouse on {url} failed {ATTEMPTS} times")


def start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "AGENTMATCH_DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir / 'lighthouse.sqlite3'}",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update({k: env[k] for k in ("AGENTMATCH_DATA_DIR", "DATABASE_URL")})
    manage = [sys.executable, "-m", "agentmatch"]
    for command in (
        ["collectstatic", "--no-input"],
        ["migrate", "--no-input"],
        ["load_demo", "--agents", "50"],
    ):
        subprocess.run(
            [*manage, *command], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL
        )
    server = subprocess.Popen(
        [*manage, "run", "--port", str(port), "--web-workers", "2", "--workers", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(data_dir / "server.log", "wb"),  # noqa: SIM115 - lives as long as the server
        process_group=0,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.3)
    server.kill()
    raise SystemExit(f"the server did not start; see {data_dir / 'server.log'}")


def markdown(medians: dict[str, dict[str, float]], runs: int) -> str:
    head = "| page | " + " | ".join(label for label, _ in METRICS.values()) + " |"
    rule = "|---" * (len(METRICS) + 1) + "|"
    rows = []
    for page, figures in medians.items():
        cells = []
        for key in METRICS:
            value = figures[key]
            cells.append(
                f"{value:.3f}"
                if key == "cls"
                else f"{value:.1f}"
                if key.endswith("_s")
                else f"{value:.0f}"
            )
        rows.append(f"| {page} | " + " | ".join(cells) + " |")
    facts = machine()
    note = (
        f"Medians of {runs} runs per page, {facts['date']}, Lighthouse "
        f"{lighthouse_version()} mobile preset (simulated slow 4G, 4x CPU slowdown) in "
        f"{chromium_version()}, {facts['cpus']} CPUs, load average {os.getloadavg()[0]:.1f} "
        "at the end (TBT moves most with it)."
    )
    return "\n".join([note, "", head, rule, *rows])


def lighthouse_version() -> str:
    return subprocess.run(
        [str(LIGHTHOUSE), "--version"], capture_output=True, text=True
    ).stdout.strip()


def chromium_version() -> str:
    chrome = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    return subprocess.run([chrome, "--version"], capture_output=True, text=True).stdout.strip()


def write_docs(table: str) -> None:
    text = DOCS.read_text()
    if DOCS_BEGIN not in text or DOCS_END not in text:
        raise SystemExit(f"{DOCS} has no Lighthouse markers ({DOCS_BEGIN})")
    before, rest = text.split(DOCS_BEGIN, 1)
    _, after = rest.split(DOCS_END, 1)
    DOCS.write_text(f"{before}{DOCS_BEGIN}\n{table}\n{DOCS_END}{after}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page (3)")
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--page", help="only the pages whose name contains this (quick looks)")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        raise SystemExit("node_modules/.bin/lighthouse is missing: run `npm ci` (or make run)")

    data_dir = Path(tempfile.mkdtemp(prefix="am-lighthouse-"))
    port = free_port()
    server = start_server(data_dir, port)
    try:
        consumer, confirmation, status = consumer_pages(port)
        agent = agent_session(port)
        pages = {
            "Get Contacted (/)": ("/", ""),
            "confirmation": (confirmation, consumer.cookie_header()),
            "status": (status, consumer.cookie_header()),
            "Manage Referrals (/workspace/)": ("/workspace/", agent.cookie_header()),
        }
        medians: dict[str, dict[str, float]] = {}
        for name, (path, cookie) in pages.items():
            if args.page and args.page not in name:
                continue
            samples: dict[str, list[float]] = {key: [] for key in METRICS}
            slug = re.sub(r"[^a-z]+", "-", name.lower()).strip("-")
            for n in range(args.runs):
                report = lighthouse(
                    f"http://127.0.0.1:{port}{path}", cookie, data_dir / f"{slug}-{n}.json"
                )
                for key, (_, read) in METRICS.items():
                    samples[key].append(read(report))
            medians[name] = {key: median(values) for key, values in samples.items()}
            print(
                f"{name}: " + json.dumps({k: round(v, 3) for k, v in medians[name].items()}),
                flush=True,
            )
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=30)
    print(f"Lighthouse reports (JSON): {data_dir}")
    table = markdown(medians, args.runs)
    print(table)
    if args.write_docs:
        write_docs(table)
        print(f"written to {DOCS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
