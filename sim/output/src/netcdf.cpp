#include "netcdf.hpp"

#include <variant>

namespace geosim::output {

void write_attributes(hid_t obj, const Attributes& attributes) {
  for (const auto& a : attributes) std::visit([&](const auto& v) { h5::write_attr(obj, a.name, v); }, a.value);
}

void write_time_bounds(hid_t file, hid_t time_scale, Month start, std::size_t steps, const std::string& what) {
  const hsize_t two = 2;
  h5::Handle nv_space = h5::dataspace(H5Screate_simple(1, &two, nullptr), what);
  h5::Handle nv_dcpl = dataset_props();
  h5::Handle nv = h5::dataset(
      H5Dcreate2(file, bounds_dim_name, H5T_IEEE_F32LE, nv_space.get(), H5P_DEFAULT, nv_dcpl.get(), H5P_DEFAULT), what);
  h5::check_status(H5DSset_scale(nv.get(), "This is a netCDF dimension but not a netCDF variable.         2"), what);

  const std::vector<double> bounds = time_bounds(start, steps);
  const hsize_t dims[2] = {steps, 2};
  h5::Handle space = h5::dataspace(H5Screate_simple(2, dims, nullptr), what);
  h5::Handle dcpl = dataset_props();
  h5::Handle ds = h5::dataset(
      H5Dcreate2(file, time_bounds_name, H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), what);
  if (steps > 0) h5::check_status(H5Dwrite(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, bounds.data()), what);
  write_attributes(ds.get(), time_bounds_attributes());
  h5::check_status(H5DSattach_scale(ds.get(), time_scale, 0), what + ": cannot attach dimension 'time'");
  h5::check_status(H5DSattach_scale(ds.get(), nv.get(), 1), what + ": cannot attach dimension 'nv'");
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
