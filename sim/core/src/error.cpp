#include "geosim/core/error.hpp"

namespace geosim {

std::string SourceLocation::str() const {
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

namespace {
std::string compose(const SourceLocation& where, const std::string& key_path,
                    const std::string& what) {
  std::string out = where.str();
  if (!out.empty()) out += ": ";
  if (!key_path.empty()) out += key_path + ": ";
  return out + what;
}
}  // namespace

InputError::InputError(SourceLocation where, std::string key_path, std::string what)
    : std::runtime_error(compose(where, key_path, what)),
      where_(std::move(where)),
      key_path_(std::move(key_path)),
      detail_(std::move(what)) {}

const char* version() noexcept { return GEOSIM_VERSION; }
const char* git_commit() noexcept { return GEOSIM_GIT_COMMIT; }

}  // namespace geosim
