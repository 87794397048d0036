// The `floatscope gemm` and `floatscope models` commands end to end: closed-form results, .npy
// inputs and outputs, and errors (the replay of recorded outputs is in test_cli_hwdata.cpp).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
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
  const fs::path dir = fs::temp_directory_path() / "floatscope_cli_gemm";
  fs::create_directories(dir);
  return dir / name;
}

nlohmann::json gemm_json(std::vector<std::string> args) {
  args.insert(args.begin(), "gemm");
  args.push_back("--json");
  const ProcResult r = run_cli(args);
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

std::vector<double> read_matrix(const fs::path& p) {
  return floatscope::npy_to_doubles(floatscope::read_npy(p.string()));
}

}  // namespace

TEST_CASE("gemm: harmonic series in an fp16 accumulator stagnates at 7.0859375") {
  const fs::path out = scratch("harmonic.npy");
  const auto j = gemm_json({"--a-format", "fp32", "--acc-format", "fp16", "--dist", "harmonic",
                            "--M", "1", "--N", "1", "--K", "2048", "--out", out.string()});
  const auto d = read_matrix(out);
  REQUIRE(d.size() == 1);
  CHECK(d[0] == 7.0859375);  // docs/references.md s.6
  CHECK(j["stagnation_count"] == 2048 - 512);
  CHECK(j["bound_det"] == "inf");  // K u = 2048 * 2^-11 = 1: gamma_K is vacuous
}

TEST_CASE("gemm: .npy inputs, C operand, exact integer result") {
  // A = [[1,2],[3,4]], B = [[5,6],[7,8]], C = [[1,1],[1,1]] -> D = [[20,23],[44,51]].
  const fs::path a = scratch("A.npy"), b = scratch("B.npy"), c = scratch("C.npy"), d = scratch("D.npy");
  const double A[] = {1, 2, 3, 4}, B[] = {5, 6, 7, 8}, C[] = {1, 1, 1, 1};
  floatscope::write_npy(a.string(), A, {2, 2}, true);
  floatscope::write_npy(b.string(), B, {2, 2});
  floatscope::write_npy(c.string(), C, {2, 2});
  const auto j = gemm_json({"--a", a.string(), "--b", b.string(), "--c", c.string(), "--a-format",
                            "fp16", "--acc-format", "fp16", "--out", d.string()});
  CHECK(read_matrix(d) == std::vector<double>{20, 23, 44, 51});
  CHECK(j["max_rel_err"] == 0.0);
  CHECK(j["M"] == 2);
  CHECK(j["K"] == 2);
}

TEST_CASE("gemm: e11m20 products beyond double's range round as IEEE 754 says, with events") {
  // Issue 7 case 5 as a user runs it: 2^600 * 2^600 under rtz is the largest finite of e11m20,
  // (2 - 2^-20) 2^1023 (IEEE 754 s.7.4), and 2^-600 * 2^-600 under rup its smallest subnormal
  // 2^-1042; both count as product overflow / underflow.
  struct Case {
    double x;
    const char* mode;
    double want;
    const char* event;
  };
  for (const Case& cs : {Case{0x1p600, "rtz", std::ldexp(2 - std::ldexp(1.0, -20), 1023), "overflow_frac"},
                         Case{0x1p-600, "rup", 0x1p-1042, "underflow_frac"}}) {
    const fs::path a = scratch("wideA.npy"), b = scratch("wideB.npy"), d = scratch("wideD.npy");
    floatscope::write_npy(a.string(), &cs.x, {1, 1});
    floatscope::write_npy(b.string(), &cs.x, {1, 1});
    const auto j = gemm_json({"--a", a.string(), "--b", b.string(), "--a-format", "fp64",
                              "--product-format", "e11m20", "--acc-format", "e11m20", "--rounding",
                              cs.mode, "--out", d.string()});
    INFO(cs.mode);
    CHECK(read_matrix(d) == std::vector<double>{cs.want});
    CHECK(j[cs.event].get<double>() > 0);
  }
}

TEST_CASE("models --json lists every named model with its parameters") {
  const ProcResult r = run_cli({"models", "--json"});
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  std::vector<std::string> names;
  for (const auto& m : j) names.push_back(m["name"]);
  for (const char* want : {"v100-fp16", "a100-fp16", "a100-bf16", "a100-tf32", "h100-fp16",
                           "h100-bf16", "h100-tf32", "h100-fp8", "h100-fp8-promote128",
                           "b200-fp16", "b200-bf16", "b200-fp8"})
    CHECK(std::find(names.begin(), names.end(), want) != names.end());
  for (const auto& m : j) {
    if (m["name"] == "h100-fp8") {
      CHECK(m.dump().find("\"L\":32") != std::string::npos);
      CHECK(m.dump().find("\"F\":13") != std::string::npos);
    }
    if (m["name"] == "h100-tf32") CHECK(m.dump().find("\"L\":8") != std::string::npos);
  }
}

TEST_CASE("gemm: bad input exits 2 with a message naming the problem") {
  const fs::path a = scratch("bad_A.npy"), b = scratch("bad_B.npy"), nan = scratch("nan.npy"),
                 junk = scratch("junk.npy"), out = scratch("never.npy");
  const double A[] = {1, 2, 3, 4, 5, 6}, N[] = {1, std::nan(""), 3, 4};
  floatscope::write_npy(a.string(), A, {2, 3});
  floatscope::write_npy(b.string(), A, {2, 3});
  floatscope::write_npy(nan.string(), N, {2, 2});
  { std::ofstream(junk) << "not a numpy file"; }
  fs::remove(out);
  struct Bad {
    std::vector<std::string> args;
    std::string needle;
  };
  const std::vector<Bad> cases = {
      {{"--model", "h900"}, "h100-fp8"},                      // lists the valid models
      {{"--a-format", "fp17"}, "fp16"},                       // lists the valid formats
      {{"--rounding", "nearestish"}, "rne"},
      {{"--K", "0"}, "K=0"},
      {{"--dist", "gaussian"}, "gaussian"},
      {{"--a", a.string()}, "--b"},
      {{"--a", a.string(), "--b", b.string()}, "do not chain"},
      {{"--a", nan.string(), "--b", nan.string(), "--a-format", "e2m1"}, "e2m1"},  // no NaN code
      {{"--block-fma", "16"}, "block_fma"},
      {{"--block-fma", "0,25"}, "L = 0"},
      {{"--block-fma", "16,49"}, "F = 49"},
      {{"--block-fma", "16,25", "--model", "h100-fp16"}, "custom models only"},
      {{"--block-fma", "16,25", "--a-format", "fp16", "--promote", "24"}, "multiple of L"},
      {{"--backend", "tpu"}, "valid: cpu"},
      {{"--a", junk.string(), "--b", junk.string()}, junk.string()},
      {{"--a", "/nonexistent/A.npy", "--b", b.string()}, "/nonexistent/A.npy"},
      {{"--model", "h100-fp8", "--a-format", "fp16"}, "e4m3"},
      {{"--reference", "oracle"}, "mpfr"},
  };
  for (const auto& bad : cases) {
    std::vector<std::string> args{"gemm", "--out", out.string()};
    args.insert(args.end(), bad.args.begin(), bad.args.end());
    const ProcResult r = run_cli(args);
    std::string typed;
    for (const auto& x : bad.args) typed += x + " ";
    INFO(typed << "-> " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(bad.needle) != std::string::npos);
    CHECK(r.out.empty());
    CHECK(!fs::exists(out));
  }
}

TEST_CASE("gemm: --block-fma 16,25 --acc-format fp32 --rounding rtz gives h100-fp16's bits") {
  const fs::path unit = scratch("block_fma.npy"), model = scratch("h100_fp16.npy");
  const std::vector<std::string> common = {"--a-format", "fp16", "--M", "16", "--N", "16", "--K",
                                           "1000", "--dist", "normal", "--seed", "4"};
  auto with = [&](std::vector<std::string> extra, const fs::path& out) {
    extra.insert(extra.end(), common.begin(), common.end());
    extra.insert(extra.end(), {"--out", out.string()});
    return gemm_json(extra);
  };
  const auto ju = with({"--block-fma", "16,25", "--acc-format", "fp32", "--rounding", "rtz"}, unit);
  const auto jm = with({"--model", "h100-fp16"}, model);
  const auto du = read_matrix(unit), dm = read_matrix(model);
  REQUIRE(du.size() == 256);
  for (std::size_t i = 0; i < du.size(); ++i)
    REQUIRE(std::bit_cast<std::uint64_t>(du[i]) == std::bit_cast<std::uint64_t>(dm[i]));
  CHECK(ju["max_rel_err"] == jm["max_rel_err"]);
  CHECK(ju["partials"] == jm["partials"]);
  CHECK(ju["backend"] == "cpu");
  CHECK(ju["accumulator"].get<std::string>().find("fused(L=16 F=25") != std::string::npos);
}

TEST_CASE("gemm: NaN and Inf .npy inputs run, follow the rules and report nan_count") {
  // A (4x3) x B (3x2): a NaN row; an Inf row; Inf and -Inf together; a finite row. IEEE 754 for
  // the software accumulator, docs/references.md s.5 for the tensor-core model: the same D here,
  // [[NaN, NaN], [Inf, Inf], [NaN, NaN], [6, +0]], so nan_count = 4.
  const double inf = INFINITY;
  const double A[] = {1, NAN, 2, inf, 1, 1, inf, -inf, 0, 1, 2, 3};
  const double B[] = {1, 1, 1, 1, 1, -1};
  const fs::path a = scratch("special_A.npy"), b = scratch("special_B.npy"), d = scratch("special_D.npy");
  floatscope::write_npy(a.string(), A, {4, 3}, true);  // float32 file
  floatscope::write_npy(b.string(), B, {3, 2});
  for (const char* model : {"h100-bf16", "custom"}) {
    const auto j = gemm_json({"--a", a.string(), "--b", b.string(), "--model", model, "--a-format",
                              "bf16", "--out", d.string()});
    INFO(model);
    CHECK(j["nan_count"] == 4);
    const auto D = read_matrix(d);
    REQUIRE(D.size() == 8);
    for (int i : {0, 1, 4, 5}) CHECK(std::isnan(D[i]));
    CHECK(D[2] == inf);
    CHECK(D[3] == inf);
    CHECK(D[6] == 6.0);
    CHECK((D[7] == 0.0 && !std::signbit(D[7])));
    // The table prints the count too.
    const ProcResult t = run_cli({"gemm", "--a", a.string(), "--b", b.string(), "--model", model,
                                  "--a-format", "bf16"});
    CHECK(t.exit_code == 0);
    CHECK(t.out.find("nan_count               4") != std::string::npos);
  }
}
