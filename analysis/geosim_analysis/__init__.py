"""Reading and plotting geosim output in Python (Debian's h5py, numpy, pandas,
xarray, h5netcdf and matplotlib only).

    import geosim_analysis as ga
    ds = ga.open_run("out/baseline.h5")
    ga.bilateral_trade(ds, "RUS", "CHN")          # USD/yr, by direction
    ga.plots.trade_shares(ds, "RUS")

``python3 -m geosim_analysis report OUT.h5 -o DIR`` writes figures and an HTML page;
``python3 -m geosim_analysis compare A.yaml B.yaml C.yaml --seeds N -o DIR`` compares
scenarios over paired seeds (``geosim_analysis.compare.paired``): tables, figures
and an HTML page; ``python3 -m geosim_analysis explore`` serves an interactive page
with sliders for the main levers (``geosim_analysis.explore``).
``experiments(uncertainties, levers, n, replicates)`` runs a sweep and returns
``(experiments, outcomes)`` in the EMA Workbench's layout.
"""

from . import compare, dispersion, plots
from .io import (combine_runs, is_sweep, ok_runs, open_run, open_sweep, parameter_label,
                 parameter_names, param_variable_name, scenario_of)
from .experiments import experiments, to_ema
from .metrics import (annual, bilateral_trade, cautious_shares, discount_path, headline, leverage,
                      partner_share, settlement_mix, total_trade)
from .sweep import (grid_mean, parameter_points, replicate_bands, response, scalar, sobol_indices,
                    sobol_parameters, to_frame)

__version__ = "0.1.0"

__all__ = [
    "open_run", "open_sweep", "combine_runs", "is_sweep", "ok_runs", "parameter_names",
    "parameter_label", "param_variable_name", "scenario_of",
    "annual", "bilateral_trade", "total_trade", "partner_share", "leverage", "discount_path",
    "settlement_mix", "cautious_shares", "headline",
    "parameter_points", "scalar", "replicate_bands", "response", "grid_mean", "sobol_parameters",
    "sobol_indices", "to_frame", "plots", "compare", "dispersion", "experiments", "to_ema",
]
