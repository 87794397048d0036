// BitNet b1.58 through the commands: `schemes` lists it, `quantize` writes ternary values five per
// byte in base 3 (decoded here digit by digit), `gemm` reports the cost keys and refuses an
// accumulator that cannot sum the integer products exactly (exit 2).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "floatscope/npy.hpp"
#include "run_process.hpp"

using floatscope::test::ProcResult;
using floatscope::test::run_cli;
namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / "floatscope_cli_bitnet";
  fs::create_directories(dir);
  return dir / name;
}

}  // namespace

TEST_CASE("schemes lists the BitNet schemes") {
  const ProcResult r = run_cli({"schemes", "--json"});
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  int found = 0;
  for (const auto& s : j)
    if (s["name"] == "bitnet-a8" || s["name"] == "bitnet-w1.58") ++found;
  CHECK(found == 2);
}

TEST_CASE("quantize bitnet-w1.58: packed ternary values, 1.6 bits per element") {
  // mean|W| = 8 / 8 = 1 (up to the decimals' double rounding, far from every threshold):
  // |W| > (1 + eps) / 2 -> sign(W): 0, -1, 1, -1, 1, 0, 0, 1; |W| >= 1.5 (1 + eps) clipped: 1.6, 3.
  const std::vector<double> w = {0.2, -0.8, 1.6, -1.4, 0.6, 0.3, -0.1, 3.0};
  const fs::path in = scratch("w.npy"), codes = scratch("codes.npy");
  floatscope::write_npy(in.string(), w.data(), {1, w.size()});
  const ProcResult r = run_cli({"quantize", "--scheme", "bitnet-w1.58", "--in", in.string(), "--codes",
                                codes.string(), "--packed", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["flushed"] == 3);
  CHECK(j["clamped"] == 2);
  CHECK(j["bits_per_element"].get<double>() == 1.6 + 32.0 / 8);
  const auto bytes = floatscope::read_npy(codes.string());
  REQUIRE(bytes.shape == std::vector<std::size_t>{2});  // ceil(8 / 5)
  const std::vector<int> expect = {0, -1, 1, -1, 1, 0, 0, 1};
  std::vector<int> got;
  for (std::size_t b = 0; b < 2; ++b) {
    unsigned v = bytes.data[b];
    for (int d = 0; d < 5 && got.size() < expect.size(); ++d, v /= 3) got.push_back(static_cast<int>(v % 3) - 1);
  }
  CHECK(got == expect);
}

TEST_CASE("gemm bitnet-a8+bitnet-w1.58: cost keys, and inexact accumulators refused") {
  ProcResult r = run_cli({"gemm", "--scheme", "bitnet-a8+bitnet-w1.58", "--M", "4", "--N", "4", "--K", "640", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["inner_op"] == 0);
  CHECK(j["a_bits_per_element"].get<double>() == 8 + 32.0 / 640);
  CHECK(j["b_bits_per_element"].get<double>() == 1.6 + 32.0 / (640 * 4));
  r = run_cli({"gemm", "--scheme", "bitnet-a8+bitnet-w1.58", "--M", "4", "--N", "4", "--K", "640", "--acc-format", "bf16"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("must be exact") != std::string::npos);
}
