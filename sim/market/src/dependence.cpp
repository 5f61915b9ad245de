#include "geosim/market/dependence.hpp"

#include <cassert>
#include <limits>

namespace geosim::market {

state::Grid dependence(const state::Grid& value) {
  const std::size_t S = value.extent(0), K = value.extent(2);
  state::Grid both({S, S}), total({S});
  for (std::size_t i = 0; i < S; ++i)
    for (std::size_t j = 0; j < S; ++j)
      for (std::size_t k = 0; k < K; ++k) {
        const double pair = value(i, j, k) + value(j, i, k);
        both(i, j) += pair;
        total(i) += pair;
      }
  state::Grid d({S, S});
  for (std::size_t i = 0; i < S; ++i)
    for (std::size_t j = 0; j < S; ++j) d(i, j) = total(i) > 0 ? both(i, j) / total(i) : 0.0;
  return d;
}

// Net dependence, not a ratio of dependences: a ratio is undefined at no
// trade and jumps near it (any ratio of two quantities that vanish together
// depends on how they vanish), and of trade shares it would be only the
// ratio of the two states' total trade, whatever they trade with each other.
// The difference is an absolute scale (1: all of i's trade is with j, and
// none of j's with i), needs no floor, and is 0 at no trade.
double leverage(double dependence_ij, double dependence_ji) {
  assert(dependence_ij >= 0 && dependence_ij <= 1 && dependence_ji >= 0 && dependence_ji <= 1);
  return 0.5 + 0.5 * (dependence_ij - dependence_ji);
}

double leverage_ratio(double dependence_ij, double dependence_ji) {
  assert(dependence_ij >= 0 && dependence_ij <= 1 && dependence_ji >= 0 && dependence_ji <= 1);
  const double net = dependence_ij - dependence_ji;
  return net < 1 ? (1 + net) / (1 - net) : std::numeric_limits<double>::infinity();
}

void update_dependence(state::World& world, const state::Grid& value) { world.agg.dependence = dependence(value); }

}  // namespace geosim::market
