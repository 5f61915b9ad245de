#pragma once
// The immutable description of a scenario: what the YAML says, with names
// resolved to ids and defaults filled in. Loading (module scenario) produces a
// ScenarioSpec; validate() checks the whole model once; the engine turns it
// into runtime state. Defaults live here, in the member initialisers, and
// nowhere else; docs/scenario-reference.md lists them.
//
// Units: money is USD; flows are USD per year at the sector's reference price
// in the scenario file and USD per month inside the engine; shares, intensities
// and probabilities are fractions in [0, 1]; rates are per month unless named
// otherwise.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "geosim/core/error.hpp"
#include "geosim/core/ids.hpp"
#include "geosim/core/month.hpp"

namespace geosim::model {

/// Current schema version of scenario files.
inline constexpr int schema_version = 1;

/// A distribution of a firm or bank attribute. Parameters by kind:
/// constant {value}; uniform {low, high}; lognormal {median, sigma (of log)};
/// pareto {minimum, shape}; beta {alpha, beta}.
struct Distribution {
  enum class Kind { constant, uniform, lognormal, pareto, beta };
  Kind kind = Kind::constant;
  double p1 = 0.0;  ///< value | low | median | minimum | alpha
  double p2 = 0.0;  ///< -     | high | sigma | shape   | beta
};

/// A piecewise-linear path through dated points, held flat before the first
/// and after the last point.
struct PricePath {
  struct Point {
    Month month;
    double value = 0.0;
  };
  std::vector<Point> points;
};

struct SectorSpec {
  std::string code;              ///< short name used in files, e.g. "crude"
  std::string name;              ///< human-readable name
  std::string price_unit = "USD per unit";  ///< unit of the price path, e.g. "USD/bbl"
  double reference_price = 1.0;  ///< price at which flows are stated, price_unit; > 0
  PricePath price;               ///< world reference price; empty = reference_price throughout
  double elasticity = 4.0;       ///< elasticity of substitution between suppliers; > 0
  double criticality = 0.5;      ///< weight in vulnerability, [0, 1]
  double dual_use_fraction = 0.0;  ///< share of firms making dual-use / high-priority goods, [0, 1]
  double max_discount = 0.5;     ///< depth of the discount when all outside options are closed, [0, 1)
  bool energy = false;           ///< counts toward energy export revenue
  /// Share of a move in the exporter's real exchange rate passed into its
  /// USD price in this sector (0 for goods priced in world markets), [0, 1].
  double exchange_rate_pass_through = 0.0;
  /// Short-run price elasticity of exporters' supply, for sectors whose output
  /// is capacity-limited in the short run (crude, other energy): their
  /// exporters offer capacity x (realised price / world price)^elasticity, and
  /// the discount moves toward the level at which that supply clears, within
  /// the bargaining bounds. Absent: output follows orders up to capacity and
  /// price does not clear (manufactures). >= 0.
  std::optional<double> supply_elasticity;
  /// Freight and insurance per physical unit on a route with Western
  /// shipping and insurance, in price_unit (USD/bbl for crude), where no
  /// `freight` entry names the route. Paid by the exporter out of the
  /// delivered price (netback pricing). >= 0.
  double freight = 0.0;
  /// The same on the exporter's alternative ("shadow") fleet: older tankers,
  /// non-Western insurance, ship-to-ship transfers, and the fleet's capital
  /// cost per unit carried. Absent = `freight`. >= 0.
  std::optional<double> alternative_freight;
  /// Cost of switching to a supplier the importer has no relationship with
  /// in this sector, fraction of the price (docs/ODD.md §7.7): what setting
  /// up a new supplier costs per unit of the volume it will carry (for
  /// crude: contracts, the refinery's crude slate, shipping and insurance).
  /// Absent = parameters.orders.switching_cost. >= 0.
  std::optional<double> switching_cost;
  /// Weight in an importer's choice of a supplier it has no relationship
  /// with, relative to one it has (it buys from it only spot), (0, 1].
  /// Absent = (1 + switching_cost)^-elasticity: the switching cost borne on
  /// every unit bought spot.
  std::optional<double> spot_weight;
};

struct CurrencySpec {
  std::string code;                   ///< e.g. "USD"
  std::optional<StateId> issuer;      ///< state whose sanctions can block it
  double weight = 1.0;                ///< attractiveness absent costs (network effects), > 0
  double cost = 0.0;                  ///< transaction cost, fraction of value, [0, 1)
};

/// Intermediary hub: a third country that re-exports goods to sanctioned buyers.
struct HubSpec {
  double markup = 0.15;            ///< price markup of the detour, fraction; >= 0
  double detection_factor = 0.3;   ///< multiplies detection probability, [0, 1]
  double evasion = 0.6;            ///< share of an export control the detour escapes, [0, 1]
  /// Growth of the intermediaries' re-export capacity with the margin they
  /// earn (docs/ODD.md §7.13c): capacity added per month, reference USD per
  /// month, per unit of the month's margin (markup x re-exports, reference
  /// USD per month), slowed as capacity nears the ceiling; per month, >= 0.
  /// Defaults to 0: the capacity of the firm populations, on trend.
  double capacity_growth = 0.0;
  /// Ceiling of that capacity, a multiple of the populations' trend
  /// capacity; >= 1. Defaults to 4.
  double capacity_ceiling = 4.0;
};

struct StateSpec {
  std::string code;               ///< e.g. "RUS"
  std::string name;
  /// Export capacity by sector (index = SectorId), USD per year at reference prices.
  std::vector<double> export_capacity;
  /// Import absorption by sector (index = SectorId), USD per year at reference prices.
  std::vector<double> import_absorption;
  double growth = 0.02;           ///< trend growth of capacity and absorption, per year
  /// Multiplier of import absorption over time by sector (index =
  /// SectorId), on top of the trend `growth`: piecewise linear, flat outside
  /// its points (for example China's crude import volumes). Empty paths = 1.
  std::vector<PricePath> import_path;
  /// Multiplier of export capacity over time by sector (index = SectorId),
  /// on top of the trend `growth`: production quotas (OPEC+), outages,
  /// new fields; piecewise linear, flat outside its points. Empty paths = 1.
  std::vector<PricePath> export_path;
  /// Ceiling on the volume of imports by sector (index = SectorId), a
  /// multiple of the trend absorption (`import_absorption` × growth ×
  /// `import_path`): what the state can take in, for crude its refinery
  /// capacity over its crude imports; >= 1. Absent = no ceiling.
  std::vector<std::optional<double>> import_capacity;
  /// Price of the state's own import basket by sector (index = SectorId), in
  /// the sector's price unit over time: its imports of the sector are valued
  /// at this price instead of the sector's world price (a state that buys
  /// coal and products where the world composite is mostly gas). Volumes
  /// still respond to the world price. Empty paths = the world price.
  std::vector<PricePath> import_price;
  /// Real exchange rate of the state's currency against the USD over time,
  /// an index (higher = stronger, e.g. 2013 = 1); piecewise linear, flat
  /// outside its points; empty = 1 throughout.
  PricePath real_exchange_rate;
  /// Elasticity of the real exchange rate to the state's smoothed export
  /// revenue relative to trend (docs/ODD.md §7.2), >= 0; it moves the rate
  /// after the last point of `real_exchange_rate`, or throughout when the
  /// state gives no path. 0 = the path alone.
  double exchange_rate_revenue_elasticity = 0.0;
  /// The state's own income elasticity of import demand, where it differs
  /// from parameters.orders.income_elasticity (absent = that value).
  std::optional<double> income_elasticity;
  std::optional<CurrencyId> home_currency;
  std::optional<HubSpec> hub;     ///< present when the state hosts intermediaries
  /// Alternative ("shadow") shipping capacity at the start, as a share of the
  /// state's seaborne energy exports, [0, 1].
  double shadow_fleet = 0.0;
  /// An aggregate of countries that trade with each other (e.g. "rest of the
  /// world"): its importers may buy from its own exporters, and that internal
  /// trade counts in its totals.
  bool aggregate = false;
  /// In supply-limited sectors (SectorSpec::supply_elasticity), the state
  /// supplies whatever is ordered from it at the world price, beyond its
  /// capacity if need be: the world price path is the observed price that
  /// cleared the world market, so the rest of the world's spare capacity
  /// (OPEC's, US shale's) meets what the modelled states leave.
  bool residual_supplier = false;
};

/// Pairwise preference between an importer and an exporter (gravity, habit,
/// infrastructure); multiplies the CES weight of the exporter in the
/// importer's choice.
struct AffinitySpec {
  StateId importer{};
  StateId exporter{};
  std::optional<SectorId> sector;  ///< all sectors when absent
  double weight = 1.0;             ///< > 0
  /// Multiplier of `weight` over time, piecewise linear and flat outside its
  /// points (for example a pipeline coming on line); empty = 1 throughout.
  PricePath path;
};

/// Iceberg trade cost between two states (both directions), fraction of value.
struct TradeCostSpec {
  StateId a{};
  StateId b{};
  double cost = 0.1;               ///< >= 0
};

/// Freight and insurance from one state to another, per physical unit of a
/// sector, in its price_unit (USD/bbl for crude), by shipping mode.
struct FreightSpec {
  StateId from{};                  ///< exporter
  StateId to{};                    ///< importer
  std::vector<SectorId> sectors;   ///< empty = all sectors
  double western = 0.0;            ///< Western-serviced ships, >= 0
  std::optional<double> alternative;  ///< alternative fleet, >= 0; absent = sector's premium over western
};

enum class Role : std::uint8_t { exporter, importer, intermediary };

struct FirmPopulationSpec {
  StateId state{};
  SectorId sector{};
  Role role = Role::exporter;
  std::uint32_t count = 0;             ///< number of firms, > 0
  Distribution size{Distribution::Kind::pareto, 1.0, 1.16};  ///< relative size (Pareto 80/20)
  Distribution exposure{Distribution::Kind::beta, 2.0, 5.0};  ///< base Western exposure, [0, 1]
  double exposure_size_slope = 0.1;    ///< exposure rise per decade of size above the median
  double state_owned_share = 0.0;      ///< share of firms that are state-owned, [0, 1]
  double state_owned_exposure = 0.8;   ///< exposure floor of state-owned firms, [0, 1]
  Distribution risk_tolerance{Distribution::Kind::lognormal, 1.0, 0.5};  ///< > 0
  /// Intermediaries only: re-export capacity, USD per year.
  double capacity = 0.0;
  /// Number of real firms the population stands for, when it has fewer (or
  /// more) agents than the economy has firms; absent = `count` (one agent,
  /// one firm). A designation round that lists n entities designates about
  /// n x count / represents of these agents (docs/ODD.md §7.12). >= 1.
  std::optional<double> represents;
  /// Key path of the scenario entry that defined this population (an entry
  /// with lists of states, sectors or roles expands into several), e.g.
  /// "firms[3]"; for messages. Empty when built in code.
  std::string source_key;
};

struct BankPopulationSpec {
  std::string name;                    ///< e.g. "big_state_banks"; unique per state
  StateId state{};
  std::uint32_t count = 0;             ///< > 0
  Distribution size{Distribution::Kind::lognormal, 1.0, 1.0};
  Distribution exposure{Distribution::Kind::beta, 2.0, 5.0};
  double exposure_size_slope = 0.1;
  Distribution risk_tolerance{Distribution::Kind::lognormal, 1.0, 0.5};
  /// Number of real banks the population stands for; absent = `count`. As
  /// for firms. >= 1.
  std::optional<double> represents;
  /// Key path of the scenario entry that defined this population, e.g.
  /// "banks[2]"; for messages. Empty when built in code.
  std::string source_key;
};

/// A kind of policy event. Everything else about a kind (its name in files,
/// keys, checks, application) is in one table entry per kind:
/// policy_kinds.hpp says where, and how to add one.
enum class PolicyKind : std::uint8_t {
  export_control,       ///< `by` stops exports to `target` in `sectors`
  import_ban,           ///< `by` stops imports from `target` in `sectors`
  price_cap,            ///< `by` denies its shipping/insurance above `cap`
  financial_sanctions,  ///< `by` blocks settlement in `currencies` with `target`
  secondary_sanctions,  ///< `by` penalises third-country firms/banks dealing with `target`
  bank_withdrawal,      ///< banks of `by` (population `banks`) refuse payments with `target`
  risk_premium,         ///< buyers in `by` count `target`'s goods in `sectors` as costing (1 + intensity) x price
  fleet_sanctions,      ///< `by` designates `target`'s alternative tankers: `intensity` of the fleet per year
  count                 ///< not a kind: the number of kinds; new kinds go above it
};
inline constexpr std::size_t policy_kind_count = static_cast<std::size_t>(PolicyKind::count);

/// Which agents secondary sanctions are aimed at.
enum class SanctionScope : std::uint8_t { firms, banks, both };

/// Entities of one state listed (designated) by a round of secondary
/// sanctions.
struct Listing {
  StateId state{};
  double entities = 0.0;  ///< real firms or banks listed, a whole number >= 0
};

struct PolicyEvent {
  PolicyKind kind = PolicyKind::export_control;
  Date start;                        ///< applies from the month that holds it
  std::optional<Date> end;           ///< last month it applies; open-ended when absent
  StateId by{};
  StateId target{};
  std::vector<SectorId> sectors;     ///< empty = all sectors
  double intensity = 1.0;            ///< [0, 1]
  bool dual_use_only = false;        ///< export_control, secondary_sanctions: dual-use firms only
  double cap = 0.0;                  ///< price_cap: ceiling, in the sector's price_unit; > 0
  std::vector<CurrencyId> currencies;  ///< financial_sanctions: empty = by's currency, unless currencies_given
  /// financial_sanctions: the file lists `currencies`; an empty list then
  /// blocks no currency, and only by's banks refuse target (a state without
  /// a modelled currency, such as a coalition aggregate).
  bool currencies_given = false;
  SanctionScope scope = SanctionScope::both;  ///< secondary_sanctions
  /// secondary_sanctions: a designation round in the event's start month,
  /// listing this many entities (firms or banks, by `scope`) of each named
  /// third state among those trading with `target`; empty = no round (the
  /// announced enforcement alone).
  std::vector<Listing> listed;
  std::string banks;                 ///< bank_withdrawal: bank population name; empty = all
  std::string label;                 ///< free text shown by `validate`
};

struct RiskParams {
  double detection_base = 0.02;          ///< monthly detection probability at full enforcement, [0, 1]
  double detection_size_elasticity = 0.3;  ///< visibility ~ (size / median)^elasticity
  double penalty_multiple = 3.0;         ///< penalty as a multiple of Western-linked revenue; >= 0
  double margin = 0.1;                   ///< expected margin on sanctioned trade, fraction; > 0
  double learning_rate = 0.3;            ///< weight of new evidence in beliefs, [0, 1]
  double social_weight = 0.5;            ///< weight of peers' penalties vs own experience, [0, 1]
  double initial_belief = 0.5;           ///< perceived enforcement risk relative to announced, >= 0
  double belief_decay = 0.02;            ///< monthly pull of beliefs back toward initial, [0, 1]
  double peer_signal = 50.0;             ///< belief rise per unit of peer penalty rate; >= 0
  /// Share of firms and banks that review their caution in a month (drawn
  /// at random); the others keep last month's decision. (0, 1]
  double review_share = 0.25;
  /// Multiplies every firm's drawn risk tolerance: one knob for sweeps over
  /// how much risk firms accept; > 0.
  double tolerance_scale = 1.0;
};

struct OrderParams {
  double reoptimise_share = 0.15;  ///< share of demand re-optimised per month, (0, 1]
  /// Cost of switching to a supplier the importer has no relationship with,
  /// fraction of the price, where the sector gives none (docs/ODD.md §7.7):
  /// a relationship forms when the supplier's price plus this cost is at or
  /// below what the importer pays its suppliers with a relationship; >= 0.
  double switching_cost = 0.05;
  /// Months from the decision to form a relationship to volume at scale
  /// (contracts, set-up, the first voyages), [0, 1200].
  double formation_lag = 0.0;
  /// A supplier with at least this share of an importer's desired purchases
  /// in the first month has an established relationship; below it the
  /// importer buys from it without one (spot). [0, 1]
  double established_share = 0.05;
  double default_trade_cost = 0.1; ///< iceberg cost when no trade_costs entry, >= 0
  double price_elasticity = 0.3;   ///< elasticity of absorption to the average effective price; >= 0
  /// Elasticity of a state's import absorption to its export revenue
  /// relative to trend (terms-of-trade income effect); >= 0.
  double income_elasticity = 0.5;
  double income_smoothing = 0.2;   ///< monthly weight of new revenue in the smoothed income, (0, 1]
  /// Elasticity of a state's import absorption to its real exchange rate
  /// (a weaker currency makes USD-priced imports dearer at home); >= 0.
  double exchange_rate_elasticity = 0.0;
};

struct BargainParams {
  double exporter_outside_base = 0.2;  ///< exporter's outside option with no reachable buyer; > 0
  double shadow_fleet_weight = 1.0;    ///< outside-option value of alternative shipping; >= 0
  double adjustment = 0.5;             ///< share of the gap to the bargained discount closed per month, (0, 1]
  /// Share of a buyer's discount set by the exporter's market as a whole
  /// rather than its own bargain: traders re-sell fungible goods, so buyers'
  /// discounts cannot drift far apart. [0, 1]
  double arbitrage = 0.7;
  /// Share of a buyer's extra settlement cost (above the pair's first-month
  /// level: blocked channels, backlog) that the exporter bears as a discount:
  /// the buyer will not pay more than the world price less what dealing with
  /// this exporter costs it beyond buying elsewhere. [0, 1]
  double cost_pass_through = 1.0;
};

struct PaymentParams {
  double clear_rate = 0.5;         ///< share of the backlog settled per month when channels are open, (0, 1]
  double fail_rate = 0.1;          ///< share of the backlog that fails per month, [0, 1]
  double currency_inertia = 0.9;   ///< weight of last month's currency mix, [0, 1)
  double cost_sensitivity = 20.0;  ///< logit sensitivity of currency choice to cost; >= 0
  /// Expected cost of a payment that finds no channel (waiting, financing,
  /// the risk that it fails), fraction of its value; >= 0.
  double blocked_cost = 0.5;
  /// The most a bank takes on of sanctioned-linked payments, in multiples of
  /// its normal share of its state's (correspondent capacity), >= 1.
  double willing_bank_capacity = 2.0;
  /// Fee of payment agents in third countries on the first payments they
  /// carry, fraction of the payment's value; >= 0. Banks charge no more.
  double agent_fee = 0.03;
  /// Their fee on the last payment when they carry the pair's whole flow
  /// (longer chains of intermediaries, more seizures); the fee rises
  /// linearly in between; >= agent_fee.
  double agent_fee_max = 0.12;
  /// Fee of netting schemes (payments matched against flows the other way),
  /// fraction of value; >= 0.
  double netting_fee = 0.01;
  /// Share of a pair's balanced trade (the part matched by flows the other
  /// way) that netting schemes can settle, [0, 1].
  double netting_share = 0.3;
  /// Months for payment agents and netting to take up a flow refused by
  /// banks (time constant of their build-up and run-down), >= 1.
  double alternative_lag = 4.0;
};

struct AdaptiveParams {
  /// Enforcement escalates on observed leakage and decays when leakage
  /// falls; off unless a scenario switches it on (a policy held is held).
  bool escalation = false;
  double leakage_threshold = 0.05;   ///< dual-use via hubs / target's dual-use imports, [0, 1]
  double escalation_rate = 0.02;     ///< added intensity per month above threshold, [0, 1]
  double escalation_decay = 0.02;    ///< intensity removed per month at or below threshold, [0, 1]
  bool shadow_fleet_investment = true;  ///< the target invests in alternative shipping
  /// Share per month of the alternative fleet built beyond the state's
  /// initial shadow_fleet that is retired (old tankers), [0, 1].
  double fleet_depreciation = 0.01;
  double investment_threshold = 0.1; ///< discount above which it invests, [0, 1)
  double investment_rate = 0.03;     ///< monthly capacity added per unit of excess discount; >= 0
};

struct ModelParams {
  RiskParams risk;
  OrderParams orders;
  BargainParams bargaining;
  PaymentParams payments;
  AdaptiveParams adaptive;
};

struct ScenarioSpec {
  int schema_version = model::schema_version;
  std::string name;
  std::string description;
  Month start = Month::from(2013, 1);
  Month end = Month::from(2030, 12);   ///< last simulated month (inclusive)
  std::uint64_t seed = 1;

  std::vector<SectorSpec> sectors;
  std::vector<CurrencySpec> currencies;
  std::vector<StateSpec> states;
  std::vector<AffinitySpec> affinities;
  std::vector<TradeCostSpec> trade_costs;
  std::vector<FreightSpec> freight;
  std::vector<FirmPopulationSpec> firms;
  std::vector<BankPopulationSpec> banks;
  std::vector<PolicyEvent> events;
  ModelParams params;
  std::vector<Month> snapshots;        ///< months with per-firm snapshots

  /// The scenario after `base:` merging and --set overrides, as YAML text;
  /// written to output files so that a run can be reproduced.
  std::string resolved_yaml;
  /// Where each key path was read, for error messages from validate().
  std::unordered_map<std::string, SourceLocation> sources;
  /// The file that was loaded (last resort location for errors).
  std::string file;

  int steps() const noexcept { return end - start + 1; }
  /// Location of a key path, walking up to its parents, then to the file.
  SourceLocation where(const std::string& key_path) const;
};

/// Largest counts validate() accepts, so that no index wraps in the runtime
/// columns (sim/state/include/geosim/state/world.hpp checks its types against
/// these): state and sector indices are 16-bit, 0xffff marks "no hub", a
/// market is sector * 2 + product, and firm and bank ids are 32-bit.
inline constexpr std::size_t max_states = 65534;
inline constexpr std::size_t max_sectors = 32768;
inline constexpr std::size_t max_bank_populations = 65536;
inline constexpr std::size_t max_firms = 4'294'967'295;  ///< all firm populations together
inline constexpr std::size_t max_banks = 4'294'967'295;  ///< all bank populations together

/// Largest magnitude validate() accepts for prices, price and multiplier
/// paths, freight, weights, capacities and absorptions, in their units (USD
/// per year for flows: 1e15 is 40 times world trade). Far below the largest
/// double, so that the model's products and sums of them stay finite.
inline constexpr double max_magnitude = 1e15;

/// Largest income, price, exchange-rate and supply elasticity validate()
/// accepts (parameters.orders.income_elasticity, price_elasticity and
/// exchange_rate_elasticity; states[].income_elasticity and
/// exchange_rate_revenue_elasticity; sectors[].supply_elasticity), and the
/// largest magnitude of risk.detection_size_elasticity. Estimates of these
/// lie below about 3 (income elasticities of import demand 0.5 to 3, price
/// elasticities below 2, short-run supply elasticities of crude about 0.1),
/// so 10 bounds no plausible value. The model raises ratios to these powers
/// (incomes relative to trend floored at 1e-6, exchange rates, prices,
/// firm sizes): from an income elasticity of about 50 import demand
/// overflowed to Inf and NaN; at 10 a ratio of 1e-6 gives 1e-60, far inside
/// the range of a double.
inline constexpr double max_elasticity = 10;
/// Largest elasticity of substitution between suppliers validate() accepts
/// (sectors[].elasticity). Estimates for goods as broad as the model's
/// sectors lie between about 1 and 10 (Broda and Weinstein 2006; Imbs and
/// Mejean 2015); 20 leaves room for nearly homogeneous goods. Orders raise
/// prices and trade costs to its negative power.
inline constexpr double max_substitution_elasticity = 20;

/// Largest magnitude of a state's trend growth validate() accepts
/// (states[].growth, per year: the trend of its export capacity and import
/// absorption, ODD §8.4). No economy's trend trade growth comes near 50 % a
/// year, which doubles trade in under two years and multiplies it by 58 in a
/// decade: China's exports, the fastest sustained rise of a large trader,
/// grew about 27 % a year in USD from 2001 to 2008 (about 266 to 1,430 USD bn,
/// as recalled); falls of half a year's trade are single years of war or
/// collapse, which events and paths model, not a trend. The bound also keeps
/// the compounding finite: over the longest horizon (1678 to 2261, 584 years)
/// the trend factor stays within 0.5^584 = 1e-176 and 1.5^584 = 1.6e102, and
/// a run of tests/data/mini.yaml over that horizon with every state at +0.5
/// or -0.5 and capacities at max_magnitude passes --check, while at +0.8 its
/// trade overflowed to NaN in 2245 (at +0.9 in 2197).
inline constexpr double max_growth = 0.5;

/// The sector's switching cost: its own, else parameters.orders.switching_cost.
double switching_cost(const ScenarioSpec& spec, std::size_t sector);
/// The sector's spot weight: its own, else (1 + switching_cost)^-elasticity.
double spot_weight(const ScenarioSpec& spec, std::size_t sector);

/// Years validate() accepts for the horizon. Output files date their time
/// axis "days since" the start month in the standard calendar, and xarray
/// decodes it to numpy datetime64[ns], which holds 1677-09-22 to 2262-04-11;
/// outside that range it needs cftime (not a dependency of ours), and cftime
/// reads dates before 1582-10-15 as Julian, days away from the proleptic
/// Gregorian days geosim writes, and has no year 0.
inline constexpr int min_horizon_year = 1678;
inline constexpr int max_horizon_year = 2261;

/// Checks the whole model (cross-references, dates against the horizon,
/// feasibility, the counts, magnitudes, elasticities, growth and horizon years
/// above, codes without NUL characters) and throws InputError naming the offending key.
void validate(const ScenarioSpec& spec);

/// The state or sector index of a code, or nothing.
std::optional<StateId> find_state(const ScenarioSpec& spec, const std::string& code);
std::optional<SectorId> find_sector(const ScenarioSpec& spec, const std::string& code);
std::optional<CurrencyId> find_currency(const ScenarioSpec& spec, const std::string& code);

const char* to_string(PolicyKind kind) noexcept;
const char* to_string(Role role) noexcept;

}  // namespace geosim::model
