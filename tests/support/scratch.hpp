// Scratch folders and file reading for tests that run the CLI on files. Header-only.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace floatscope::test {

// A folder created empty now and removed with everything in it when the object goes away.
struct ScratchFolder {
  std::filesystem::path path;
  explicit ScratchFolder(std::filesystem::path p) : path(std::move(p)) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~ScratchFolder() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
};

// One scratch folder per test program and process, named after `tag`, removed at exit.
inline std::filesystem::path scratch_root(const std::string& tag) {
  static const ScratchFolder root(std::filesystem::temp_directory_path() /
                                  ("floatscope_test_" + tag + "_" + std::to_string(::getpid())));
  return root.path;
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace floatscope::test
