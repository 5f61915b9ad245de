#pragma once
// Private helpers shared by the run and sweep writers: the netCDF-4 layout
// conventions (dimension long names, creation-order tracking, no object
// times) that both file kinds follow.
#include <string>

#include "geosim/core/month.hpp"
#include "geosim/engine/observer.hpp"
#include "geosim/output/layout.hpp"
#include "h5.hpp"

namespace geosim::output {

/// Writes each attribute of the layout (layout.hpp) on `obj`.
void write_attributes(hid_t obj, const Attributes& attributes);

/// Writes time_bnds(time, nv) (layout.hpp, time_bounds) into `file` with the
/// dimension nv, which has no coordinate variable (netCDF-4 marks such a
/// dimension scale with a NAME saying so). `what` prefixes error messages.
void write_time_bounds(hid_t file, hid_t time_scale, Month start, std::size_t steps, const std::string& what);

/// Creation properties for a group or (with H5P_FILE_CREATE) a file's root
/// group: link and attribute creation order tracked (netCDF-C requires it)
/// and no modification times (same inputs, same bytes).
h5::Handle group_props(hid_t cls);

/// Creation properties for a dataset, with the same conventions.
h5::Handle dataset_props();

/// "YYYY-MM-01", the CF time origin of a month.
std::string first_day(Month m);

}  // namespace geosim::output
