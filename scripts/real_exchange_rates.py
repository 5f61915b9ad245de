#!/usr/bin/env python3
"""Prints the real exchange rate paths of scenarios/baseline.yaml
(states[RUS|CHN|EU].real_exchange_rate): the provenance of those inputs.

Real exchange rate against the USD, 2013 = 1 (higher = stronger):
    rer(t) = nominal_2013 / nominal(t) * (P_home(t) / P_home,2013) / (P_US(t) / P_US,2013)
with nominal(t) in units of the home currency per USD (for the euro, the
inverse), and price levels cumulated from annual average CPI inflation,
geometric within years. The figures are approximate period averages:
  RUB/USD quarterly averages, Bank of Russia; CNY/USD quarterly averages,
  People's Bank of China; USD/EUR annual (semi-annual for 2014-15), ECB;
  CPI: Rosstat, National Bureau of Statistics of China, Eurostat HICP, US BLS.
Run: /usr/bin/python3 scripts/real_exchange_rates.py
"""

CPI_US = {2014: 1.6, 2015: 0.1, 2016: 1.3, 2017: 2.1, 2018: 2.4, 2019: 1.8, 2020: 1.2, 2021: 4.7, 2022: 8.0,
          2023: 4.1, 2024: 2.9}
CPI = {
    "RUS": {2014: 7.8, 2015: 15.5, 2016: 7.1, 2017: 3.7, 2018: 2.9, 2019: 4.5, 2020: 3.4, 2021: 6.7, 2022: 13.8,
            2023: 5.9, 2024: 8.4},
    "CHN": {2014: 2.0, 2015: 1.4, 2016: 2.0, 2017: 1.6, 2018: 2.1, 2019: 2.9, 2020: 2.5, 2021: 0.9, 2022: 2.0,
            2023: 0.2, 2024: 0.2},
    "EU": {2014: 0.4, 2015: 0.2, 2016: 0.2, 2017: 1.5, 2018: 1.8, 2019: 1.2, 2020: 0.3, 2021: 2.6, 2022: 8.4,
           2023: 5.4, 2024: 2.4},
}
# Home currency per USD, quarterly averages.
RUB = {2013: [30.4, 31.6, 32.8, 32.5], 2014: [35.0, 35.0, 36.2, 47.5], 2015: [62.2, 52.7, 62.9, 65.9],
       2016: [74.6, 65.9, 64.6, 63.1], 2017: [58.8, 57.1, 59.0, 58.4], 2018: [56.9, 61.8, 65.5, 66.5],
       2019: [66.1, 64.6, 64.6, 63.7], 2020: [66.3, 72.6, 73.5, 76.2], 2021: [74.3, 74.2, 73.5, 72.6],
       2022: [86.8, 66.1, 59.4, 64.2], 2023: [72.7, 79.7, 94.5, 92.6], 2024: [91.0, 89.7, 88.0, 98.0]}
CNY = {2013: [6.28, 6.18, 6.17, 6.14], 2014: [6.11, 6.23, 6.16, 6.14], 2015: [6.23, 6.20, 6.30, 6.37],
       2016: [6.54, 6.53, 6.67, 6.83], 2017: [6.89, 6.86, 6.67, 6.62], 2018: [6.35, 6.38, 6.81, 6.93],
       2019: [6.75, 6.77, 7.00, 7.04], 2020: [6.98, 7.10, 6.93, 6.62], 2021: [6.48, 6.46, 6.47, 6.39],
       2022: [6.35, 6.60, 6.84, 7.11], 2023: [6.84, 7.02, 7.25, 7.23], 2024: [7.19, 7.23, 7.19, 7.19]}
# USD per EUR: (year, month of the point, rate).
EUR = [(2013, 7, 1.328), (2014, 4, 1.37), (2014, 10, 1.27), (2015, 2, 1.13), (2015, 7, 1.11), (2016, 7, 1.107),
       (2017, 7, 1.130), (2018, 7, 1.181), (2019, 7, 1.120), (2020, 7, 1.142), (2021, 7, 1.183), (2022, 7, 1.053),
       (2023, 7, 1.081), (2024, 7, 1.082)]


def price_ratio(state: str, year: int, month: int) -> float:
    """Home / US price level at mid-`month` relative to the 2013 average."""
    years_since = year + (month - 0.5) / 12 - 2013.5
    level, y = 1.0, 2014
    while years_since > 0:
        step = min(1.0, years_since)
        k = min(y, 2024)  # 2025 onwards: 2024's differential
        level *= ((1 + CPI[state][k] / 100) / (1 + CPI_US[k] / 100)) ** step
        years_since -= step
        y += 1
    return level


def quarterly(state: str, rates: dict) -> list:
    base = sum(rates[2013]) / 4
    return [(y, 3 * q + 2, base / r * price_ratio(state, y, 3 * q + 2)) for y, qs in rates.items()
            for q, r in enumerate(qs)]


def path_yaml(points) -> str:
    return "[" + ", ".join(f"[{y}-{m:02d}, {v:.3f}]" for y, m, v in points) + "]"


if __name__ == "__main__":
    print("RUS:", path_yaml(quarterly("RUS", RUB)))
    print("CHN:", path_yaml(quarterly("CHN", CNY)))
    print("EU: ", path_yaml([(y, m, r / EUR[0][2] * price_ratio("EU", y, m)) for y, m, r in EUR]))
