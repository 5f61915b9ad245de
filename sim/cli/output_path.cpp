#include "output_path.hpp"

#include <filesystem>

#include "geosim/core/error.hpp"

namespace geosim::cli {

namespace fs = std::filesystem;

namespace {

const char* describe(fs::file_type type) {
  switch (type) {
    case fs::file_type::directory: return "a directory";
    case fs::file_type::character: return "a character device";
    case fs::file_type::block: return "a block device";
    case fs::file_type::fifo: return "a fifo";
    case fs::file_type::socket: return "a socket";
    default: return "an unknown kind of file";
  }
}

}  // namespace

std::string output_target(const std::string& out) {
  const fs::path path(out);
  std::error_code ec;
  const auto link = fs::symlink_status(path, ec);
  if (ec || link.type() == fs::file_type::not_found) return out;
  fs::path target = path;
  if (link.type() == fs::file_type::symlink) {
    target = fs::canonical(path, ec);
    if (ec)
      throw InputError({out, 0, 0}, "", "is a symbolic link to '" + fs::read_symlink(path, ec).string() +
                                            "', which does not exist; geosim writes through links only to existing files");
  }
  const auto type = fs::status(target, ec).type();
  if (type != fs::file_type::regular) {
    const std::string what = target == path ? std::string("is ") : "is a symbolic link to '" + target.string() + "', which is ";
    throw InputError({out, 0, 0}, "", what + describe(type) + ", not a regular file; geosim writes results only to regular files");
  }
  return target.string();
}

}  // namespace geosim::cli
