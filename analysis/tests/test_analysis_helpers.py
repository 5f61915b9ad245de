"""Helpers against values computed by hand on the tiny file (see
conftest.tiny_dataset), sweep summaries on synthetic sweeps, and the Sobol
estimators against analytic indices."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import geosim_analysis as ga


@pytest.fixture(scope="module")
def tiny(tiny_path):
    return ga.open_run(tiny_path)


# trade_value[t, i, j, k] = (t + 1) * (100 (1 + i) + 10 j + k), RUS = 0, CHN = 1, EU = 2:
# per unit of (t + 1), summed over the two sectors
RUS_CHN, CHN_RUS, RUS_EU, EU_RUS = 110 + 111, 200 + 201, 120 + 121, 300 + 301
MONTHS_2020 = sum(range(1, 13))        # 78: sum of (t + 1) over 2020
MONTHS_2021H1 = sum(range(13, 19))     # 93: 2021-01 .. 2021-06


def test_bilateral_trade_per_year_sums_twelve_months_in_usd_per_year(tiny):
    trade = ga.bilateral_trade(tiny, "RUS", "CHN")
    assert trade["year"].values.tolist() == [2020]            # 2021 has 6 months: dropped
    assert trade["RUS->CHN"].sel(year=2020).item() == RUS_CHN * MONTHS_2020
    assert trade["CHN->RUS"].sel(year=2020).item() == CHN_RUS * MONTHS_2020
    assert trade["total"].sel(year=2020).item() == (RUS_CHN + CHN_RUS) * MONTHS_2020
    assert trade["total"].attrs["units"] == "USD yr-1"


def test_bilateral_trade_of_one_sector_and_partial_years_on_request(tiny):
    crude = ga.bilateral_trade(tiny, "RUS", "CHN", sector="crude")
    assert crude["RUS->CHN"].sel(year=2020).item() == 110 * MONTHS_2020
    monthly = ga.bilateral_trade(tiny, "RUS", "CHN", yearly=False)
    assert monthly["total"].attrs["units"] == "USD month-1"
    assert monthly["total"].isel(time=2).item() == 3 * (RUS_CHN + CHN_RUS)
    partial = ga.annual(monthly["RUS->CHN"], complete_years=False)
    assert partial.sel(year=2021).item() == RUS_CHN * MONTHS_2021H1


def test_annual_mean_keeps_units(tiny):
    mean = ga.annual(tiny["energy_revenue"].sel(state="RUS"), how="mean")
    assert mean.sel(year=2020).item() == pytest.approx(1e9)
    assert mean.attrs["units"] == "USD month-1"
    assert ga.annual(tiny["energy_revenue"].sel(state="RUS")).sel(year=2020).item() == pytest.approx(12e9)


def test_partner_share_monthly_and_over_the_year(tiny):
    expected = (RUS_CHN + CHN_RUS) / (RUS_CHN + RUS_EU + CHN_RUS + EU_RUS)
    np.testing.assert_allclose(ga.partner_share(tiny, "RUS", "CHN").values, expected)
    yearly = ga.partner_share(tiny, "RUS", "CHN", yearly=True)
    assert yearly.sel(year=2020).item() == pytest.approx(expected)
    assert yearly.attrs["units"] == "1"


def test_leverage_of_holder_over_dependent(tiny):
    np.testing.assert_allclose(ga.leverage(tiny, "CHN", "RUS").values, np.linspace(0.5, 0.9, 18))
    np.testing.assert_allclose(ga.leverage(tiny, "RUS", "CHN").values, 1 - np.linspace(0.5, 0.9, 18))
    ratio = ga.leverage(tiny, "CHN", "RUS", ratio=True)
    assert ratio.isel(time=-1).item() == pytest.approx(0.9 / 0.1)


def test_discount_path_per_importer_weighted_and_in_money(tiny):
    np.testing.assert_allclose(ga.discount_path(tiny, "RUS", "CHN", "crude").values, 0.2)
    # weights: RUS crude to CHN 110 (t + 1), to EU 120 (t + 1)
    weighted = ga.discount_path(tiny, "RUS", None, "crude")
    np.testing.assert_allclose(weighted.values, (0.2 * 110 + 0.1 * 120) / 230)
    money = ga.discount_path(tiny, "RUS", "CHN", "crude", money=True)
    np.testing.assert_allclose(money.values, 10.0)
    assert money.attrs["units"] == "USD/bbl"


def test_discount_path_masks_months_without_trade(tiny):
    no_trade = tiny.copy(deep=True)
    no_trade["trade_value"].loc[dict(state="RUS", partner="CHN", sector="crude")] = 0.0
    masked = ga.discount_path(no_trade, "RUS", "CHN", "crude", traded_only=True)
    assert masked.isnull().all()


def test_settlement_mix_and_cautious_shares(tiny):
    mix = ga.settlement_mix(tiny, "RUS", "CHN")
    assert mix.dims == ("time", "currency")
    np.testing.assert_allclose(mix.sel(currency="USD").values, 0.75)
    np.testing.assert_allclose(mix.sum("currency").values, 1.0)
    shares = ga.cautious_shares(tiny, "CHN")
    np.testing.assert_allclose(shares["firms"].sel(sector="goods").values, np.arange(18) / 17)
    np.testing.assert_allclose(shares["banks"].values, 0.4)


def test_helpers_keep_the_run_dimension_of_a_sweep(grid_sweep_path):
    sweep = ga.open_sweep(grid_sweep_path, load=True)
    trade = ga.bilateral_trade(sweep, "RUS", "CHN")
    assert trade["total"].dims == ("run", "year")
    one = ga.bilateral_trade(ga.open_run(grid_sweep_path, run=3), "RUS", "CHN")
    np.testing.assert_allclose(trade["total"].isel(run=3).values, one["total"].values)
    assert ga.leverage(sweep, "CHN", "RUS").dims == ("run", "time")


# ---------------------------------------------------------------------------
# Sweep summaries


def synthetic_sweep():
    """6 runs: two points a = 1, 2 with three replicates each;
    y(run, time) = 100 a + (10, 20, 30 by replicate) + t."""
    a = np.array([1, 1, 1, 2, 2, 2])
    b = np.array([10, 20, 30, 10, 20, 30])
    t = np.arange(4)
    y = a[:, None] * 100 + b[:, None] + t[None]
    return xr.Dataset({"y": (("run", "time"), y.astype(float), {"units": "USD/month", "long_name": "y"})},
                      coords={"run": np.arange(6), "time": pd.date_range("2020-01", periods=4, freq="MS"),
                              "param_a": ("run", a), "seed": ("run", np.arange(6))})


def test_replicate_bands_give_mean_and_quantiles_per_parameter_point():
    ds = synthetic_sweep()
    bands = ga.replicate_bands(ds["y"], quantiles=(0.0, 0.5, 1.0))
    assert bands["param_a"].values.tolist() == [1, 2]
    np.testing.assert_allclose(bands["mean"].sel(point=0).values, 120 + np.arange(4))
    np.testing.assert_allclose(bands["quantiles"].sel(point=1, quantile=0.0).values, 210 + np.arange(4))
    np.testing.assert_allclose(bands["quantiles"].sel(point=1, quantile=1.0).values, 230 + np.arange(4))
    np.testing.assert_allclose(bands["std"].sel(point=0).values, 10.0)
    assert bands["count"].values.min() == 3
    assert bands["mean"].attrs["units"] == "USD/month"


def test_response_to_a_parameter_and_grid_mean():
    ds = synthetic_sweep().assign_coords(param_b=("run", [10, 20, 30, 10, 20, 30]))
    y = ga.scalar(ds, "y", reduce="mean")                     # 100 a + b + 1.5
    r = ga.response(y, "a")
    np.testing.assert_allclose(r["mean"].values, [121.5, 221.5])
    rb = ga.response(y, "param_b")
    np.testing.assert_allclose(rb["mean"].values, [161.5, 171.5, 181.5])
    grid = ga.grid_mean(y, "b", "a")
    assert grid.dims == ("param_a", "param_b")
    np.testing.assert_allclose(grid.values, [[111.5, 121.5, 131.5], [211.5, 221.5, 231.5]])


def test_scalar_reduces_over_a_time_window(grid_sweep_path):
    sweep = ga.open_sweep(grid_sweep_path, load=True)
    y = ga.scalar(sweep, "trade_share", time=slice("2014-01", "2014-12"), state="RUS", partner="CHN")
    assert y.dims == ("run",)
    expected = sweep["trade_share"].sel(state="RUS", partner="CHN", time="2014").mean("time")
    np.testing.assert_allclose(y.values, expected.values)
    last = ga.scalar(sweep, "hhi", reduce="last", state="RUS")
    np.testing.assert_array_equal(last.values, sweep["hhi"].sel(state="RUS").isel(time=-1).values)


def test_to_frame_is_tidy_with_parameters_per_row(grid_sweep_path):
    sweep = ga.open_sweep(grid_sweep_path, load=True)
    frame = ga.to_frame(sweep, ["hhi", "energy_revenue"], state="RUS")
    assert len(frame) == 2 * 8 * 24
    assert {"variable", "run", "time", "param_parameters_risk_margin", "seed", "units", "value"} <= set(frame)
    row = frame[(frame.variable == "hhi") & (frame.run == 5)].iloc[-1]
    assert row["value"] == sweep["hhi"].sel(state="RUS").isel(run=5, time=-1).item()
    assert row["param_parameters_risk_margin"] == 0.3
    assert set(frame[frame.variable == "energy_revenue"]["units"]) == {"USD month-1"}


def test_to_frame_of_a_single_run(tiny):
    frame = ga.to_frame(tiny, "trade_share")
    assert len(frame) == 18 * 3 * 3
    assert list(frame.columns) == ["variable", "time", "state", "partner", "units", "value"]


# ---------------------------------------------------------------------------
# Sobol indices


def saltelli_design(fn, n, k, rng, lo, hi, replicates=1):
    a = rng.uniform(lo, hi, (n, k))
    b = rng.uniform(lo, hi, (n, k))
    matrices = [a, b] + [np.where(np.arange(k) == i, b, a) for i in range(k)]
    y = np.concatenate([fn(x) for x in matrices])
    matrix = np.repeat(np.arange(k + 2), n)
    sample = np.tile(np.arange(n), k + 2)
    if replicates > 1:
        y, matrix, sample = (np.tile(v, replicates) for v in (y, matrix, sample))
    return xr.Dataset({"y": ("run", y)}, coords={"sobol_matrix": ("run", matrix), "sobol_sample": ("run", sample)},
                      attrs={"sobol_parameters": [f"x{i + 1}" for i in range(k)]})


ISHIGAMI_A, ISHIGAMI_B = 7.0, 0.1


def ishigami(x):
    return np.sin(x[:, 0]) + ISHIGAMI_A * np.sin(x[:, 1]) ** 2 + ISHIGAMI_B * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices():
    a, b, pi = ISHIGAMI_A, ISHIGAMI_B, np.pi
    v = a ** 2 / 8 + b * pi ** 4 / 5 + b ** 2 * pi ** 8 / 18 + 0.5
    v1 = 0.5 * (1 + b * pi ** 4 / 5) ** 2
    v2 = a ** 2 / 8
    v13 = 8 * b ** 2 * pi ** 8 / 225
    return np.array([v1, v2, 0]) / v, np.array([v1 + v13, v2, v13]) / v


def test_sobol_indices_of_the_ishigami_function_match_the_analytic_values():
    ds = saltelli_design(ishigami, 8192, 3, np.random.default_rng(1), -np.pi, np.pi)
    idx = ga.sobol_indices(ds["y"], ds)
    s1, st = ishigami_indices()
    err1 = np.abs(idx["S1"].values - s1)
    errt = np.abs(idx["ST"].values - st)
    print("Ishigami S1", idx["S1"].values, "exact", s1, "error", err1)
    print("Ishigami ST", idx["ST"].values, "exact", st, "error", errt)
    assert idx["parameter"].values.tolist() == ["x1", "x2", "x3"]
    assert err1.max() < 0.03
    assert errt.max() < 0.03
    # the bootstrap intervals cover the exact values
    assert np.all(err1 <= 1.5 * idx["S1_conf"].values)
    assert np.all(errt <= 1.5 * idx["ST_conf"].values)
    assert idx.attrs["base_samples"] == 8192


def test_sobol_indices_of_an_additive_function_are_exact_shares_of_variance():
    # y = x1 + 2 x2 on uniform inputs: S1 = ST = (1/5, 4/5)
    def fn(x):
        return x[:, 0] + 2 * x[:, 1]
    ds = saltelli_design(fn, 4096, 2, np.random.default_rng(3), 0, 1, replicates=2)
    t = xr.DataArray(np.arange(1, 4), dims="time")
    y = ds["y"] * t                                    # the same indices at every time
    idx = ga.sobol_indices(y, ds, bootstrap=20)
    assert idx["S1"].dims == ("parameter", "time")
    np.testing.assert_allclose(idx["S1"].values, [[0.2] * 3, [0.8] * 3], atol=0.03)
    np.testing.assert_allclose(idx["ST"].values, [[0.2] * 3, [0.8] * 3], atol=0.03)
    np.testing.assert_allclose(idx["S1"].isel(time=0).values, idx["S1"].isel(time=2).values)


def test_sobol_drops_base_samples_with_a_failed_run():
    ds = saltelli_design(lambda x: x[:, 0], 64, 2, np.random.default_rng(4), 0, 1)
    status = np.zeros(ds.sizes["run"], int)
    status[64 * 2 + 5] = 1                              # AB_1 of base sample 5
    ds = ds.assign_coords(status=("run", status))
    idx = ga.sobol_indices(ds["y"], ds, bootstrap=0)
    assert idx.attrs["dropped_samples"] == 1
    assert idx.attrs["base_samples"] == 63
    assert idx["ST"].sel(parameter="x2").item() == 0.0


def test_sobol_parameters_from_a_string_attribute():
    ds = xr.Dataset(attrs={"sobol_parameters": "a, b c"})
    assert ga.sobol_parameters(ds) == ["a", "b", "c"]
    with pytest.raises(ValueError, match="not a Sobol design"):
        ga.sobol_parameters(xr.Dataset())


def test_shares_leverage_and_settlement_are_gaps_in_months_without_trade(tiny):
    quiet = tiny.copy(deep=True)
    quiet["trade_value"][dict(time=3)] = 0.0   # nobody trades in the fourth month
    for da in (ga.partner_share(quiet, "RUS", "CHN"), ga.leverage(quiet, "CHN", "RUS"),
               ga.settlement_mix(quiet, "RUS", "CHN").sel(currency="USD")):
        assert np.isnan(da.values[3]), da.attrs["long_name"]
        assert np.isfinite(np.delete(da.values, 3)).all()


@pytest.mark.parametrize("units,words", [("USD/month", "USD per month"), ("USD month-1", "USD per month"),
                                         ("1", "fraction"), ("USD/yr", "USD per year"), ("USD yr-1", "USD per year"),
                                         ("firms month-1", "firms per month"), ("furlongs", "furlongs")])
def test_units_read_as_words_in_either_spelling(units, words):
    from geosim_analysis.figure_marks import unit_words
    assert unit_words(units) == words


def test_a_yearly_sum_of_a_monthly_flow_is_per_year_in_either_spelling(tiny):
    for monthly, yearly in (("USD/month", "USD/yr"), ("USD month-1", "USD yr-1")):
        da = tiny["energy_revenue"].copy()
        da.attrs["units"] = monthly
        assert ga.annual(da).attrs["units"] == yearly
