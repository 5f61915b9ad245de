#pragma once
// Strong index types for the entities of the model. Every entity lives in a
// column store and is addressed by its position; the enum class keeps a state
// index from being passed where a sector index is expected.
#include <cstddef>
#include <cstdint>

namespace geosim {

enum class StateId : std::uint16_t {};
enum class SectorId : std::uint16_t {};
enum class CurrencyId : std::uint16_t {};
enum class FirmId : std::uint32_t {};
enum class BankId : std::uint32_t {};

template <class Id>
constexpr std::size_t index(Id id) noexcept {
  return static_cast<std::size_t>(id);
}

template <class Id>
constexpr Id make_id(std::size_t i) noexcept {
  return static_cast<Id>(i);
}

}  // namespace geosim
