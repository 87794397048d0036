// Names as users type them: format, rounding-mode, model, distribution, order and compensation
// names are case-insensitive in every command; custom eXmY formats are announced as custom; the
// sweep help says what the default sweep runs; CSV cells a run did not measure are empty.
// Oracles: the lower-case spelling's output (same bits), docs/references.md s.5 (the H100 FP8
// unit's 14-bit e8m13 accumulator with round-toward-zero), experiments/default/config.toml.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "floatscope/sweep.hpp"
#include "run_process.hpp"
#include "scratch.hpp"

namespace fs = std::filesystem;
using floatscope::test::run_cli;
using floatscope::test::scratch_root;
using floatscope::test::slurp;

namespace {

// gemm --json without the timing field.
nlohmann::json gemm_json(const std::vector<std::string>& args) {
  std::vector<std::string> all = {"gemm", "--json", "--M", "3", "--N", "3", "--K", "64", "--threads", "1"};
  all.insert(all.end(), args.begin(), args.end());
  const auto r = run_cli(all);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  j.erase("seconds");
  return j;
}

}  // namespace

TEST_CASE("round takes format and mode names in any case, with the same bits", "[cli][names]") {
  const std::string in = "464\n465\n0x1.cp+8\n-1e-3\n1.0625\n";
  const auto lower = run_cli({"round", "--format", "e4m3", "--rounding", "rtz"}, in);
  REQUIRE(lower.exit_code == 0);
  for (const auto& [f, m] : {std::pair{"E4M3", "RTZ"}, std::pair{"E4m3", "Rtz"}, std::pair{"FLOAT8_E4M3FN", "rtz"}}) {
    const auto r = run_cli({"round", "--format", f, "--rounding", m}, in);
    INFO(f << " " << m << ": " << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out == lower.out);
    CHECK(r.err.find("custom") == std::string::npos);  // presets are not announced as custom
  }
}

TEST_CASE("an eXmY format that is not a preset is valid and announced as custom on stderr", "[cli][names]") {
  const auto r = run_cli({"round", "--format", "e4m4"}, "1.03125\n");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // e4m4: 4 fraction bits, so 1 + 2^-5 is a tie between 1 and 1 + 2^-4: ties to even gives 1.
  CHECK(r.out == "input,value,bits\n1.03125,0x1p+0,0x070\n");
  CHECK_THAT(r.err, Catch::Contains("custom format"));
  CHECK_THAT(r.err, Catch::Contains("bias 7"));
  const auto upper = run_cli({"round", "--format", "E4M4"}, "1.03125\n");
  CHECK(upper.out == r.out);
  CHECK_THAT(upper.err, Catch::Contains("custom format"));
}

TEST_CASE("gemm takes model, format and distribution names in any case", "[cli][names]") {
  const auto lower = gemm_json({"--model", "h100-fp8", "--a-format", "e4m3", "--dist", "uniform01"});
  const auto upper = gemm_json({"--model", "H100-FP8", "--a-format", "E4M3", "--dist", "UNIFORM01"});
  CHECK(upper == lower);
  CHECK(lower["acc_format"] == "e8m13/rtz");  // docs/references.md s.5: 14 bits, RZ
  const auto c1 = gemm_json({"--a-format", "fp16", "--acc-format", "fp16", "--rounding", "rne", "--order",
                             "blocked:8", "--compensation", "kahan", "--dist", "normal"});
  const auto c2 = gemm_json({"--a-format", "FP16", "--acc-format", "Half", "--rounding", "RNE", "--order",
                             "Blocked:8", "--compensation", "KAHAN", "--dist", "Normal"});
  CHECK(c1 == c2);
  CHECK(c1["acc_format"] == "fp16/rne");
}

TEST_CASE("sweep --help says what the default sweep runs", "[cli][names]") {
  const auto r = run_cli({"sweep", "--help"});
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("runs the built-in default sweep"));
  // Every model and input format of experiments/default/config.toml (the same sweep) is named.
  const std::string config = slurp(fs::path(FLOATSCOPE_SOURCE_DIR) / "experiments" / "default" / "config.toml");
  const std::regex quoted("\"([a-z0-9-]+)\"");
  int named = 0;
  for (std::sregex_iterator it(config.begin(), config.end(), quoted), end; it != end; ++it) {
    const std::string v = (*it)[1];
    if (v.rfind("h100", 0) == 0 || v == "fp32" || v == "fp16" || v == "bf16" || v == "e4m3" || v == "tf32") {
      INFO(v);
      CHECK_THAT(r.out, Catch::Contains(v));
      ++named;
    }
  }
  CHECK(named >= 8);
  CHECK_THAT(r.out, Catch::Contains("K = 16, 64, 256, 1024, 4096"));
  CHECK_THAT(r.out, Catch::Contains("dist = uniform01, normal"));
}

TEST_CASE("sweep stores names in lower case, hardware models with their real accumulator, and leaves "
          "unmeasured cells empty", "[cli][names]") {
  const fs::path d = scratch_root("cli_names") / "sweep";
  const auto r = run_cli({"sweep", "-o", d.string(), "--quiet", "--model", "H100-FP8,Custom", "--a-format", "E4M3",
                          "--dist", "Uniform01", "--K", "64", "--M", "2", "--N", "2"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto t = floatscope::sweep::read_csv_file(d / "results.csv");
  auto col = [&](const char* name) {
    const auto it = std::find(t.header.begin(), t.header.end(), name);
    REQUIRE(it != t.header.end());
    return static_cast<std::size_t>(it - t.header.begin());
  };
  REQUIRE(t.rows.size() == 2);
  std::set<std::string> accs;
  for (const auto& row : t.rows) {
    CHECK(row[col("a_format")] == "e4m3");
    CHECK(row[col("dist")] == "uniform01");
    accs.insert(row[col("model")] + " " + row[col("acc_format")]);
    // No --permutations: the permutation columns were not measured.
    for (const char* c : {"distinct_results", "mean_distinct_results", "spread_ulps"}) {
      INFO(c);
      CHECK(row[col(c)].empty());
    }
    CHECK(!row[col("max_rel_err")].empty());
    for (const auto& cell : row) CHECK(cell != "nan");
  }
  CHECK(accs == std::set<std::string>{"h100-fp8 e8m13/rtz", "custom fp32"});

  // With permutations the same columns are filled.
  const fs::path p = scratch_root("cli_names") / "perm";
  const auto rp = run_cli({"sweep", "-o", p.string(), "--quiet", "--a-format", "fp16", "--acc-format", "fp16",
                           "--K", "64", "--M", "2", "--N", "2", "--permutations", "4"});
  INFO(rp.err);
  REQUIRE(rp.exit_code == 0);
  const auto tp = floatscope::sweep::read_csv_file(p / "results.csv");
  REQUIRE(tp.rows.size() == 1);
  CHECK(!tp.rows[0][col("distinct_results")].empty());
  CHECK(!tp.rows[0][col("spread_ulps")].empty());
}
