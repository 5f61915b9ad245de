#!/usr/bin/env python3
"""Estimates states[RUS].exchange_rate_revenue_elasticity of scenarios/baseline.yaml:
the elasticity of Russia's real exchange rate to its export revenue relative to
trend, as the model measures that revenue (docs/ODD.md §7.2, §7.14).

In-sample only, 2013-01..2022-12, monthly: OLS of
    log rer(t) = a + e * log income(t) + u(t)
with rer(t) the observed real exchange-rate path of the baseline (inputs from
scripts/real_exchange_rates.py; the model's output `real_exchange_rate`, which
in these months is that path) and income(t) the smoothed export revenue
relative to trend that the model reads in month t, i.e. the output `income`
of month t-1 (1 in the first month), averaged over seeds of the baseline.
The rate responds to income in the model only after its path ends (2024-11),
so these in-sample runs are the same with any value of the elasticity.

Monthly residuals are strongly autocorrelated (a quarterly path interpolated
linearly, a smoothed regressor), so the script prints the Newey-West (HAC)
standard error next to the classical one; the HAC one is the honest one.

Run (from the repository root, after building):
    /usr/bin/python3 scripts/rer_elasticity.py [--seeds 5] [--bin build/sim/cli/geosim]
Needs numpy and h5py (and the analysis package at analysis/).
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "analysis"))
import geosim_analysis as ga  # noqa: E402

FIRST, LAST = "2013-01", "2022-12"


def run_baseline(binary, seed, out):
    subprocess.run([binary, "run", os.path.join(ROOT, "scenarios", "baseline.yaml"), "-o", out, "--force",
                    "--quiet", "--seed", str(seed)], check=True)
    ds = ga.open_run(out)
    months = np.array([str(t)[:7] for t in ds.time.values])
    income = ds["income"].sel(state="RUS").values.astype(float)
    rer = ds["real_exchange_rate"].sel(state="RUS").values.astype(float)
    ds.close()
    # The income month t reads is the one written at the end of month t-1.
    read = np.concatenate([[1.0], income[:-1]])
    window = (months >= FIRST) & (months <= LAST)
    return rer[window], read[window]


def ols(y, x, hac_lags):
    X = np.column_stack([np.ones_like(x), x])
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    u = y - X @ beta
    n, k = X.shape
    xtx_inv = np.linalg.inv(X.T @ X)
    se = np.sqrt(np.diag(xtx_inv) * (u @ u) / (n - k))
    # Newey-West with Bartlett weights.
    xu = X * u[:, None]
    s = xu.T @ xu
    for lag in range(1, hac_lags + 1):
        g = xu[lag:].T @ xu[:-lag]
        s += (1 - lag / (hac_lags + 1)) * (g + g.T)
    se_hac = np.sqrt(np.diag(xtx_inv @ s @ xtx_inv) * n / (n - k))
    r2 = 1 - (u @ u) / np.sum((y - y.mean()) ** 2)
    return beta, se, se_hac, r2, n


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=5, help="baseline runs (seeds 1..N)")
    p.add_argument("--bin", default=os.path.join(ROOT, "build", "sim", "cli", "geosim"))
    p.add_argument("--hac-lags", type=int, default=12)
    a = p.parse_args()
    rers, incomes = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(1, a.seeds + 1):
            rer, income = run_baseline(a.bin, seed, os.path.join(tmp, f"baseline_{seed}.h5"))
            rers.append(rer)
            incomes.append(income)
    rer = rers[0]
    assert all(np.array_equal(r, rer) for r in rers), "the in-sample rate is an input and must not depend on the seed"
    income = np.mean(incomes, axis=0)
    beta, se, se_hac, r2, n = ols(np.log(rer), np.log(income), a.hac_lags)
    print(f"RUS, {FIRST}..{LAST}, monthly, n = {n}, income = mean over {a.seeds} seeds of the baseline")
    print(f"  log rer = {beta[0]:.4f} + e * log income")
    print(f"  e = {beta[1]:.4f}   SE (OLS) = {se[1]:.4f}   SE (Newey-West, {a.hac_lags} lags) = {se_hac[1]:.4f}")
    print(f"  R^2 = {r2:.4f}")
    print(f"  income range {income.min():.3f}..{income.max():.3f}; seed spread of income (max sd) "
          f"{np.max(np.std(incomes, axis=0)):.4f}")


if __name__ == "__main__":
    main()
