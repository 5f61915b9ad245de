#pragma once
// Counter-based random streams (Random123 Philox4x64). A stream is keyed by
// (seed, run, agent) and counted by (step, phase, draw), so an agent's draws
// are a pure function of those numbers: the same whatever the thread count,
// shard or MPI rank that happens to evaluate it. Streams are cheap to make
// (two small arrays, no heap) and meant to be created where they are used.
//
// A Stream is a UniformRandomBitGenerator, so Boost.Random distributions can
// draw from it; we use Boost's rather than std's distributions because their
// algorithms are fixed by the library, not by the standard library vendor.
#include <cstdint>
#include <limits>

#include <Random123/philox.h>

namespace geosim {

/// The phases of a step that draw random numbers; part of the stream counter.
enum class Phase : std::uint32_t {
  init = 0,        ///< population generation (step is 0)
  risk = 2,        ///< risk assessment and social learning
  enforcement = 7, ///< detection of violations
};

/// Which kind of agent a stream belongs to; keeps firm 5 and bank 5 apart.
enum class AgentKind : std::uint32_t { firm = 0, bank = 1, state = 2 };

class Stream {
 public:
  using result_type = std::uint64_t;

  /// Stream for one agent in one phase of one step.
  Stream(std::uint64_t seed, std::uint32_t run, AgentKind kind, std::uint32_t agent,
         std::uint32_t step, Phase phase) noexcept;

  static constexpr result_type min() noexcept { return 0; }
  static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }

  /// Next 64 random bits.
  result_type operator()() noexcept;

  /// Uniform double in [0, 1) with 53 random bits; the engine's common case,
  /// kept here so that hot loops need no distribution object.
  double uniform() noexcept { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

 private:
  using Philox = r123::Philox4x64;
  Philox::ctr_type counter_;
  Philox::key_type key_;
  Philox::ctr_type block_;
  unsigned used_ = 4;
};

}  // namespace geosim
