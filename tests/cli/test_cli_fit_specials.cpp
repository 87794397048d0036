// `floatscope fit` over the special-value rules, end to end: a unit that flushes subnormal inputs
// and results (as Intel AMX-BF16 documents) recorded on bf16 data near fp32's subnormal range;
// the fit must name the rules, print what each rule's cases showed, and find nothing with
// `--specials standard` (NVIDIA's rules). The device is the library's unit with those rules,
// itself checked against an MPFR re-execution in tests/unit/test_unit_specials.cpp.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "floatscope/accumulator.hpp"
#include "floatscope/gemm.hpp"
#include "floatscope/npy.hpp"
#include "floatscope/rounding.hpp"
#include "run_process.hpp"
#include "text.hpp"
#include "scratch.hpp"

using floatscope::test::ProcResult;
using floatscope::test::run_cli;
using floatscope::test::has;
namespace fs = std::filesystem;
using namespace floatscope;

TEST_CASE("fit: a flushing unit's rules are found and reported", "[cli_fit]") {
  const fs::path dir = test::scratch_root("cli_fit_specials");
  const Format bf16 = parse_format("bf16"), fp32 = parse_format("fp32");
  Accumulator unit;
  unit.a_format = unit.b_format = bf16;
  unit.acc_format = unit.outer_format = fp32;
  unit.acc_rounding = Rounding{Mode::rtz};
  FusedUnit u;
  u.L = 8;
  u.F = 24;
  u.out = fp32;
  u.out_mode = Mode::rtz;
  u.specials.flush_inputs = u.specials.flush_results = true;
  unit.fused = u;
  const std::size_t n = 200, K = 16;
  std::mt19937_64 g(3);
  std::vector<double> a(n * K), b(n * K), c(n), d(n);
  auto value = [&](int lo, int hi) {
    const double m = 1.0 + static_cast<double>(g() % 128) / 128, s = g() % 2 ? 1.0 : -1.0;
    return round(s * std::ldexp(m, lo + static_cast<int>(g() % static_cast<std::uint64_t>(hi - lo + 1))), bf16);
  };
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < K; ++k) {
      a[i * K + k] = value(-133, -110);  // bf16 subnormals and small normals
      b[i * K + k] = value(-20, 0);
    }
    c[i] = std::ldexp(static_cast<double>(g() % 1024), -140);  // fp32 subnormals (multiples of 2^-140)
    d[i] = emulate_dot(unit, &a[i * K], &b[i * K], static_cast<int>(K), c[i]);
  }
  const std::string A = (dir / "a.npy").string(), B = (dir / "b.npy").string(), C = (dir / "c.npy").string(),
                    D = (dir / "d.npy").string();
  write_npy(A, a.data(), {n, K}, true);
  write_npy(B, b.data(), {n, K}, true);
  write_npy(C, c.data(), {n}, true);
  write_npy(D, d.data(), {n}, true);
  const std::vector<std::string> base = {"fit", "--dot-rows", "--a", A, "--b", B, "--c", C, "--got", D,
                                         "--a-format", "bf16", "--no-scalar", "--L-max", "16", "--F-min", "20",
                                         "--F-max", "28"};
  const ProcResult r = run_cli(base);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "100%  block-fma L=8 F=24 subnormals=flush out=fp32/rtz C=first-step"));
  CHECK(has(r.out, "special values: subnormal inputs flush ("));
  CHECK(has(r.out, "subnormal results flush ("));
  CHECK(has(r.out, "overflow exact-sum or ieee or saturate (no case)"));
  // Row data: the model's flags alone (gemm runs matrices).
  CHECK(has(r.out, "gemm flags: --a-format bf16 --b-format bf16 --block-fma 8,24 --acc-format fp32 --rounding rtz "
                   "--subnormals flush\n"));

  auto args = base;
  args.push_back("--json");
  const ProcResult j = run_cli(args);
  REQUIRE(j.exit_code == 0);
  const auto json = nlohmann::json::parse(j.out);
  const auto& rules = json["models"][0]["special_value_rules"];
  REQUIRE(rules.size() == 4);
  CHECK(rules[0]["rule"] == "subnormal inputs");
  CHECK(rules[0]["options"] == nlohmann::json::array({"flush"}));
  CHECK(rules[0]["cases"].get<int>() > 0);

  args = base;
  args.insert(args.end(), {"--specials", "standard"});
  const ProcResult s = run_cli(args);
  INFO(s.out);
  CHECK(s.exit_code == 1);
  CHECK(has(s.out, "no model of the space reproduces all 200 cases"));

  args = base;
  args.insert(args.end(), {"--specials", "sometimes"});
  const ProcResult bad = run_cli(args);
  CHECK(bad.exit_code == 2);
  CHECK(has(bad.err, "--specials must be auto, standard or all"));
}
