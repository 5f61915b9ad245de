#include "netcdf.hpp"

namespace geosim::output {

using engine::Dim;

const char* dim_long_name(Dim d) {
  switch (d) {
    case Dim::time: return "time (first day of the simulated month)";
    case Dim::state: return "reporting state (exporter, or the state a quantity belongs to)";
    case Dim::partner: return "partner state (importer or counterpart)";
    case Dim::sector: return "sector";
    case Dim::currency: return "settlement currency";
    case Dim::route: return "trade route";
  }
  return "?";
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
