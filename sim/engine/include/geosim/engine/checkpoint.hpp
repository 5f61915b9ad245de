#pragma once
// The runtime state of a run at the end of a month, as named arrays: what a
// run stored with --checkpoint-at holds and what --fork-from starts from
// (docs/output-schema.md, "/checkpoint"). The engine lists the arrays
// (engine/src/checkpoint.cpp); output back-ends store them without knowing
// what they mean.
//
// Random streams are counter-based (core/rng.hpp): a draw is a function of
// (seed, run, agent, step, phase), so the seed, the run id and the step are
// the streams' whole position.
#include <cstdint>
#include <string>
#include <vector>

#include "geosim/core/month.hpp"

namespace geosim::engine {

/// Element type of a stored array.
enum class ValueType : std::uint8_t { u8, u16, u32, i32, u64, f32, f64 };

/// Bytes of one element of `type`.
constexpr std::size_t size_of(ValueType type) noexcept {
  switch (type) {
    case ValueType::u8: return 1;
    case ValueType::u16: return 2;
    case ValueType::u32:
    case ValueType::i32:
    case ValueType::f32: return 4;
    case ValueType::u64:
    case ValueType::f64: return 8;
  }
  return 0;
}

/// One array of runtime state, named by where it lives ("firms.belief",
/// "agg.backlog"). `data` points into engine state: valid only during
/// Observer::checkpoint.
struct StateArray {
  std::string name;
  ValueType type = ValueType::f64;
  std::size_t count = 0;         ///< elements
  const void* data = nullptr;
};

/// The state after the step of `month` (step `step`, 0-based): the next
/// step a fork runs is step + 1.
struct Checkpoint {
  int step = 0;
  Month month;
  std::uint64_t seed = 0;        ///< master seed of the run's streams
  std::uint32_t run = 0;         ///< run id of the run's streams
  std::vector<StateArray> arrays;
};

/// A checkpoint read back from a file; owns its bytes.
struct StoredCheckpoint {
  struct Array {
    std::string name;
    ValueType type = ValueType::f64;
    std::vector<unsigned char> bytes;  ///< native byte order
  };
  std::string file;              ///< where it was read, for messages
  int step = 0;
  Month month;
  std::uint64_t seed = 0;
  std::uint32_t run = 0;
  /// The resolved scenario of the run that stored it (YAML), for the check
  /// that a fork's scenario shares its history.
  std::string scenario;
  std::vector<Array> arrays;
};

}  // namespace geosim::engine
