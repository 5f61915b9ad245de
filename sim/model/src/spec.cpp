#include "geosim/model/spec.hpp"
