#pragma once
// Private: the world's runtime state as the named arrays of a checkpoint.
#include <vector>

#include "geosim/engine/checkpoint.hpp"
#include "geosim/state/world.hpp"

namespace geosim::engine {

/// Every array of `world` that a step reads, pointing into it.
std::vector<StateArray> state_arrays(const state::World& world);

/// Overwrites `world` (built from the fork's spec, seed and run) with the
/// stored arrays. The arrays that only describe the world's structure
/// (which firm is where, the network's shape, trade costs) are compared
/// instead: they must equal what the spec built. Throws InputError naming
/// the checkpoint's file and array when one is missing, unknown, of another
/// type or size, or differs in structure.
void restore(state::World& world, const StoredCheckpoint& stored);

}  // namespace geosim::engine
