// `floatscope fit` end to end: a recorded tensor-core set of the shipped subset (hwdata row layout;
// the oracle is the hardware's output words and the named model's parameters), a GEMM written by
// `floatscope gemm` under a named model (the fit must name that model, and the `floatscope gemm`
// flags it prints must reproduce the same bits), and bad input.
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
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
using floatscope::test::words;
namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) { return floatscope::test::scratch_root("cli_fit") / name; }

// E4M3 values (OFP8: 3 fraction bits, exponents -6..8): (8 + m) / 8 * 2^e with a random sign.
std::vector<double> e4m3_values(std::size_t n, std::uint64_t seed) {
  std::vector<double> v(n);
  std::uint64_t s = seed;
  for (auto& x : v) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    const int m = static_cast<int>((s >> 33) % 8), e = static_cast<int>((s >> 40) % 9) - 4;
    x = ((s >> 50) & 1 ? -1.0 : 1.0) * std::ldexp((8 + m) / 8.0, e);
  }
  return v;
}

}  // namespace

TEST_CASE("fit: a recorded tensor-core set names its hardware model", "[cli_fit]") {
  const fs::path dir = fs::path(FLOATSCOPE_SOURCE_DIR) / "tests" / "data" / "hwdata-subset" / "H100_fp16";
  REQUIRE(fs::is_directory(dir));
  const ProcResult r = run_cli({"fit", "--dot-rows", "--a", (dir / "a.npy").string(), "--b", (dir / "b.npy").string(),
                                "--c", (dir / "c.npy").string(), "--got", (dir / "d_fp32.npy").string(),
                                "--a-format", "fp16"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "fit: 500 cases, K=16, A fp16, B fp16\n"));
  CHECK(has(r.out, "1 model(s) reproduce all 500 cases bit for bit\n"));
  // Khattak & Mikaitis / docs/references.md s.5: 16 products + C per step, 25 bits, fp32 RZ.
  CHECK(has(r.out, "100%  block-fma L=16 (whole K) F=25 out=fp32/rtz C=first-step  = model h100-fp16"));
}

TEST_CASE("fit: a GEMM of a named model is refit, and the printed flags reproduce it", "[cli_fit]") {
  const int M = 8, N = 8, K = 256;
  const auto A = e4m3_values(M * K, 1), B = e4m3_values(K * N, 2);
  const std::string a = scratch("A.npy").string(), b = scratch("B.npy").string(), d = scratch("D.npy").string();
  floatscope::write_npy(a, A.data(), {M, K});
  floatscope::write_npy(b, B.data(), {K, N});
  const ProcResult g = run_cli({"gemm", "--a", a, "--b", b, "--model", "h100-fp8-promote128", "--a-format", "e4m3",
                                "--out", d, "--reference", "none"});
  INFO(g.out << g.err);
  REQUIRE(g.exit_code == 0);

  const ProcResult f = run_cli({"fit", "--a", a, "--b", b, "--got", d, "--a-format", "e4m3", "--json"});
  INFO(f.out << f.err);
  REQUIRE(f.exit_code == 0);
  const auto j = nlohmann::json::parse(f.out);
  CHECK(j["cases"] == M * N);
  CHECK(j["K"] == K);
  REQUIRE(j["full_matches"] >= 1);
  bool named = false;
  int replayed = 0;
  const std::vector<double> want = floatscope::npy_to_doubles(floatscope::read_npy(d));
  for (const auto& m : j["models"]) {
    if (m["matched"] != M * N) continue;
    named = named || m["model"] == "block-fma L=32 F=13 out=e8m13/rtz C=outer promote=128 (fp32/rne)";
    const std::string flags = m["gemm"];
    if (flags.empty() || replayed >= 3) continue;
    // The printed command, run as printed (with --out added), gives the recorded bits.
    std::vector<std::string> args = words(flags);
    REQUIRE(args.at(0) == "floatscope");
    args.erase(args.begin());
    const std::string d2 = scratch("D2.npy").string();
    args.insert(args.end(), {"--out", d2, "--reference", "none"});
    const ProcResult rerun = run_cli(args);
    INFO(flags << "\n" << rerun.err);
    REQUIRE(rerun.exit_code == 0);
    const std::vector<double> got = floatscope::npy_to_doubles(floatscope::read_npy(d2));
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < got.size(); ++i)
      CHECK(std::bit_cast<std::uint64_t>(got[i]) == std::bit_cast<std::uint64_t>(want[i]));
    ++replayed;
  }
  CHECK(named);
  CHECK(replayed >= 1);
}

TEST_CASE("fit: fp16-D recordings name the fp16-accumulating models", "[cli_fit]") {
  const fs::path root = fs::path(FLOATSCOPE_SOURCE_DIR) / "tests" / "data" / "hwdata-subset";
  // FP8 mma.sync with fp16 C and D on H100: the interleaved fp16-datapath schedule (docs/references.md s.5).
  const fs::path dir = root / "H100_E4M3";
  REQUIRE(fs::is_regular_file(dir / "d_fp16.npy"));
  const ProcResult r = run_cli({"fit", "--dot-rows", "--a", (dir / "a.npy").string(), "--b", (dir / "b.npy").string(),
                                "--c", (dir / "c.npy").string(), "--got", (dir / "d_fp16.npy").string(),
                                "--a-format", "e4m3", "--show", "100"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "fit: 500 cases, K=32, A e4m3, B e4m3\n"));
  CHECK(has(r.out, "block-fma L=16 F=25 interleaved-pairs/32 out=fp16/rne C=at-end (fp16/rne) C-read=fp16/rne  = "
                   "model h100-fp8-acc16, h200-fp8-acc16, b200-fp8-acc16"));
  CHECK(!has(r.out, "aligner variants searched"));
  // --aligners takes auto, standard or all.
  const ProcResult bad = run_cli({"fit", "--dot-rows", "--a", (dir / "a.npy").string(), "--b", (dir / "b.npy").string(),
                                  "--got", (dir / "d_fp16.npy").string(), "--aligners", "round"});
  CHECK(bad.exit_code == 2);
  CHECK(has(bad.err, "--aligners"));
}

TEST_CASE("fit: bad input is exit 2 with a message", "[cli_fit]") {
  const auto A = e4m3_values(4 * 8, 3);
  const std::string a = scratch("A4.npy").string(), d = scratch("D4.npy").string();
  floatscope::write_npy(a, A.data(), {4, 8});
  const std::vector<double> D(16, 1.0);
  floatscope::write_npy(d, D.data(), {4, 4});
  const ProcResult shapes = run_cli({"fit", "--a", a, "--b", a, "--got", d});
  CHECK(shapes.exit_code == 2);
  CHECK(has(shapes.err, "shapes do not chain"));
  const ProcResult grid = run_cli({"fit", "--a", a, "--b", a, "--got", d, "--dot-rows", "--a-format", "fp16"});
  CHECK(grid.exit_code == 2);  // 4 results for 4 rows, but D is 4x4 = 16 values
  CHECK(has(grid.err, "16 results for 4 rows"));
  const std::vector<double> third(32, 1.0 / 3);
  floatscope::write_npy(scratch("third.npy").string(), third.data(), {4, 8});
  const std::vector<double> d4(4, 1.0);
  floatscope::write_npy(scratch("d_rows.npy").string(), d4.data(), {4});
  const ProcResult off = run_cli({"fit", "--dot-rows", "--a", scratch("third.npy").string(), "--b", a, "--got",
                                  scratch("d_rows.npy").string(), "--a-format", "fp16"});
  CHECK(off.exit_code == 2);
  CHECK(has(off.err, "is not a value of fp16"));
  const ProcResult F = run_cli({"fit", "--dot-rows", "--a", a, "--b", a, "--got", scratch("d_rows.npy").string(),
                                "--F-min", "30", "--F-max", "10"});
  CHECK(F.exit_code == 2);
}

TEST_CASE("fit --write-probes: probe inputs a unit runs, then fitted", "[cli_fit]") {
  const fs::path dir = scratch("probes");
  const ProcResult w = run_cli({"fit", "--write-probes", dir.string(), "--a-format", "e4m3", "--K", "64"});
  INFO(w.out << w.err);
  REQUIRE(w.exit_code == 0);
  CHECK(has(w.out, "probe cases (K=64, A e4m3, B e4m3)"));
  const auto A = floatscope::read_npy((dir / "a.npy").string());
  const auto B = floatscope::read_npy((dir / "b.npy").string());
  const auto C = floatscope::read_npy((dir / "c.npy").string());
  CHECK(A.descr == "<f4");
  REQUIRE(A.shape.size() == 2);
  CHECK(A.shape[1] == 64);
  CHECK(B.shape == A.shape);
  CHECK(C.shape == std::vector<std::size_t>{A.shape[0]});
  // The Ada FP8 unit plays the device: one dot product per row.
  const auto a = floatscope::npy_to_doubles(A), b = floatscope::npy_to_doubles(B), c = floatscope::npy_to_doubles(C);
  const floatscope::Format e4m3 = floatscope::parse_format("e4m3");
  const floatscope::Accumulator unit = floatscope::model_accumulator("ada-fp8", e4m3, e4m3);
  std::vector<double> d(c.size());
  for (std::size_t i = 0; i < d.size(); ++i) d[i] = floatscope::emulate_dot(unit, &a[i * 64], &b[i * 64], 64, c[i]);
  const std::string dpath = (dir / "d.npy").string();
  floatscope::write_npy(dpath, d.data(), {d.size()});
  const ProcResult f = run_cli({"fit", "--dot-rows", "--a", (dir / "a.npy").string(), "--b", (dir / "b.npy").string(),
                                "--c", (dir / "c.npy").string(), "--got", dpath, "--a-format", "e4m3", "--no-scalar"});
  INFO(f.out << f.err);
  CHECK(f.exit_code == 0);
  CHECK(has(f.out, "1 model(s) reproduce all"));
  CHECK(has(f.out, "block-fma L=16 F=13 out=e8m13/rtz C=first-step  = model ada-fp8, l40s-fp8"));
  // Without --a-format and --K there is nothing to write.
  CHECK(run_cli({"fit", "--write-probes", dir.string()}).exit_code == 2);
}
