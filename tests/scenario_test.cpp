#include <catch2/catch.hpp>

#include "geosim/scenario/load.hpp"

TEST_CASE("the baseline scenario loads", "[scenario]") {
  const auto spec = geosim::scenario::load_file(GEOSIM_SOURCE_DIR "/scenarios/baseline.yaml");
  CHECK(spec.states.size() == 7);
}
