// `floatscope check round|gemm` end to end: exit codes, the mismatch report, JUnit XML, JSON.
// check round runs on a small E4M3 table written from the OFP8 spec (max 448, 3 fraction bits,
// bias 7, NaN 0x7f; docs/references.md s.1-2) with planted errors; check gemm on outputs of one
// hardware model checked against another, the expected mismatches found by comparing the two
// emulated matrices element by element here.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "floatscope/gemm.hpp"
#include "floatscope/models.hpp"
#include "floatscope/npy.hpp"
#include "run_process.hpp"
#include "text.hpp"
#include "scratch.hpp"

using floatscope::test::ProcResult;
using floatscope::test::run_cli;
using floatscope::test::has;
namespace fs = std::filesystem;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

fs::path scratch(const std::string& name) { return floatscope::test::scratch_root("cli_check") / name; }

std::string save(const std::string& name, const std::vector<double>& v) {
  const fs::path p = scratch(name);
  floatscope::write_npy(p.string(), v.data(), {v.size()});
  return p.string();
}

// A uint8 .npy file (numpy.save's version 1.0 layout), for results given as codes.
std::string save_codes(const std::string& name, const std::vector<std::uint8_t>& codes) {
  const fs::path p = scratch(name);
  std::string header = "{'descr': '|u1', 'fortran_order': False, 'shape': (" + std::to_string(codes.size()) + ",), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::ofstream out(p, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  const std::uint16_t len = static_cast<std::uint16_t>(header.size());
  out.put(static_cast<char>(len & 0xff));
  out.put(static_cast<char>(len >> 8));
  out << header;
  out.write(reinterpret_cast<const char*>(codes.data()), static_cast<std::streamsize>(codes.size()));
  return p.string();
}

// E4M3 under round-to-nearest-even with the spec's overflow rule (NaN), from OFP8's definition.
struct Row {
  double x, y;
  std::uint8_t code;
};
const std::vector<Row> kE4m3Rne = {
    {1.0, 1.0, 0x38},
    {1.0625, 1.0, 0x38},      // tie between 1 (even) and 1.125
    {1.1875, 1.25, 0x3a},     // tie between 1.125 and 1.25 (even)
    {3.1, 3.0, 0x44},
    {-3.1, -3.0, 0xc4},
    {464, 448, 0x7e},         // tie between 448 (even) and 480 (beyond max)
    {500, kNaN, 0x7f},        // overflow: NaN (E4M3 has no Inf)
    {kInf, kNaN, 0x7f},
    {0x1p-8, 0x1p-8, 0x02},   // subnormal 2 x 2^-9
    {1e-10, 0.0, 0x00},
    {-1e-10, -0.0, 0x80},
    {0.0, 0.0, 0x00},
};

std::vector<double> xs() {
  std::vector<double> v;
  for (const auto& r : kE4m3Rne) v.push_back(r.x);
  return v;
}

// The table with four planted errors: ties away, saturation, a flushed subnormal, a lost -0 sign.
std::vector<double> planted() {
  std::vector<double> y;
  for (const auto& r : kE4m3Rne) y.push_back(r.y);
  y[1] = 1.125;
  y[6] = 448;
  y[8] = 0.0;
  y[10] = 0.0;
  return y;
}

ProcResult check(std::vector<std::string> args) {
  args.insert(args.begin(), "check");
  return run_cli(args);
}

}  // namespace

TEST_CASE("check round: clean data pass, planted errors fail with their classes", "[cli_check]") {
  const std::string in = save("x.npy", xs());
  std::vector<double> clean;
  for (const auto& r : kE4m3Rne) clean.push_back(r.y);
  const ProcResult ok = check({"round", "--format", "e4m3", "--in", in, "--got", save("clean.npy", clean)});
  INFO(ok.out << ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(has(ok.out, "wrong: 0 of 12"));

  const std::string got = save("planted.npy", planted());
  const ProcResult bad = check({"round", "--format", "e4m3", "--in", in, "--got", got});
  INFO(bad.out << bad.err);
  CHECK(bad.exit_code == 1);
  CHECK(has(bad.out, "wrong: 4 of 12"));
  const auto lines = floatscope::test::split_lines(bad.out);
  auto line_of = [&](const std::string& start) {
    for (const auto& l : lines)
      if (l.rfind(start, 0) == 0) return l;
    return std::string();
  };
  // Per-class table: case, checked, wrong.
  CHECK(line_of("tie ").find(" 1") != std::string::npos);
  CHECK(has(line_of("1 "), "0x38 (1)"));            // index 1: expected 0x38 ...
  CHECK(has(line_of("1 "), "0x39 (1.125)"));        // ... got 0x39 ...
  CHECK(has(line_of("1 "), "odd, away"));           // ... which follows ties-away
  CHECK(has(line_of("6 "), "overflow"));
  CHECK(has(line_of("6 "), "0x7f (nan)"));
  CHECK(has(line_of("6 "), "0x7e (448)"));
  CHECK(has(line_of("8 "), "subnormal"));
  CHECK(has(line_of("10 "), "signed-zero"));
  CHECK(has(line_of("10 "), "0x80 (-0)"));

  // Tolerated: 4 of 12 is within one half.
  CHECK(check({"round", "--format", "e4m3", "--in", in, "--got", got, "--max-mismatch", "0.5"}).exit_code == 0);
  CHECK(check({"round", "--format", "e4m3", "--in", in, "--got", got, "--max-mismatch", "0.3"}).exit_code == 1);
}

TEST_CASE("check round: results as codes", "[cli_check]") {
  std::vector<std::uint8_t> codes;
  for (const auto& r : kE4m3Rne) codes.push_back(r.code);
  const std::string in = save("xc.npy", xs());
  CHECK(check({"round", "--format", "e4m3", "--in", in, "--got-codes", save_codes("c.npy", codes)}).exit_code == 0);
  codes[2] = 0x39;  // 1.1875 -> 1.125: the odd neighbour, toward zero
  const ProcResult r = check({"round", "--format", "e4m3", "--in", in, "--got-codes", save_codes("c2.npy", codes)});
  CHECK(r.exit_code == 1);
  CHECK(has(r.out, "wrong: 1 of 12"));
  CHECK(has(r.out, "odd, toward zero"));
}

TEST_CASE("check round --rounding auto names the mode", "[cli_check]") {
  const std::string in = save("xa.npy", xs());
  std::vector<double> clean;
  for (const auto& r : kE4m3Rne) clean.push_back(r.y);
  const ProcResult r = check({"round", "--format", "e4m3", "--rounding", "auto", "--in", in, "--got", save("ca.npy", clean)});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "rounding auto: matches all 12 values: rne\n"));

  // Ties away with saturation, by hand: 1.0625 -> 1.125, 1.1875 -> 1.25, 464 -> 480 -> 448,
  // 500 -> 448, Inf -> 448; the rest as under rne.
  std::vector<double> rna = clean;
  rna[1] = 1.125;
  rna[6] = 448;
  rna[7] = 448;
  const ProcResult a = check({"round", "--format", "e4m3", "--rounding", "auto", "--in", in, "--got", save("rna.npy", rna), "--json"});
  INFO(a.out << a.err);
  CHECK(a.exit_code == 0);
  const auto j = nlohmann::json::parse(a.out);
  CHECK(j["rounding"] == "rna+saturate");
  CHECK(j["auto"][0]["rounding"] == "rna+saturate");
  CHECK(j["auto"][0]["wrong"] == 0);
  CHECK(j["auto"][1]["wrong"] > 0);

  // The planted table matches no mode: the best is named with its rate, exit 1.
  const ProcResult p = check({"round", "--format", "e4m3", "--rounding", "auto", "--in", in, "--got", save("pa.npy", planted())});
  CHECK(p.exit_code == 1);
  CHECK(has(p.out, "no mode matches all 12 values; best"));
}

TEST_CASE("check round: JUnit XML and JSON reports", "[cli_check]") {
  const std::string in = save("xj.npy", xs());
  const std::string got = save("pj.npy", planted());
  const fs::path xml = scratch("report.xml");
  const ProcResult r = check({"round", "--format", "e4m3", "--in", in, "--got", got, "--junit", xml.string(), "--json"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  const std::string x = floatscope::test::slurp(xml);
  CHECK(has(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
  // 7 test cases (all values + 6 classes); all values and 4 classes fail; none skipped.
  CHECK(has(x, "<testsuite name=\"check round e4m3 rne\" tests=\"7\" failures=\"5\" errors=\"0\" skipped=\"0\">"));
  CHECK(has(x, "<testcase classname=\"floatscope.check.round.e4m3\" name=\"ordinary\"/>"));
  CHECK(has(x, "<testcase classname=\"floatscope.check.round.e4m3\" name=\"tie\">\n      <failure type=\"mismatch\" message=\"1 of 2 wrong\">"));
  CHECK(has(x, "<testcase classname=\"floatscope.check.round.e4m3\" name=\"nan-inf\"/>"));
  CHECK_FALSE(fs::exists(xml.string() + ".tmp"));

  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["pass"] == false);
  CHECK(j["result"]["wrong"] == 4);
  CHECK(j["result"]["checked"] == 12);
  CHECK(j["result"]["cases"]["tie"]["checked"] == 2);
  CHECK(j["result"]["cases"]["tie"]["wrong"] == 1);
  CHECK(j["result"]["cases"]["overflow"]["wrong"] == 1);
  CHECK(j["result"]["cases"]["subnormal"]["wrong"] == 1);
  CHECK(j["result"]["cases"]["signed-zero"]["wrong"] == 1);
  REQUIRE(j["result"]["mismatches"].size() == 4);
  CHECK(j["result"]["mismatches"][0]["index"] == 1);
  CHECK(j["result"]["mismatches"][0]["input"] == "0x1.1p+0");
  CHECK(j["result"]["mismatches"][0]["tie_rule"] == "odd, away");
}

TEST_CASE("check round: bad input is exit 2 with a message, and no report", "[cli_check]") {
  const std::string in = save("xe.npy", xs());
  const std::string short_got = save("short.npy", {1.0, 2.0});
  const fs::path xml = scratch("never.xml");
  const ProcResult r = check({"round", "--format", "e4m3", "--in", in, "--got", short_got, "--junit", xml.string()});
  CHECK(r.exit_code == 2);
  CHECK(has(r.err, "holds 2 values but"));
  CHECK_FALSE(fs::exists(xml));
  CHECK(check({"round", "--format", "e4m3", "--in", in}).exit_code == 2);  // no --got
  const ProcResult missing = check({"round", "--format", "e4m3", "--in", scratch("nope.npy").string(), "--got", short_got});
  CHECK(missing.exit_code == 2);
  CHECK(has(missing.err, "nope.npy"));
  const ProcResult sr = check({"round", "--format", "e4m3", "--rounding", "sr", "--in", in, "--got", in});
  CHECK(sr.exit_code == 2);
  CHECK(has(sr.err, "stochastic"));
  CHECK(check({"round", "--format", "e4m3", "--in", in, "--got", in, "--max-mismatch", "2"}).exit_code == 2);
  CHECK(check({"round", "--format", "e9m9x", "--in", in, "--got", in}).exit_code == 2);
  const ProcResult codes_in = check({"round", "--format", "e4m3", "--in", save_codes("cin.npy", {0x38, 0x39}),
                                     "--got", short_got});
  CHECK(codes_in.exit_code == 2);
  CHECK(has(codes_in.err, "--in holds integer codes (|u1); it takes values here"));
}

TEST_CASE("check gemm: outputs of one model checked against another", "[cli_check]") {
  using namespace floatscope;
  // fp16 inputs: multiples of 2^-10 in (-4, 4) with mixed exponents, exactly fp16.
  const int M = 6, N = 5, K = 64;
  std::vector<double> A(M * K), B(K * N), C(M * N);
  std::uint64_t s = 12345;
  auto next = [&] {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(static_cast<std::int64_t>(s >> 52) - 2048) / 1024.0;
  };
  for (auto& v : A) v = next();
  for (auto& v : B) v = next() / 64;
  for (auto& v : C) v = next() * 1024;  // a large C makes the truncation depend on where it enters
  const auto h100 = emulate_gemm(model_accumulator("h100-fp16"), M, N, K, A.data(), B.data(), C.data(), 1).C;
  const auto v100 = emulate_gemm(model_accumulator("v100-fp16"), M, N, K, A.data(), B.data(), C.data(), 1).C;
  std::size_t differ = 0, first_row = 0, first_col = 0;
  for (std::size_t i = 0; i < h100.size(); ++i)
    if (h100[i] != v100[i] && differ++ == 0) {
      first_row = i / N;
      first_col = i % N;
    }
  REQUIRE(differ > 0);
  REQUIRE(differ < h100.size());
  auto mat = [&](const std::string& name, const std::vector<double>& v, std::size_t r, std::size_t c) {
    const fs::path p = scratch(name);
    write_npy(p.string(), v.data(), {r, c});
    return p.string();
  };
  const std::string a = mat("A.npy", A, M, K), b = mat("B.npy", B, K, N), c = mat("C.npy", C, M, N);
  const std::string d = mat("D_h100.npy", h100, M, N);

  const ProcResult same = check({"gemm", "--a", a, "--b", b, "--c", c, "--got", d, "--model", "h100-fp16"});
  INFO(same.out << same.err);
  CHECK(same.exit_code == 0);
  CHECK(has(same.out, "bit-exact: 30 of 30 (match 100%)"));

  const ProcResult other = check({"gemm", "--a", a, "--b", b, "--c", c, "--got", d, "--model", "v100-fp16", "--json"});
  INFO(other.out << other.err);
  CHECK(other.exit_code == 1);
  const auto j = nlohmann::json::parse(other.out);
  CHECK(j["checked"] == 30);
  CHECK(j["wrong"] == differ);
  REQUIRE(!j["mismatches"].empty());
  CHECK(j["mismatches"][0]["row"] == first_row);
  CHECK(j["mismatches"][0]["col"] == first_col);
  // The largest deviation, in ulps of fp32 at the expected (v100) value.
  double max_ulps = 0;
  for (std::size_t i = 0; i < h100.size(); ++i) {
    const double e = v100[i];
    const double ulp = std::ldexp(1.0, std::max(std::ilogb(e), -126) - 23);
    max_ulps = std::max(max_ulps, std::fabs(h100[i] - e) / ulp);
  }
  CHECK(j["max_ulps"] == max_ulps);
  CHECK(j["out_format"] == "fp32");
  CHECK(check({"gemm", "--a", a, "--b", b, "--c", c, "--got", d, "--model", "v100-fp16", "--max-mismatch", "1"}).exit_code == 0);

  // Shapes that do not fit, inputs off the format's grid: exit 2.
  CHECK(check({"gemm", "--a", a, "--b", a, "--got", d, "--model", "h100-fp16"}).exit_code == 2);
  const std::vector<double> off(M * K, 1.0 / 3);
  const ProcResult grid = check({"gemm", "--a", mat("off.npy", off, M, K), "--b", b, "--got", d, "--model", "h100-fp16"});
  CHECK(grid.exit_code == 2);
  CHECK(has(grid.err, "A"));
}
