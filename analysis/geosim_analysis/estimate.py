"""Estimation of the model's free parameters with their uncertainty.

Method: history matching with Gaussian-process emulators, then approximate
Bayesian computation by rejection (Vernon, Goldstein and Bower 2010 for
history matching of a simulator; Pritchard et al. 1999 for ABC rejection).

1. Prior: uniform on each free parameter's range (what the evidence allows;
   scenarios/data/estimation.yaml). Tied parameters (the coalition's copies
   of the EU's fitted intensities) follow their parameter.
2. Waves. Wave 0 is a Latin hypercube over the prior box. Each wave's points
   are run once on the light scenario through a geosim sweep (one `zip`
   group: the points are listed, not drawn by geosim). For each fitted
   target an emulator (scikit-learn's GaussianProcessRegressor: constant x
   anisotropic RBF + white noise) is fitted to the wave's runs (points of the
   region still kept), and a point's
   implausibility for the target is
       I_t(x) = |z_t - E[f_t(x)]| / sqrt(Var_em,t(x) + sigma_t^2)
   with sigma_t = band_t / 2 (the band as two standard deviations of data
   error and model discrepancy together); for a sign target the numerator is
   the change on the wrong side of zero beyond the allowance. A point is not
   ruled out yet if the k-th largest implausibility (k = `implausibility_rank`,
   so that a target every point misses does not rule out everything) is at
   most `cutoff` under every wave's emulators. The next wave draws its points
   uniformly from that region (uniform candidates in the box that bounds the
   previous region's runs, kept if not ruled out).
3. ABC rejection on the last wave: its points are uniform in the final region
   (a prior truncated where the emulators rule the data out), each run once on
   the light scenario; the `accept` fraction with the smallest distance
   J = sum over fitted targets of ((sim - data) / band)^2 (the moment distance
   of docs/calibration.md) is the posterior sample.

Every wave's sweep output is kept in the output directory and reused when it
is of the same sweep (fingerprint), and candidates are drawn from fixed seeds,
so an interrupted estimation resumes where it stopped. `--plan-only` writes
the next wave's sweep file and stops, for running it elsewhere (a SLURM job
array or MPI, docs/sweeps.md) and continuing here.
"""
from __future__ import annotations

import argparse
import os
import sys
import warnings

import numpy as np
import pandas as pd

from .calibration import (apply_values, contribution, default_geosim, evaluate_sweep, fit_table,
                          load_targets, reached, read_versioned, run_sweep, summary, write_fit)
from .io import open_sweep


# ---------------------------------------------------------------------------
# The estimation file


def load_estimation(path) -> dict:
    """Reads an estimation file (estimation_version: 1). Paths are made
    absolute; raises ValueError naming the file and the entry for a bad one."""
    files = ("targets", "scenario", "search_scenario")
    doc = read_versioned(path, "estimation", paths=files, required=files)
    names = set()
    for i, p in enumerate(doc.get("free_parameters") or []):
        for key in ("key", "name", "min", "max"):
            if key not in p:
                raise ValueError(f"{path}: free_parameters[{i}]: missing key '{key}'")
        if not float(p["min"]) < float(p["max"]):
            raise ValueError(f"{path}: free_parameters[{i}] ({p['name']}): min must be < max")
        names.add(p["name"])
    if not names:
        raise ValueError(f"{path}: no free_parameters")
    for i, t in enumerate(doc.get("tied") or []):
        if t.get("from") not in names:
            raise ValueError(f"{path}: tied[{i}] ({t.get('key')}): 'from' must name a free parameter")
    if not doc.get("waves"):
        raise ValueError(f"{path}: no waves")
    doc.setdefault("cutoff", 3.0)
    doc.setdefault("implausibility_rank", 3)
    doc.setdefault("accept", 0.1)
    doc.setdefault("candidates", 20000)
    return doc


def columns(est: dict) -> list:
    """The scenario key paths a point sets: the free parameters', then the tied ones'."""
    return [p["key"] for p in est["free_parameters"]] + [t["key"] for t in est.get("tied") or []]


def with_tied(est: dict, free: pd.DataFrame) -> pd.DataFrame:
    """Points (one row each, a column per free parameter's name) as key paths,
    tied keys included."""
    out = pd.DataFrame({p["key"]: free[p["name"]].to_numpy(dtype=float) for p in est["free_parameters"]})
    by_name = {p["name"]: p["key"] for p in est["free_parameters"]}
    for t in est.get("tied") or []:
        out[t["key"]] = out[by_name[t["from"]]] * float(t.get("factor", 1.0))
    return out


# ---------------------------------------------------------------------------
# Sweeps of listed points


def write_points_sweep(path, name, base, points: pd.DataFrame, replicates, seed, horizon_end=None) -> None:
    """A sweep that runs each row of ``points`` (columns: key paths) as one
    parameter point, ``replicates`` times: one `zip` group of lists. With
    ``horizon_end`` the horizon is cut in a derived scenario written beside it."""
    folder = os.path.dirname(os.path.abspath(path))
    base = os.path.abspath(base)
    if horizon_end:
        derived = os.path.join(folder, f"{name}.scenario.yaml")
        with open(derived, "w", encoding="utf-8") as f:
            f.write(f"schema_version: 1\nbase: {os.path.relpath(base, folder)}\nname: {name}\n"
                    f"horizon: {{end: {horizon_end}}}\noutput: {{snapshots: []}}\n")
        base = derived
    lines = ["sweep_version: 1", f"name: {name}", "description: estimation points (geosim_analysis.estimate)",
             f"base: {os.path.relpath(base, folder)}", f"seed: {seed}", f"replicates: {replicates}",
             "parameters:", "  - zip:"]
    for key in points.columns:
        values = ", ".join(f"{float(v):.8g}" for v in points[key])
        lines += [f"    - key: '{key}'", f"      values: [{values}]"]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def run_points(est, points_free: pd.DataFrame, out_dir, name, geosim, jobs, seed, scenario=None,
               replicates=1, horizon_end=None, plan_only=False):
    """Runs the points (free-parameter names as columns) and returns the
    moments per run with the free parameters' values, or None with
    ``plan_only`` when the sweep has no output yet."""
    targets, _ = load_targets(est["targets"])
    sweep = os.path.join(out_dir, f"{name}.sweep.yaml")
    out = os.path.join(out_dir, f"{name}.h5")
    keys = with_tied(est, points_free)
    write_points_sweep(sweep, name, scenario or est["search_scenario"], keys, replicates, seed, horizon_end)
    if plan_only and not os.path.exists(out):
        print(f"{sweep}: written; run it (geosim sweep {sweep} -o {out}, with --shard or under mpirun) "
              "and run the estimation again to continue", flush=True)
        return None
    run_sweep(geosim, sweep, out, jobs)
    ds = open_sweep(out)
    per_run, _ = evaluate_sweep(ds, targets)
    # Run ids are point x replicates + replicate (docs/sweeps.md); failed
    # runs are left out of per_run, whose index is the run id.
    point_of_run = np.asarray(per_run.index, dtype=int) // replicates
    for p in est["free_parameters"]:
        per_run[p["name"]] = points_free[p["name"]].to_numpy(dtype=float)[point_of_run]
    per_run["point"] = point_of_run
    per_run["distance"] = [sum(contribution(t, float(r[t.id])) for t in targets if t.fit)
                           for _, r in per_run.iterrows()]
    return per_run


# ---------------------------------------------------------------------------
# Emulators and implausibility


def _unit(est, free: pd.DataFrame) -> np.ndarray:
    lo = np.array([float(p["min"]) for p in est["free_parameters"]])
    hi = np.array([float(p["max"]) for p in est["free_parameters"]])
    x = free[[p["name"] for p in est["free_parameters"]]].to_numpy(dtype=float)
    return (x - lo) / (hi - lo)


def _bounded_lbfgs(obj_func, initial_theta, bounds):
    """scikit-learn's default optimiser (L-BFGS-B on the log marginal
    likelihood) with at most 60 iterations: the hyperparameters of 32
    length scales settle well before, and each iteration costs a Cholesky
    factorisation of the training set."""
    from scipy.optimize import minimize
    res = minimize(obj_func, initial_theta, method="L-BFGS-B", jac=True, bounds=bounds,
                   options={"maxiter": 60})
    return res.x, res.fun


class Emulators:
    """One Gaussian process per fitted target, on the unit box of the free
    parameters, fitted to the runs given (moment standardised per target)."""

    def __init__(self, est, runs: pd.DataFrame, targets, seed: int):
        from sklearn.gaussian_process import GaussianProcessRegressor
        from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

        self.targets = [t for t in targets if t.fit]
        x = _unit(est, runs)
        d = x.shape[1]
        self.models = []
        for t in self.targets:
            y = runs[t.id].to_numpy(dtype=float)
            ok = np.isfinite(y)
            mu, sd = float(np.mean(y[ok])), float(np.std(y[ok])) or 1.0
            kernel = ConstantKernel(1.0, (1e-3, 1e3)) * RBF(np.full(d, 0.5), (1e-2, 1e2)) + \
                WhiteKernel(1e-2, (1e-6, 1e0))
            gp = GaussianProcessRegressor(kernel, normalize_y=False, random_state=seed, n_restarts_optimizer=0,
                                          optimizer=_bounded_lbfgs)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # convergence warnings at bounds: the fit is still usable
                gp.fit(x[ok], (y[ok] - mu) / sd)
            self.models.append((gp, mu, sd))

    def implausibility(self, est, free: pd.DataFrame) -> np.ndarray:
        """(points, targets) implausibilities."""
        x = _unit(est, free)
        out = np.empty((len(x), len(self.targets)))
        for j, (t, (gp, mu, sd)) in enumerate(zip(self.targets, self.models)):
            m, s = gp.predict(x, return_std=True)
            m, s = mu + sd * m, sd * s
            sigma2 = s ** 2 + (t.band / 2) ** 2
            if t.is_sign:
                slack = float(t.args.get("allow", 0.0))
                miss = np.maximum(0.0, -t.value * m - slack)
            else:
                miss = np.abs(m - t.value)
            out[:, j] = miss / np.sqrt(sigma2)
        return out


def wave_emulators(est, runs: pd.DataFrame, targets, seed, path) -> Emulators:
    """The emulators of one wave, trained on that wave's runs (points of the
    region still kept, where the next wave's points will be), kept in
    ``path`` so that a resumed estimation does not fit them again (refitted
    if the runs differ)."""
    import pickle
    names = [p["name"] for p in est["free_parameters"]]
    stamp = pd.util.hash_pandas_object(runs[names + [t.id for t in targets if t.fit]], index=False).sum()
    if os.path.exists(path):
        with open(path, "rb") as f:
            saved_stamp, em = pickle.load(f)
        if saved_stamp == stamp:
            return em
    em = Emulators(est, runs, targets, seed)
    with open(path + ".tmp", "wb") as f:
        pickle.dump((stamp, em), f)
    os.replace(path + ".tmp", path)
    return em


def kth_largest(imp: np.ndarray, k: int) -> np.ndarray:
    k = min(k, imp.shape[1])
    return np.sort(imp, axis=1)[:, -k]


def lhs(est, n, seed) -> pd.DataFrame:
    from scipy.stats import qmc
    u = qmc.LatinHypercube(d=len(est["free_parameters"]), seed=seed).random(n)
    return pd.DataFrame({p["name"]: float(p["min"]) + u[:, i] * (float(p["max"]) - float(p["min"]))
                         for i, p in enumerate(est["free_parameters"])})


def draw_region(est, emulators: list, previous: pd.DataFrame, n, seed) -> tuple[pd.DataFrame, float]:
    """n points uniform in the region no emulator rules out: uniform
    candidates in the box that bounds ``previous`` (the last region's points,
    widened by a tenth of each range, within the prior), kept if not ruled
    out. Returns (points, the share of candidates kept)."""
    rng = np.random.default_rng(seed)
    names = [p["name"] for p in est["free_parameters"]]
    lo = np.array([float(p["min"]) for p in est["free_parameters"]])
    hi = np.array([float(p["max"]) for p in est["free_parameters"]])
    pad = 0.1 * (hi - lo)
    blo = np.maximum(lo, previous[names].min().to_numpy() - pad)
    bhi = np.minimum(hi, previous[names].max().to_numpy() + pad)
    kept, tried = [], 0
    while sum(len(k) for k in kept) < n and tried < 50 * int(est["candidates"]):
        cand = pd.DataFrame(blo + rng.random((int(est["candidates"]), len(names))) * (bhi - blo), columns=names)
        tried += len(cand)
        ok = np.ones(len(cand), bool)
        for em in reversed(emulators):  # the latest rules out most: the others see only what it keeps
            idx = np.flatnonzero(ok)
            if len(idx):
                imp = em.implausibility(est, cand.iloc[idx])
                ok[idx] = kth_largest(imp, int(est["implausibility_rank"])) <= float(est["cutoff"])
        kept.append(cand[ok])
    pts = pd.concat(kept, ignore_index=True)
    share = len(pts) / tried if tried else 0.0
    if len(pts) < n:
        raise RuntimeError(f"only {len(pts)} of {tried} candidates are not ruled out; "
                           "raise cutoff or implausibility_rank, or widen the ranges")
    return pts.iloc[:n].reset_index(drop=True), share


# ---------------------------------------------------------------------------
# The pipeline


def estimate(est_path, out_dir, geosim, jobs=2, docs=None, plan_only=False, check_replicates=10,
             predictive_draws=20, predictive_seeds=2) -> pd.DataFrame | None:
    est = load_estimation(est_path)
    targets, _ = load_targets(est["targets"])
    os.makedirs(out_dir, exist_ok=True)
    emulators, all_runs, region = [], [], None
    log = []
    for w, wave in enumerate(est["waves"]):
        seed = int(wave.get("seed", 1000 + w))
        if w == 0:
            pts, share = lhs(est, int(wave["samples"]), seed), 1.0
        else:
            pts, share = draw_region(est, emulators, region, int(wave["samples"]), seed)
        runs = run_points(est, pts, out_dir, f"wave{w}", geosim, jobs, seed, plan_only=plan_only)
        if runs is None:
            return None
        runs["wave"] = w
        all_runs.append(runs)
        region = pts
        best = runs.sort_values("distance").iloc[0]
        n_ok = sum(reached(t, float(best[t.id])) for t in targets if t.fit)
        log.append({"wave": w, "points": len(pts), "kept_share_of_candidates": share,
                    "best_distance": float(best["distance"]), "median_distance": float(runs["distance"].median()),
                    "best_bands": f"{n_ok}/{sum(t.fit for t in targets)}"})
        print(f"wave {w}: {len(pts)} points ({100 * share:.2g} % of candidates not ruled out), "
              f"distance best {best['distance']:.2f}, median {runs['distance'].median():.2f}", flush=True)
        if w < len(est["waves"]) - 1:
            emulators.append(wave_emulators(est, runs, targets, seed, os.path.join(out_dir, f"wave{w}.emulators.pkl")))
    pd.DataFrame(log).to_csv(os.path.join(out_dir, "waves.csv"), index=False)
    runs_all = pd.concat(all_runs, ignore_index=True)
    runs_all.to_csv(os.path.join(out_dir, "runs.csv"), index=False)

    # ABC rejection on the last wave.
    last = all_runs[-1].sort_values("distance")
    n_accept = max(2, int(round(float(est["accept"]) * len(last))))
    accepted = last.head(n_accept).reset_index(drop=True)
    epsilon = float(accepted["distance"].max())
    names = [p["name"] for p in est["free_parameters"]]
    posterior = with_tied(est, accepted[names])
    posterior.insert(0, "draw", np.arange(len(posterior)))
    posterior["distance"] = accepted["distance"].to_numpy()
    docs = docs or out_dir
    os.makedirs(docs, exist_ok=True)
    posterior.to_csv(os.path.join(docs, "posterior.csv"), index=False, float_format="%.6g")
    summ = posterior_summary(est, accepted, epsilon)
    summ.to_csv(os.path.join(docs, "posterior_summary.csv"), index=False, float_format="%.6g")
    with open(os.path.join(docs, "posterior_summary.md"), "w", encoding="utf-8") as f:
        f.write(summary_markdown(summ, est, len(accepted), epsilon, log))
    corr = accepted[names].corr()
    corr.to_csv(os.path.join(docs, "posterior_correlations.csv"), float_format="%.3f")
    figures(est, runs_all, accepted, corr, docs)
    print(f"posterior: {len(accepted)} draws of {len(last)} (distance <= {epsilon:.2f}); "
          f"{os.path.join(docs, 'posterior.csv')}", flush=True)

    if check_replicates:
        median = accepted[names].median().to_frame().T
        runs = run_points(est, median, out_dir, "median_full", geosim, jobs, 20221231, scenario=est["scenario"],
                          replicates=check_replicates, horizon_end="2024-12")
        table = fit_table(targets, runs)
        write_fit(table, docs, stem="fit_posterior_median")
        print(f"posterior median, full scenario, {check_replicates} replicates: {summary(targets, table)}", flush=True)
        light = run_points(est, median, out_dir, "median_light", geosim, jobs, 20221231,
                           replicates=check_replicates)
        agree = agreement(targets, runs, light)
        agree.to_csv(os.path.join(docs, "light_vs_full.csv"), index=False, float_format="%.4g")
        print(f"light and full scenario at the posterior median: {int(agree['same_verdict'].sum())}/{len(agree)} "
              "targets with the same verdict", flush=True)
    if predictive_draws:
        draws = accepted[names].head(predictive_draws)
        runs = run_points(est, draws, out_dir, "predictive_full", geosim, jobs, 20221231, scenario=est["scenario"],
                          replicates=predictive_seeds, horizon_end="2024-12")
        table = fit_table(targets, runs)
        write_fit(table, docs, stem="fit_posterior_predictive")
        print(f"posterior predictive ({len(draws)} draws x {predictive_seeds} seeds, full scenario): "
              f"{summary(targets, table)}", flush=True)
    return posterior


def apply_median(est_path, posterior_csv, scenario=None, digits=3) -> dict:
    """Writes the posterior median of each free parameter (and the tied keys
    that follow it) into the scenario file, in place (values to ``digits``)."""
    est = load_estimation(est_path)
    post = pd.read_csv(posterior_csv)
    missing = [p["key"] for p in est["free_parameters"] if p["key"] not in post]
    if missing:
        raise ValueError(f"{posterior_csv}: no column for {', '.join(missing)}")
    median = pd.DataFrame({p["name"]: [float(post[p["key"]].median())] for p in est["free_parameters"]})
    values = with_tied(est, median).iloc[0].to_dict()
    return apply_values(scenario or est["scenario"], values, digits)


def agreement(targets, full: pd.DataFrame, light: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for t in targets:
        a, b = float(full[t.id].mean()), float(light[t.id].mean())
        rows.append({"id": t.id, "fit": t.fit, "full": a, "light": b, "band": t.band,
                     "difference_in_bands": abs(a - b) / t.band,
                     "same_verdict": reached(t, a) == reached(t, b)})
    return pd.DataFrame(rows)


def posterior_summary(est, accepted: pd.DataFrame, epsilon: float) -> pd.DataFrame:
    """Per free parameter: prior range, posterior median and 90 % interval,
    and the posterior's 90 % width over the prior's (a uniform prior's 90 %
    width is 0.9 of the range): near 1, the data do not pin it down."""
    rows = []
    for p in est["free_parameters"]:
        v = accepted[p["name"]].to_numpy(dtype=float)
        lo, hi = float(p["min"]), float(p["max"])
        q05, q50, q95 = np.quantile(v, [0.05, 0.5, 0.95])
        ratio = (q95 - q05) / (0.9 * (hi - lo))
        rows.append({"name": p["name"], "key": p["key"], "prior_min": lo, "prior_max": hi,
                     "median": q50, "q05": q05, "q95": q95, "width_ratio": ratio,
                     "pinned": "no (prior ≈ posterior)" if ratio > 0.8 else ("partly" if ratio > 0.5 else "yes")})
    return pd.DataFrame(rows)


def summary_markdown(summ: pd.DataFrame, est, n, epsilon, log) -> str:
    lines = [f"Posterior: {n} draws (ABC rejection, distance ≤ {epsilon:.2f} on the light scenario); "
             f"prior uniform on each range; waves: " + "; ".join(
                 f"{r['wave']}: {r['points']} points, best distance {r['best_distance']:.2f}" for r in log), "",
             "| parameter | key | prior range | median | 90 % interval | width / prior's | pinned down |",
             "|---|---|---|---|---|---|---|"]
    for _, r in summ.iterrows():
        lines.append(f"| {r['name']} | `{r['key']}` | {r['prior_min']:.3g}–{r['prior_max']:.3g} | {r['median']:.3g} | "
                     f"{r['q05']:.3g}–{r['q95']:.3g} | {r['width_ratio']:.2f} | {r['pinned']} |")
    return "\n".join(lines) + "\n"


def figures(est, runs_all, accepted, corr, out) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ps = est["free_parameters"]
    ncol = 6
    nrow = (len(ps) + ncol - 1) // ncol
    fig, axes = plt.subplots(nrow, ncol, figsize=(2.6 * ncol, 2.0 * nrow), squeeze=False)
    for ax, p in zip(axes.flat, ps):
        lo, hi = float(p["min"]), float(p["max"])
        ax.hist(accepted[p["name"]], bins=12, range=(lo, hi), color="tab:blue", alpha=0.8, density=True,
                label=f"posterior ({len(accepted)} draws)")
        ax.axhline(1 / (hi - lo), color="grey", ls="--", lw=1, label="prior (uniform)")
        ax.set_title(p["name"], fontsize=8)
        ax.tick_params(labelsize=6)
        ax.set_yticks([])
    for ax in list(axes.flat)[len(ps):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=6)
    fig.suptitle("Free parameters: posterior against the uniform prior (range = prior range)", fontsize=10)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "posterior_marginals.png"), dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(9, 8))
    im = ax.imshow(corr.to_numpy(), vmin=-1, vmax=1, cmap="RdBu_r")
    ax.set_xticks(range(len(corr)), corr.columns, rotation=90, fontsize=6)
    ax.set_yticks(range(len(corr)), corr.index, fontsize=6)
    fig.colorbar(im, ax=ax, label="correlation over posterior draws")
    ax.set_title(f"Pairwise correlations of the posterior ({len(accepted)} draws)", fontsize=10)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "posterior_correlations.png"), dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4))
    for w, sub in runs_all.groupby("wave"):
        ax.hist(np.log10(sub["distance"].clip(lower=1e-3)), bins=40, alpha=0.5, label=f"wave {w} ({len(sub)} runs)")
    eps = float(accepted["distance"].max())
    ax.axvline(np.log10(eps), color="k", ls="--", label=f"ABC tolerance {eps:.1f}")
    ax.set_xlabel("log10 distance J (sum of squared errors in bands, fitted targets)")
    ax.set_ylabel("runs")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "estimation_waves.png"), dpi=110)
    plt.close(fig)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m geosim_analysis estimate", description=__doc__.splitlines()[0])
    ap.add_argument("estimation", help="estimation file (scenarios/data/estimation.yaml)")
    ap.add_argument("-o", "--out", required=True, help="working directory (sweeps, runs.csv); resumable")
    ap.add_argument("--docs", default=None, help="where the posterior, its summary, fit tables and figures go "
                    "(default: the working directory)")
    ap.add_argument("--geosim", default=default_geosim())
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--plan-only", action="store_true",
                    help="write the next wave's sweep file and stop if its output is missing")
    ap.add_argument("--check-replicates", type=int, default=10,
                    help="replicates of the posterior median on the full scenario (0: skip)")
    ap.add_argument("--predictive-draws", type=int, default=20)
    ap.add_argument("--predictive-seeds", type=int, default=2)
    ap.add_argument("--apply", metavar="POSTERIOR_CSV", default=None,
                    help="only write this posterior's median into the estimation's scenario, in place")
    args = ap.parse_args(argv)
    try:
        if args.apply:
            for key, value in apply_median(args.estimation, args.apply).items():
                print(f"{key} = {value}")
            return 0
        estimate(args.estimation, args.out, args.geosim, args.jobs, args.docs, args.plan_only,
                 args.check_replicates, args.predictive_draws, args.predictive_seeds)
    except (ValueError, FileNotFoundError) as e:
        print(f"geosim_analysis estimate: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
