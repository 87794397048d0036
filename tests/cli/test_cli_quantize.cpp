// `floatscope quantize` and `floatscope schemes` end to end: the spec's worked vectors through
// files, the codes / packed codes / scales files, the axis, and bad input (exit 2, nothing written).
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "floatscope/codec.hpp"
#include "floatscope/format.hpp"
#include "floatscope/npy.hpp"
#include "floatscope/packing.hpp"
#include "run_process.hpp"

using floatscope::test::ProcResult;
using floatscope::test::run_cli;
namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / "floatscope_cli_quantize";
  fs::create_directories(dir);
  return dir / name;
}

std::vector<double> load(const fs::path& p) { return floatscope::npy_to_doubles(floatscope::read_npy(p.string())); }

// A 2 x 64 matrix: row 0 holds the MXFP8 amax-960 block (960, 957, ones), row 1 ones and 7.5.
fs::path spec_input() {
  std::vector<double> x(128, 1.0);
  x[0] = 960;
  x[1] = 957;
  x[64 + 5] = 7.5;
  const fs::path p = scratch("x.npy");
  floatscope::write_npy(p.string(), x.data(), {2, 64});
  return p;
}

}  // namespace

TEST_CASE("quantize: MXFP8 amax-960 block through files, FLOOR and RCEIL (docs/references.md s.4)") {
  const fs::path in = spec_input(), out = scratch("deq.npy"), sc = scratch("sc.npy"), codes = scratch("codes.npy");
  ProcResult r = run_cli({"quantize", "--scheme", "mxfp8-e4m3", "--in", in.string(), "--out", out.string(),
                          "--scales", sc.string(), "--codes", codes.string(), "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["clamped"] == 3);  // 960/2, 957/2 beyond 448; 7.5/2^-6 = 480 in row 1's first block
  auto d = load(out);
  CHECK(d[0] == 896);
  CHECK(d[1] == 896);
  const auto arr = floatscope::read_npy(sc.string());
  CHECK(arr.descr == "<f4");
  CHECK(arr.shape == std::vector<std::size_t>{2, 2});
  CHECK(load(sc)[0] == 2.0);
  const auto c = floatscope::read_npy(codes.string());
  CHECK(c.descr == "|u1");
  CHECK(c.data[0] == 0x7e);  // 448 in E4M3
  CHECK(c.data[2] == 0x30);  // 1 / 2 = 0.5 in E4M3: exponent field 6, mantissa 0
  r = run_cli({"quantize", "--scheme", "mxfp8-e4m3", "--scale-rule", "rceil", "--in", in.string(), "--out",
               out.string()});
  REQUIRE(r.exit_code == 0);
  d = load(out);
  CHECK(d[0] == 960);
  CHECK(d[1] == 960);
}

TEST_CASE("quantize: packed fp4 codes decode to the E2M1 amax-7.5 vector") {
  std::vector<double> x(32, 0.5);
  x[0] = 7.5;
  const fs::path in = scratch("fp4.npy"), codes = scratch("fp4codes.npy");
  floatscope::write_npy(in.string(), x.data(), {32});
  const ProcResult r = run_cli({"quantize", "--scheme", "mxfp4", "--scale-rule", "rceil", "--in", in.string(),
                                "--codes", codes.string(), "--packed"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto a = floatscope::read_npy(codes.string());
  REQUIRE(a.shape == std::vector<std::size_t>{16});
  const auto unpacked = floatscope::unpack_codes(a.data, 4, 32);
  const floatscope::Format e2m1 = floatscope::parse_format("e2m1");
  CHECK(floatscope::decode(unpacked[0], e2m1) == 4.0);  // 7.5 / 2 = 3.75 -> 4 (X = 2: 8)
  CHECK(floatscope::decode(unpacked[1], e2m1) == 0.0);  // 0.5 / 2 = 0.25: a tie, to even 0
  CHECK(a.data[0] == 0x06);                             // element 0 (code 6 = 4.0) in the low nibble
}

TEST_CASE("quantize: --axis 0 runs blocks down the columns") {
  std::vector<double> x(32 * 2, 1.0);
  x[0] = 6;  // column 0 holds 6; column 1 only ones
  const fs::path in = scratch("ax.npy"), sc = scratch("axs.npy");
  floatscope::write_npy(in.string(), x.data(), {32, 2});
  const ProcResult r = run_cli({"quantize", "--scheme", "mxfp4", "--axis", "0", "--in", in.string(), "--scales", sc.string()});
  REQUIRE(r.exit_code == 0);
  CHECK(floatscope::read_npy(sc.string()).shape == std::vector<std::size_t>{1, 2});
  CHECK(load(sc) == std::vector<double>{1.0, 0.25});  // 2^(2-2), 2^(0-2)
}

TEST_CASE("quantize: bad input is exit 2 with a message naming it, and writes nothing") {
  const fs::path in = spec_input(), out = scratch("never.npy");
  fs::remove(out);
  ProcResult r = run_cli({"quantize", "--scheme", "mxfp4", "--block", "48", "--in", in.string(), "--out", out.string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--pad") != std::string::npos);
  CHECK(!fs::exists(out));
  r = run_cli({"quantize", "--scheme", "mxfp9", "--in", in.string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("mxfp8-e4m3") != std::string::npos);
  r = run_cli({"quantize", "--scheme", "mxfp4", "--in", scratch("missing.npy").string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("missing.npy") != std::string::npos);
  r = run_cli({"quantize", "--scheme", "mxfp8-e4m3", "--in", in.string(), "--codes", out.string(), "--packed"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--packed") != std::string::npos);
  CHECK(!fs::exists(out));
}

TEST_CASE("schemes: lists every scheme of the issue") {
  const ProcResult r = run_cli({"schemes", "--json"});
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  std::vector<std::string> names;
  for (const auto& s : j) names.push_back(s["name"]);
  CHECK(names == std::vector<std::string>{"mxfp8-e4m3", "mxfp8-e5m2", "mxfp6-e3m2", "mxfp6-e2m3", "mxfp4", "mxint8",
                                          "nvfp4", "fp8-tensor", "fp8-delayed", "fp8-row", "fp8-tile1x128",
                                          "fp8-block128x128", "bitnet-a8", "bitnet-w1.58"});
}
