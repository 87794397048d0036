// Reading a sweep directory back in CLI tests (header-only): its rows without the timing column
// and its meta.json.
#pragma once

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "floatscope/sweep.hpp"
#include "scratch.hpp"

namespace floatscope::test {

// Rows without the timing column, in file order (a complete results.csv is in grid order).
inline std::vector<std::vector<std::string>> rows_of(const std::filesystem::path& d) {
  auto t = sweep::read_csv_file(d / "results.csv");
  REQUIRE(t.header == sweep::csv_columns());
  const auto sec = static_cast<std::ptrdiff_t>(std::find(t.header.begin(), t.header.end(), "seconds") - t.header.begin());
  for (auto& r : t.rows) r.erase(r.begin() + sec);
  return t.rows;
}

inline nlohmann::json meta_of(const std::filesystem::path& d) { return nlohmann::json::parse(slurp(d / "meta.json")); }

}  // namespace floatscope::test
