#!/usr/bin/env python3
"""Prints the world price path of the `energy_other` sector in
scenarios/baseline.yaml (sectors[energy_other].price): the provenance of
that input.

energy_other is refined products, gas and coal. Its index (2013 = 1) is a
fixed-weight composite of World Bank prices (Commodity Price Data, the "Pink
Sheet"; annual averages in nominal USD, rounded; as recalled from the
published series, not checked against it on the machine that wrote this
file, which has no internet: check them when the source is at hand):
  crude oil, average of Brent, Dubai and WTI (USD/bbl): refined products
  follow it;
  natural gas, Europe (USD/mmbtu): Russia's pipeline gas, oil-indexed then
  hub-priced;
  LNG, Japan (USD/mmbtu): Sakhalin-2 and, from 2018, Yamal;
  coal, Australia (USD/t).
The weights are the values of what Russia exported of each in 2013 (Federal
Customs Service, approximate, USD bn): products 109, pipeline gas 67, coal 12,
LNG 9. They are the composition of the sector's largest exporter in the
model's first year, fixed thereafter; they are not fitted. China bought from
Russia mostly coal and products (no pipeline gas before December 2019), so
this world index is not China's own basket price (docs/calibration.md, gap 1).
Each year's value is placed at July, and the engine interpolates linearly
between points; 2024 is held after (an assumption).
Run: /usr/bin/python3 scripts/energy_other_price.py
"""

YEARS = range(2013, 2025)
PRICES = {
    "crude": [104.07, 96.24, 50.75, 42.81, 52.81, 68.35, 61.41, 41.26, 69.07, 97.10, 80.58, 79.9],
    "gas_europe": [11.79, 10.05, 7.26, 4.56, 5.72, 7.68, 4.80, 3.24, 16.12, 40.34, 13.11, 10.9],
    "lng_japan": [16.0, 16.0, 10.4, 7.4, 8.6, 10.7, 10.6, 8.3, 10.8, 18.4, 14.6, 12.0],
    "coal_australia": [84.6, 70.1, 57.5, 65.9, 88.5, 107.0, 77.9, 60.8, 138.1, 344.9, 172.8, 136.0],
}
# Russia's 2013 exports, USD bn, under the price series that values each:
# refined products (109) follow crude.
EXPORTS_2013 = {"crude": 109, "gas_europe": 67, "lng_japan": 9, "coal_australia": 12}


def index() -> list:
    total = sum(EXPORTS_2013.values())
    return [sum(EXPORTS_2013[k] / total * PRICES[k][y] / PRICES[k][0] for k in PRICES)
            for y in range(len(YEARS))]


def main() -> None:
    total = sum(EXPORTS_2013.values())
    print("# weights: " + ", ".join(f"{k} {v / total:.2f}" for k, v in EXPORTS_2013.items()))
    points = [f"[{year}-07, {value:.2f}]" for year, value in zip(YEARS, index())]
    points.append(f"[2030-12, {index()[-1]:.2f}]")
    print("price: [" + ", ".join(points) + "]")


if __name__ == "__main__":
    main()
