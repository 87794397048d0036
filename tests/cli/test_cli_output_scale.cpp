// `floatscope gemm --output-scale-mode` end to end: every output is 52400 (K = 1, constant inputs),
// stored in fp16 with scale 1.25. Fused: 65500 rounds to 65504, the largest finite fp16. After
// storing: 52400 is stored as 52416 (a tie at spacing 32, to even), and 52416 * 1.25 = 65520 is the
// tie between 65504 and 65536 that rounds to even, past the maximum: Inf. Bad values exit 2.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "run_process.hpp"

using floatscope::test::ProcResult;
using floatscope::test::run_cli;

namespace {

ProcResult gemm(const std::string& mode, const std::string& out_format = "fp16") {
  return run_cli({"gemm", "--a-format", "fp32", "--acc-format", "fp32", "--dist", "constant:52400", "--b-dist",
                  "constant:1", "--M", "2", "--N", "3", "--K", "1", "--output-format", out_format,
                  "--output-scale", "1.25", "--output-scale-mode", mode, "--json"});
}

}  // namespace

TEST_CASE("gemm --output-scale-mode: one rounding fused, two after storing", "[cli][output_scale]") {
  const ProcResult fused = gemm("fused");
  INFO(fused.err);
  REQUIRE(fused.exit_code == 0);
  const auto jf = nlohmann::json::parse(fused.out);
  CHECK(jf["inf_output_count"] == 0);
  CHECK(jf["output_overflow_frac"] == 0.0);  // 65500 is below the maximum: no overflow
  CHECK(jf["output_mode_differ_frac"] == 1.0);
  CHECK(jf["max_rel_err"] == Approx(4.0 / 65500).epsilon(1e-12));

  const ProcResult after = gemm("after");
  REQUIRE(after.exit_code == 0);
  const auto ja = nlohmann::json::parse(after.out);
  CHECK(ja["inf_output_count"] == 6);
  CHECK(ja["output_overflow_frac"] == 1.0);
  CHECK(ja["output_mode_differ_frac"] == 1.0);
  CHECK(ja["accumulator"].get<std::string>().find("rescale=after(fp32)") != std::string::npos);
}

TEST_CASE("gemm --output-scale-mode: bad values exit 2 naming the option", "[cli][output_scale]") {
  const ProcResult bad = gemm("later");
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("output_scale_mode") && Catch::Contains("later"));
  const ProcResult wide = gemm("after", "fp64");
  CHECK(wide.exit_code == 2);
  CHECK_THAT(wide.err, Catch::Contains("wider than fp32"));
}
