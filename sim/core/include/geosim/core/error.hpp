#pragma once
// Two tiers of errors: InputError for anything a user can get wrong (scenario,
// command line, files given to us), EnvironmentError for what the machine does
// to us (disk full, unwritable directory). Programmer errors are asserts.
#include <stdexcept>
#include <string>

namespace geosim {

/// Where in an input file something was found. line and column are 1-based;
/// 0 means unknown (for example a value that came from --set).
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  /// "file:line:column", or "file" when the position is unknown.
  std::string str() const;
};

/// Bad input: the message names file:line:column, the key path, the value and
/// what was expected, as in
/// `baseline.yaml:42:7: events[3].intensity: 1.3 is outside [0, 1]`.
class InputError : public std::runtime_error {
 public:
  InputError(SourceLocation where, std::string key_path, std::string what);

  const SourceLocation& where() const noexcept { return where_; }
  const std::string& key_path() const noexcept { return key_path_; }
  /// The message without the location and key path.
  const std::string& detail() const noexcept { return detail_; }

 private:
  SourceLocation where_;
  std::string key_path_;
  std::string detail_;
};

/// Failure of the environment: I/O, HDF5, resources. Exit code 1.
class EnvironmentError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Version string of this build, for example "0.1.0".
const char* version() noexcept;
/// Git commit the build came from, or "unknown".
const char* git_commit() noexcept;

}  // namespace geosim
