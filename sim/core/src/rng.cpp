#include "geosim/core/rng.hpp"

namespace geosim {

Stream::Stream(std::uint64_t seed, std::uint32_t run, AgentKind kind, std::uint32_t agent,
               std::uint32_t step, Phase phase) noexcept {
  key_ = {{seed, (std::uint64_t{run} << 32) | agent}};
  // counter: (step, kind and phase, draw block, 0)
  counter_ = {{step, (std::uint64_t{static_cast<std::uint32_t>(kind)} << 32) | static_cast<std::uint32_t>(phase), 0, 0}};
}

Stream::result_type Stream::operator()() noexcept {
  if (used_ == 4) {
    block_ = Philox{}(counter_, key_);
    ++counter_[2];
    used_ = 0;
  }
  return block_[used_++];
}

}  // namespace geosim
