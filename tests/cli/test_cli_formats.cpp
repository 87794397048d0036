// `floatscope formats`: the JSON listing carries every preset with the constants of the specs
// (docs/references.md s.1: OFP8 Table 1, OCP MX v1.0, IEEE 754-2019 Table 3.5, ml_dtypes FNUZ).
#include <catch2/catch.hpp>

#include <cfloat>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "run_process.hpp"

namespace {

struct Expected {
  double max_finite;
  double min_subnormal;
  int bits;
};

// Spec constants, written out independently of the library's tables.
const std::map<std::string, Expected>& expected_presets() {
  static const std::map<std::string, Expected> m = {
      {"fp64", {DBL_MAX, 0x1p-1074, 64}},
      {"fp32", {FLT_MAX, 0x1p-149, 32}},
      {"tf32", {(2 - 0x1p-10) * 0x1p127, 0x1p-136, 19}},
      {"fp16", {65504, 0x1p-24, 16}},
      {"bf16", {(2 - 0x1p-7) * 0x1p127, 0x1p-133, 16}},
      {"e4m3", {448, 0x1p-9, 8}},
      {"e5m2", {57344, 0x1p-16, 8}},
      {"e4m3fnuz", {240, 0x1p-10, 8}},
      {"e5m2fnuz", {57344, 0x1p-17, 8}},
      {"e3m2", {28, 0.0625, 6}},
      {"e2m3", {7.5, 0.125, 6}},
      {"e2m1", {6, 0.5, 4}},
      {"e8m0", {0x1p127, 0x1p-127, 8}},
      {"int8", {127.0 / 64, 1.0 / 64, 8}},
  };
  return m;
}

}  // namespace

TEST_CASE("formats --json lists every preset with its spec constants", "[cli_formats]") {
  const ProcResult r = run_cli({"formats", "--json"});
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  nlohmann::json j;
  REQUIRE_NOTHROW(j = nlohmann::json::parse(r.out));
  REQUIRE(j.is_array());
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& f : j) by_name[f.at("name").get<std::string>()] = f;
  for (const auto& [name, want] : expected_presets()) {
    INFO("format " << name);
    REQUIRE(by_name.count(name) == 1);
    const auto& f = by_name[name];
    CHECK(f.at("max_finite").get<double>() == want.max_finite);
    CHECK(f.at("min_subnormal").get<double>() == want.min_subnormal);
    CHECK(f.at("bits").get<int>() == want.bits);
  }
  CHECK(by_name.size() == expected_presets().size());
  CHECK(by_name["e4m3"].at("specials") == "fn");
  CHECK(by_name["e5m2"].at("specials") == "ieee");
  CHECK(by_name["e4m3fnuz"].at("specials") == "fnuz");
  CHECK(by_name["e2m1"].at("specials") == "none");
}

TEST_CASE("formats table exits 0 and names every preset", "[cli_formats]") {
  const ProcResult r = run_cli({"formats"});
  CHECK(r.exit_code == 0);
  for (const auto& [name, want] : expected_presets()) {
    INFO("format " << name);
    CHECK(r.out.find(name) != std::string::npos);
  }
}
