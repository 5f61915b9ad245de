"""An interactive explorer: a local web page with sliders for the main levers.

    python3 -m geosim_analysis explore [--port P] [--no-browser] [--scenarios DIR]

Serves http://127.0.0.1:P/ (the standard library's http.server; plotly.js
from Debian's python3-plotly, served from this machine). The modeler picks a
scenario, moves the sliders, and the page runs it (in process through
``geosim.run`` when the module is importable, else the ``geosim`` command:
:mod:`geosim_analysis.runner`) in a worker thread and redraws trade shares,
leverage, the crude discount, the settlement mix and caution, with the
baseline for reference (dashed). Runs are cached by (scenario, overrides).

Each lever is one entry of :data:`LEVERS`: the key path it sets, its range
and unit. A lever whose key the picked scenario does not have (an event it
lacks, a horizon that ends before the oil-price assumption) is disabled;
its default is the scenario's own value, read from the resolved scenario of
the run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import tempfile
import threading
import time
import webbrowser
from collections import OrderedDict
from dataclasses import dataclass, asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import numpy as np

from . import figure_marks, runner
from .io import scenario_of

PLOTLY_JS = ("/usr/share/python3-plotly/plotly.js",  # Debian's python3-plotly
             "/usr/lib/python3/dist-packages/plotly/package_data/plotly.min.js")
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@dataclass(frozen=True)
class Lever:
    """One slider. ``key``: the scenario key path it sets (as --set), or a
    special kind: ``oil`` (the crude price after the history end),
    ``big_banks`` (a bank_withdrawal event of China's big state banks, added
    by an overlay scenario). ``kind``: range, toggle or month."""
    name: str
    label: str
    key: str
    kind: str = "range"
    min: float = 0.0
    max: float = 1.0
    step: float = 0.05
    unit: str = ""
    default: float | None = None   # the loader's default, when the resolved scenario omits the key


LEVERS = [
    Lever("secondary_banks", "US secondary sanctions on banks (EO 14114, from 2024-06)",
          "events[eo14114_widened].intensity", unit="enforcement intensity, 0 to 1"),
    Lever("secondary_firms", "US secondary sanctions on firms (designations of 2024-10)",
          "events[designations_2024_10].intensity", unit="enforcement intensity, 0 to 1"),
    Lever("price_cap", "G7 price cap on Russian crude", "events[crude_price_cap].cap",
          min=20, max=100, step=5, unit="USD per barrel"),
    Lever("embargo_on", "EU crude embargo in force", "events[eu_crude_embargo].intensity", kind="toggle",
          unit="share of EU crude buyers it binds"),
    Lever("embargo_start", "EU crude embargo starts", "events[eu_crude_embargo].start", kind="month",
          min=0, max=59, step=1, unit="month (from 2022-03)"),
    Lever("big_banks", "China's big state banks refuse Russian payments (from 2024-01)", "big_banks",
          unit="share of refusal, 0 to 1"),
    Lever("risk_tolerance", "Firms' risk tolerance (multiple of the drawn tolerance)",
          "parameters.risk.tolerance_scale", min=0.2, max=3.0, step=0.1, unit="× the drawn tolerance",
          default=1.0),
    Lever("oil_price", "Brent crude price after 2024", "oil", min=30, max=130, step=5, unit="USD per barrel"),
]
EMBARGO_FIRST = np.datetime64("2022-03", "M")
BIG_BANKS_START = "2024-01"


# ---------------------------------------------------------------------------
# Levers against a resolved scenario


def _select(items, selector):
    if selector.isdigit():
        i = int(selector)
        return items[i] if i < len(items) else None
    for item in items:
        if isinstance(item, dict) and selector in (item.get("id"), item.get("code"), item.get("name")):
            return item
    return None


def lookup(tree, key: str):
    """The value at a --set key path (``events[crude_price_cap].cap``) in a
    resolved scenario dict, or None when there is none."""
    node = tree
    for part in key.split("."):
        m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[[^\]]+\])*)", part)
        if not m or not isinstance(node, dict) or m.group(1) not in node:
            return None
        node = node[m.group(1)]
        for sel in re.findall(r"\[([^\]]+)\]", m.group(2)):
            if not isinstance(node, list):
                return None
            node = _select(node, sel)
            if node is None:
                return None
    return node


def _month(value) -> str:
    return str(value)[:7]


def _crude_prices(resolved):
    sector = _select(resolved.get("sectors", []), "crude") if isinstance(resolved, dict) else None
    price = sector.get("price") if isinstance(sector, dict) else None
    return price if isinstance(price, list) else None


def lever_defaults(resolved: dict) -> dict:
    """For each lever: {"available": bool, "value": the scenario's value,
    "why": why it is disabled}."""
    out = {}
    horizon_end = _month(lookup(resolved, "horizon.end") or "")
    for lever in LEVERS:
        value, why = None, ""
        if lever.key == "oil":
            prices = _crude_prices(resolved)
            after = [p for p in prices or [] if isinstance(p, list) and _month(p[0]) > figure_marks.HISTORY_END]
            if horizon_end <= figure_marks.HISTORY_END:
                why = f"the horizon ends {horizon_end}, before the projection"
            elif not after:
                why = "the crude price is not a dated path"
            else:
                value = float(after[-1][1])
        elif lever.key == "big_banks":
            value = 0.0
            if horizon_end < BIG_BANKS_START:
                value, why = None, f"the horizon ends {horizon_end}"
        elif lever.kind == "toggle":
            v = lookup(resolved, lever.key)
            value = None if v is None else bool(float(v) > 0)
        elif lever.kind == "month":
            v = lookup(resolved, lever.key)
            if v is not None:
                value = int((np.datetime64(_month(v), "M") - EMBARGO_FIRST).astype(int))
                value = min(max(value, int(lever.min)), int(lever.max))
        else:
            v = lookup(resolved, lever.key)
            if v is None:
                v = lever.default
            value = None if v is None else float(v)
        if value is None and not why:
            why = f"the scenario has no {lever.key}"
        out[lever.name] = {"available": value is not None, "value": value, "why": why}
    return out


def overrides_of(resolved: dict, values: dict) -> tuple[dict, float]:
    """--set overrides for the lever values that differ from the scenario's,
    and the big banks' refusal share (0: no overlay)."""
    defaults = lever_defaults(resolved)
    levers = {lv.name: lv for lv in LEVERS}
    sets, big_banks = {}, 0.0
    for name, value in values.items():
        if name not in levers:
            raise ValueError(f"unknown lever {name!r}; expected one of: {', '.join(levers)}")
        d = defaults[name]
        if not d["available"] or value is None or value == d["value"]:
            continue
        lever = levers[name]
        if lever.key == "big_banks":
            big_banks = float(value)
        elif lever.key == "oil":
            prices = _crude_prices(resolved)
            points = [f"[{p[0]}, {float(value) if _month(p[0]) > figure_marks.HISTORY_END else p[1]}]"
                      for p in prices]
            sets["sectors[crude].price"] = "[" + ", ".join(points) + "]"
        elif lever.kind == "toggle":
            on = lookup(resolved, lever.key)
            sets[lever.key] = (on if float(on) > 0 else 0.9) if value else 0
        elif lever.kind == "month":
            sets[lever.key] = str(EMBARGO_FIRST + np.timedelta64(int(value), "M"))
        else:
            sets[lever.key] = float(value)
    return sets, big_banks


# ---------------------------------------------------------------------------
# What the page draws


def _series(da) -> list:
    """Values for JSON, rounded to 6 significant digits; NaN -> null (a gap)."""
    out = []
    for v in np.asarray(da, float).ravel():
        out.append(None if not math.isfinite(v) else float(f"{v:.6g}"))
    return out


def page_data(ds) -> dict:
    """The series the page plots, in percent (null where undefined):
    partners' shares of Russia's trade, China's leverage over Russia, the
    discount on Russian crude sold to China (months with such trade), the
    settlement currencies of Russia-China trade, and the caution of China's
    machinery firms and banks."""
    from . import metrics
    partners = [p for p in ("CHN", "EU", "USA", "IND", "TUR") if p in ds["partner"].values.tolist()]
    mix = metrics.settlement_mix(ds, "RUS", "CHN")
    out = {
        "time": [str(t)[:7] for t in ds["time"].values.astype("datetime64[M]")],
        "shares": {p: _series(100 * metrics.partner_share(ds, "RUS", p)) for p in partners},
        "leverage": {"CHN over RUS": _series(100 * metrics.leverage(ds, "CHN", "RUS"))},
        "discount": {"RUS crude to CHN": _series(100 * metrics.discount_path(ds, "RUS", "CHN", "crude",
                                                                            traded_only=True))},
        "settlement": {c: _series(100 * mix.sel(currency=c)) for c in mix["currency"].values.tolist()},
        "caution": {"CHN machinery firms": _series(100 * ds["cautious_share"].sel(
                        state="CHN", sector="machinery_electronics")),
                    "CHN banks": _series(100 * metrics.cautious_shares(ds, "CHN")["banks"])},
    }
    month, value = figure_marks.headline(ds)
    out["headline"] = figure_marks.headline_text(month, value)
    return out


# ---------------------------------------------------------------------------
# Runs: cached, one at a time in a worker thread


class Runs:
    """Runs scenarios in a worker thread and caches the results (the last
    ``size`` distinct runs). ``submit`` returns a job id; ``job`` its state."""

    def __init__(self, scenarios: dict, baseline: str, geosim=None, threads=None, size: int = 24):
        self.scenarios = scenarios          # name -> path
        self.baseline = baseline            # name of the reference scenario
        self.geosim, self.threads = geosim, threads
        self.cache: OrderedDict = OrderedDict()
        self.resolved: dict = {}            # scenario name -> resolved dict
        self.jobs: dict = {}
        self.durations: dict = {}           # scenario name -> seconds of the last run
        self.lock = threading.Lock()
        self.run_lock = threading.Lock()    # one engine run at a time
        self.next_id = 0
        self.size = size
        self.tmp = tempfile.mkdtemp(prefix="geosim-explore-")

    def _run(self, name: str, sets: dict, big_banks: float):
        path = self.scenarios[name]
        if big_banks > 0:  # an overlay scenario adds the big banks' withdrawal
            path = os.path.join(self.tmp, f"{name}_big_banks.yaml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(f"schema_version: 1\nbase: {json.dumps(os.path.abspath(self.scenarios[name]))}\n"
                        f"name: {name}_big_banks\nevents:\n"
                        f"  - {{id: explorer_big_banks, kind: bank_withdrawal, start: {BIG_BANKS_START}, "
                        f"by: CHN, target: RUS, banks: big_state_banks, intensity: {big_banks:g}}}\n")
        return runner.run(path, set=sets, threads=self.threads, geosim=self.geosim)

    def result(self, name: str, levers: dict | None = None) -> dict:
        """Runs (or takes from the cache) scenario ``name`` with lever values; returns the page data."""
        if name not in self.scenarios:
            raise ValueError(f"unknown scenario {name!r}")
        sets, big_banks = ({}, 0.0)
        if levers:
            resolved = self.resolved.get(name) or self._resolve(name)
            sets, big_banks = overrides_of(resolved, levers)
        key = (name, tuple(sorted((k, str(v)) for k, v in sets.items())), big_banks)
        with self.lock:
            if key in self.cache:
                self.cache.move_to_end(key)
                return self.cache[key]
        with self.run_lock:
            with self.lock:  # made by a job that held the engine while this one waited
                if key in self.cache:
                    return self.cache[key]
            start = time.monotonic()
            ds = self._run(name, sets, big_banks)
            self.durations[name] = time.monotonic() - start
        resolved = scenario_of(ds)
        if not sets and big_banks == 0:
            self.resolved[name] = resolved
        data = page_data(ds)
        data.update(scenario=name, overrides=sets, big_banks=big_banks, seconds=round(self.durations[name], 2),
                    levers=lever_defaults(self.resolved.get(name) or resolved))
        with self.lock:
            self.cache[key] = data
            while len(self.cache) > self.size:
                self.cache.popitem(last=False)
        return data

    def _resolve(self, name):
        self.result(name)
        return self.resolved[name]

    def submit(self, name: str, levers: dict | None) -> int:
        with self.lock:
            job = self.next_id
            self.next_id += 1
            self.jobs[job] = {"state": "running", "started": time.monotonic(), "scenario": name,
                              "expected": self.durations.get(name)}

        def work():
            try:
                data = self.result(name, levers)
                update = {"state": "done", "result": data}
            except Exception as e:  # reported on the page, not fatal to the server
                update = {"state": "error", "error": str(e)}
            with self.lock:
                self.jobs[job].update(update, finished=time.monotonic())

        threading.Thread(target=work, daemon=True).start()
        return job

    def job(self, job: int) -> dict:
        with self.lock:
            j = dict(self.jobs[job])
        end = j.pop("finished", None) or time.monotonic()
        j["elapsed"] = round(end - j.pop("started"), 2)
        return j


# ---------------------------------------------------------------------------
# The server


def _plotly_js() -> bytes:
    for path in PLOTLY_JS:
        if os.path.exists(path):
            with open(path, "rb") as f:
                return f.read()
    raise FileNotFoundError("plotly.js not found: install Debian's python3-plotly (scripts/install-deps.sh)")


def _handler(runs: Runs, page: bytes, plotly: bytes):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _send(self, code, body: bytes, kind="application/json"):
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _json(self, code, value):
            self._send(code, json.dumps(value, allow_nan=False).encode())

        def do_GET(self):
            url = urlparse(self.path)
            if url.path == "/":
                return self._send(200, page, "text/html; charset=utf-8")
            if url.path == "/plotly.js":
                return self._send(200, plotly, "application/javascript")
            if url.path == "/api/scenarios":
                return self._json(200, {"scenarios": list(runs.scenarios), "baseline": runs.baseline,
                                        "levers": [asdict(lv) for lv in LEVERS],
                                        "sanctions": figure_marks.SANCTIONS,
                                        "history_end": figure_marks.HISTORY_END,
                                        "in_process": runner.in_process()})
            if url.path == "/api/job":
                q = parse_qs(url.query)
                try:
                    return self._json(200, runs.job(int(q["id"][0])))
                except (KeyError, ValueError):
                    return self._json(404, {"error": "no such job"})
            self._json(404, {"error": "not found"})

        def do_POST(self):
            if urlparse(self.path).path != "/api/run":
                return self._json(404, {"error": "not found"})
            try:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                name = body["scenario"]
                if name not in runs.scenarios:
                    raise ValueError(f"unknown scenario {name!r}")
                job = runs.submit(name, body.get("levers") or None)
            except (KeyError, ValueError, json.JSONDecodeError) as e:
                return self._json(400, {"error": str(e)})
            self._json(200, {"job": job})

    return Handler


def find_scenarios(folder) -> dict:
    """Scenario files (*.yaml with schema_version) in ``folder``: name (stem) -> path."""
    out = {}
    for f in sorted(os.listdir(folder)):
        path = os.path.join(folder, f)
        if f.endswith((".yaml", ".yml")) and os.path.isfile(path):
            with open(path, encoding="utf-8") as fh:
                if re.search(r"^schema_version:", fh.read(), re.M):
                    out[os.path.splitext(f)[0]] = path
    return out


def serve(port: int = 8050, scenarios_dir=None, baseline=None, geosim=None, threads=None):
    """Starts the server on 127.0.0.1:``port`` (0: any free port) in a
    background thread; returns (server, url). Stop it with server.shutdown()."""
    folder = scenarios_dir or os.path.join(REPO, "scenarios")
    scenarios = find_scenarios(folder)
    if not scenarios:
        raise FileNotFoundError(f"{folder}: no scenario files")
    baseline = baseline or ("baseline" if "baseline" in scenarios else next(iter(scenarios)))
    if baseline not in scenarios:
        raise ValueError(f"baseline {baseline!r} is not among the scenarios in {folder}: {', '.join(scenarios)}")
    runs = Runs(scenarios, baseline, geosim=geosim, threads=threads)
    with open(os.path.join(os.path.dirname(__file__), "explore.html"), "rb") as f:
        page = f.read()
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(runs, page, _plotly_js()))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m geosim_analysis explore",
                                 description="A local web page with sliders for the main levers; "
                                             "runs scenarios in process and redraws.")
    ap.add_argument("--port", type=int, default=8050, help="port on 127.0.0.1 (default 8050; 0: any free)")
    ap.add_argument("--no-browser", action="store_true", help="do not open a browser")
    ap.add_argument("--scenarios", default=None, help="folder of scenario files (default: the repository's scenarios/)")
    ap.add_argument("--baseline", default=None, help="the reference scenario's name (default: baseline)")
    ap.add_argument("--geosim", default=None, help="geosim binary when the Python module is not importable")
    ap.add_argument("--threads", type=int, default=None, help="engine threads per run (default: all cores)")
    args = ap.parse_args(argv)
    server, url = serve(args.port, args.scenarios, args.baseline, args.geosim, args.threads)
    print(f"geosim explorer on {url} (Ctrl-C stops it)", flush=True)
    if not args.no_browser:
        webbrowser.open(url)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.shutdown()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
