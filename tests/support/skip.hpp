// Skipping a test case whose data or tool is absent, so that ctest reports Skipped, never Passed.
//
// A test case calls skip_test_case("why") and returns. catch_main.cpp counts the test cases that
// ran and those that skipped; when every test case of the run skipped and nothing failed, the
// program exits with 77, the SKIP_RETURN_CODE tests/CMakeLists.txt sets on every CTest entry.
// (One CTest entry runs one source file, so put data-dependent cases in a file of their own: a
// file that mixes them with ordinary cases can only report Passed.)
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace floatscope::test {

inline constexpr int kSkipReturnCode = 77;

void skip_test_case(const std::string& reason);

// The shared/ folder (full hwdata recordings): $FLOATSCOPE_SHARED_DIR when set, so a run can point
// it elsewhere (or nowhere) without rebuilding; else the folder configured at build time.
inline std::filesystem::path shared_dir() {
  if (const char* env = std::getenv("FLOATSCOPE_SHARED_DIR"); env != nullptr && *env != '\0')
    return env;
  return FLOATSCOPE_SHARED_DIR;
}

}  // namespace floatscope::test
