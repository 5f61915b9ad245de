#include "netcdf.hpp"

#include <variant>

namespace geosim::output {

void write_attributes(hid_t obj, const Attributes& attributes) {
  for (const auto& a : attributes) std::visit([&](const auto& v) { h5::write_attr(obj, a.name, v); }, a.value);
}

namespace {
constexpr unsigned order_flags = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
}  // namespace

h5::Handle group_props(hid_t cls) {
  h5::Handle p = h5::plist(H5Pcreate(cls), "cannot create group properties");
  h5::check_status(H5Pset_link_creation_order(p.get(), order_flags), "cannot track link creation order");
  h5::check_status(H5Pset_attr_creation_order(p.get(), order_flags), "cannot track attribute creation order");
  h5::check_status(H5Pset_obj_track_times(p.get(), false), "cannot turn off object times");
  return p;
}

h5::Handle dataset_props() {
  h5::Handle p = h5::plist(H5Pcreate(H5P_DATASET_CREATE), "cannot create dataset properties");
  h5::check_status(H5Pset_attr_creation_order(p.get(), order_flags), "cannot track attribute creation order");
  h5::check_status(H5Pset_obj_track_times(p.get(), false), "cannot turn off object times");
  return p;
}

std::string first_day(Month m) { return m.str() + "-01"; }

}  // namespace geosim::output
