"""The explorer in a real browser (headless Chromium, tests/browser/explorer.js):
moving the price-cap slider redraws the discount chart with the values the
engine computes for that cap, which differ from the scenario's own.

Runs the reduced baseline (2020-2024, a few thousand firms) on one thread:
about two seconds a run. Needs Debian's chromium and node, and
playwright-core in tests/browser/node_modules (scripts/install-deps.sh)."""

import json
import os
import subprocess
import tempfile

import numpy as np
import pytest
import xarray as xr

from geosim_analysis import explore

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCENARIOS = os.path.join(ROOT, "scenarios", "sweeps")
GEOSIM = os.environ.get("GEOSIM_BIN", "geosim")


@pytest.fixture(scope="module")
def server():
    srv, url = explore.serve(0, SCENARIOS, "reduced_baseline", geosim=GEOSIM, threads=1)
    yield url
    srv.shutdown()


def direct_discount_pct(cap):
    """Discount on Russian crude to China, % of world price, in months with such trade, from `geosim run`."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "run.h5")
        subprocess.run([GEOSIM, "run", os.path.join(SCENARIOS, "reduced_baseline.yaml"), "-o", out, "-q",
                        "--threads", "1", "--set", f"events[crude_price_cap].cap={cap}"], check=True)
        with xr.open_dataset(out, engine="h5netcdf") as ds:
            d = ds["discount"].sel(state="RUS", partner="CHN", sector="crude")
            traded = ds["trade_value"].sel(state="RUS", partner="CHN", sector="crude") > 0
            return (100 * d.where(traded)).values.astype(float)


def test_moving_the_price_cap_slider_redraws_the_discount_the_engine_computes(server):
    node_modules = os.path.join(HERE, "node_modules", "playwright-core")
    assert os.path.isdir(node_modules), "playwright-core is not installed: run scripts/install-deps.sh"
    shot = os.path.join(tempfile.gettempdir(), "geosim_explorer_test.png")
    done = subprocess.run(["node", os.path.join(HERE, "explorer.js"), server, "price_cap", "30", "discount",
                           "RUS crude to CHN", shot], capture_output=True, text=True, timeout=240, cwd=HERE)
    assert done.returncode == 0, done.stderr
    page = json.loads(done.stdout)
    assert page["errors"] == []
    assert page["shown"] == "30"
    assert page["status"].startswith("done: reduced_baseline with 1 lever changed"), page["status"]
    assert page["headline"].startswith("China's share of Russia's trade, 2024-12: ")
    before = np.array([np.nan if v is None else v for v in page["before"]["y"]], float)
    after = np.array([np.nan if v is None else v for v in page["after"]["y"]], float)
    assert page["after"]["x"][0] == "2020-01" and len(after) == 60
    expected = direct_discount_pct(30)
    np.testing.assert_allclose(after, expected, rtol=1e-5, atol=1e-6, equal_nan=True)
    # The cap binds from 2022-12: before it nothing changes, after it the discount deepens.
    np.testing.assert_allclose(after[:35], before[:35], rtol=1e-5, equal_nan=True)
    assert np.nanmean(after[36:] - before[36:]) > 5, "a 30 USD cap should deepen the discount by points"


RESOLVED = {
    "horizon": {"start": "2013-01", "end": "2030-12"},
    "sectors": [{"code": "crude", "price": [["2024-12", 73.9], ["2025-06", 70], ["2030-12", 70]]}],
    "events": [{"id": "eu_crude_embargo", "start": "2022-12-05", "intensity": 0.9},
               {"id": "crude_price_cap", "cap": 60}],
    "parameters": {"risk": {"margin": 0.1}},
}


def test_levers_take_the_scenarios_values_and_grey_out_what_it_lacks():
    d = explore.lever_defaults(RESOLVED)
    assert d["price_cap"] == {"available": True, "value": 60.0, "why": ""}
    assert d["embargo_on"]["value"] is True and d["embargo_start"]["value"] == 9   # 2022-12 is 9 months after 2022-03
    assert d["risk_tolerance"]["value"] == 1.0                                     # the loader's default
    assert d["oil_price"]["value"] == 70.0
    assert not d["secondary_banks"]["available"]
    assert d["secondary_banks"]["why"] == "the scenario has no events[eo14114_widened].intensity"
    short = dict(RESOLVED, horizon={"start": "2020-01", "end": "2024-12"})
    assert explore.lever_defaults(short)["oil_price"]["why"] == "the horizon ends 2024-12, before the projection"


def test_only_moved_levers_become_overrides():
    sets, big_banks = explore.overrides_of(RESOLVED, {"price_cap": 60.0, "embargo_on": False, "embargo_start": 20,
                                                      "oil_price": 100, "big_banks": 0.5})
    assert sets == {"events[eu_crude_embargo].intensity": 0, "events[eu_crude_embargo].start": "2023-11",
                    "sectors[crude].price": "[[2024-12, 73.9], [2025-06, 100.0], [2030-12, 100.0]]"}
    assert big_banks == 0.5
    with pytest.raises(ValueError, match="unknown lever 'cap'"):
        explore.overrides_of(RESOLVED, {"cap": 1})
