// `floatscope gemm` on block-scaled operands: pre-quantised operands with the scale
// shapes (results worked out by hand), block schemes on generated inputs, and the checks and
// warnings of scaled quantisation.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
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
  const fs::path dir = fs::temp_directory_path() / "floatscope_cli_block_gemm";
  fs::create_directories(dir);
  return dir / name;
}

fs::path npy(const std::string& name, const std::vector<double>& v, const std::vector<std::size_t>& shape,
             bool f32 = false) {
  const fs::path p = scratch(name);
  floatscope::write_npy(p.string(), v.data(), shape, f32);
  return p;
}

std::vector<double> load(const fs::path& p) { return floatscope::npy_to_doubles(floatscope::read_npy(p.string())); }

}  // namespace

TEST_CASE("gemm: pre-quantised MX operands, A scales (M, K/32), B scales (K/32, N)") {
  // A = ones (2 x 64) with scales [[1, 2], [4, 8]]; B = ones (64 x 3) with scales
  // [[1, 1, 1], [16, 32, 64]]: D[i][j] = 32 sa[i][0] sb[0][j] + 32 sa[i][1] sb[1][j].
  const auto a = npy("a.npy", std::vector<double>(128, 1.0), {2, 64});
  const auto b = npy("b.npy", std::vector<double>(192, 1.0), {64, 3});
  const auto sa = npy("sa.npy", {1, 2, 4, 8}, {2, 2}, true);
  const auto sb = npy("sb.npy", {1, 1, 1, 16, 32, 64}, {2, 3}, true);
  const auto out = scratch("d.npy");
  const ProcResult r = run_cli({"gemm", "--a", a.string(), "--a-scales", sa.string(), "--a-scheme", "mxfp8-e4m3",
                                "--b", b.string(), "--b-scales", sb.string(), "--b-scheme", "mxfp8-e4m3", "--out",
                                out.string(), "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(load(out) == std::vector<double>{1056, 2080, 4128, 4224, 8320, 16512});
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["max_scale_exp"] == 6);  // 64
  CHECK(j["max_rel_err"] == 0);
}

TEST_CASE("gemm: pre-quantised fp8-tensor operands take a 0-d or 1x1 scale; h100-fp8 applies RN32(acc RN32(sa sb))") {
  const auto a = npy("ta.npy", std::vector<double>(2 * 64, 1.0), {2, 64});
  const auto b = npy("tb.npy", std::vector<double>(64 * 2, 1.0), {64, 2});
  const auto sa = npy("tsa.npy", {0.5}, {}, true);
  const auto sb = npy("tsb.npy", {3}, {1, 1}, true);
  const auto out = scratch("td.npy");
  const ProcResult r = run_cli({"gemm", "--model", "h100-fp8", "--a", a.string(), "--a-scales", sa.string(),
                                "--a-scheme", "fp8-tensor", "--b", b.string(), "--b-scales", sb.string(),
                                "--b-scheme", "fp8-tensor", "--out", out.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(load(out) == std::vector<double>(4, 96.0));
}

TEST_CASE("gemm: pre-quantised operands with a wrong scale shape, off-grid elements or non-E8M0 scales: exit 2") {
  const auto a = npy("ea.npy", std::vector<double>(128, 1.0), {2, 64});
  const auto b = npy("eb.npy", std::vector<double>(192, 1.0), {64, 3});
  const auto sa = npy("esa.npy", {1, 2, 4, 8}, {2, 2}, true);
  const auto sb_t = npy("esb.npy", {1, 1, 1, 1, 1, 1}, {3, 2}, true);  // (N, K/32): transposed by mistake
  std::vector<std::string> args = {"gemm", "--a", a.string(), "--a-scales", sa.string(), "--a-scheme", "mxfp8-e4m3",
                                   "--b", b.string(), "--b-scales", sb_t.string(), "--b-scheme", "mxfp8-e4m3"};
  ProcResult r = run_cli(args);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("(2, 3)") != std::string::npos);
  const auto sb = npy("esb2.npy", {1, 1, 1, 1, 1, 1}, {2, 3}, true);
  args[10] = sb.string();
  const auto bad_sa = npy("esa3.npy", {1, 3, 4, 8}, {2, 2}, true);  // 3 is not a power of two
  args[4] = bad_sa.string();
  r = run_cli(args);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("E8M0") != std::string::npos);
  args[4] = sa.string();
  std::vector<double> off(128, 1.0);
  off[70] = 1.0625;  // not an e4m3 value
  args[2] = npy("eoff.npy", off, {2, 64}).string();
  r = run_cli(args);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("element 70") != std::string::npos);
  args.resize(9);  // --b FILE, without B's scales and scheme
  r = run_cli(args);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--b-scales") != std::string::npos);
}

TEST_CASE("gemm --scheme: block-scaled generated inputs report the block metrics") {
  const ProcResult r = run_cli({"gemm", "--scheme", "fp8-tile1x128+fp8-block128x128", "--model", "h100-fp8-promote128",
                                "--M", "16", "--N", "128", "--K", "256", "--json", "--threads", "1"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["max_scale_exp"].is_number());
  CHECK(j["clamped_frac"].is_number());
  const ProcResult bad = run_cli({"gemm", "--scheme", "mxfp4", "--K", "40"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("K: 40") != std::string::npos);
}

TEST_CASE("gemm --scale-a: saturating by default; all-NaN output (spec overflow) warns on stderr") {
  std::vector<double> A = {448, 1, 2, 3, 100, 4, -240, 5};
  const auto a = npy("sa_a.npy", A, {2, 4});
  const auto b = npy("sa_b.npy", std::vector<double>(8, 1.0), {4, 2});
  const std::vector<std::string> base = {"gemm", "--model", "h100-fp8", "--a-format", "e4m3", "--a", a.string(),
                                         "--b", b.string(), "--scale-a", "0.15625", "--json"};
  ProcResult r = run_cli(base);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["input_overflow_count"] == 3);
  CHECK(j["nan_count"] == 0);
  CHECK(r.err.find("warning") == std::string::npos);
  auto spec = base;
  spec.insert(spec.end(), {"--input-overflow", "spec"});
  r = run_cli(spec);
  REQUIRE(r.exit_code == 0);
  j = nlohmann::json::parse(r.out);
  CHECK(j["nan_count"] == 4);
  CHECK(r.err.find("warning: every one of the 4 outputs is NaN") != std::string::npos);
}

TEST_CASE("sweep: scheme and scale_rule are dimensions; the block metrics are CSV columns") {
  const fs::path d = scratch("sweep");
  fs::remove_all(d);
  const ProcResult r = run_cli({"sweep", "-o", d.string(), "--quiet", "--threads", "1", "--scheme", "mxfp8-e4m3,mxfp4",
                                "--scale-rule", "floor,rceil", "--dist", "normal", "--M", "32", "--N", "32", "--K", "64"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::ifstream in(d / "results.csv");
  std::string header, line;
  std::getline(in, header);
  std::vector<std::string> cols;
  for (std::size_t p = 0, q; p <= header.size(); p = q + 1) {
    q = header.find(',', p);
    if (q == std::string::npos) q = header.size();
    cols.push_back(header.substr(p, q - p));
  }
  auto col = [&](const std::string& c) {
    const auto it = std::find(cols.begin(), cols.end(), c);
    REQUIRE(it != cols.end());
    return static_cast<std::size_t>(it - cols.begin());
  };
  const std::size_t scheme = col("scheme"), rule = col("scale_rule"), mean = col("mean_scale_exp"),
                    clamped = col("clamped_frac"), flushed = col("flushed_frac"), mx = col("max_scale_exp");
  std::map<std::string, double> mean_of;
  int rows = 0;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    for (std::size_t p = 0, q; p <= line.size(); p = q + 1) {
      q = line.find(',', p);
      if (q == std::string::npos) q = line.size();
      f.push_back(line.substr(p, q - p));
    }
    REQUIRE(f.size() == cols.size());
    CHECK(!f[clamped].empty());
    CHECK(!f[flushed].empty());
    CHECK(!f[mx].empty());
    mean_of[f[scheme] + "/" + f[rule]] = std::stod(f[mean]);
    ++rows;
  }
  CHECK(rows == 4);
  // RCEIL never picks a smaller scale than FLOOR, and on normal data it picks larger ones.
  CHECK(mean_of["mxfp4/rceil"] > mean_of["mxfp4/floor"]);
  CHECK(mean_of["mxfp8-e4m3/rceil"] > mean_of["mxfp8-e4m3/floor"]);
}
