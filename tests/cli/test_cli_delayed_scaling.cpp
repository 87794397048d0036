// `floatscope sweep` and `gemm` with delayed scaling (amax_history_len, outlier_growth): the keys
// reach the CSV, a fast-growing outlier amax clamps under the lagging scale, and keys that would
// be ignored stop the command with exit 2 and a message naming them.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "floatscope/sweep.hpp"
#include "run_process.hpp"
#include "scratch.hpp"

using floatscope::sweep::read_csv_file;
using floatscope::test::ProcResult;
using floatscope::test::run_cli;
namespace fs = std::filesystem;

namespace {

std::size_t col(const floatscope::sweep::CsvTable& t, const std::string& name) {
  for (std::size_t i = 0; i < t.header.size(); ++i)
    if (t.header[i] == name) return i;
  FAIL("no column " << name);
  return 0;
}

}  // namespace

TEST_CASE("sweep: amax_history_len and outlier_growth are CSV columns; growth 16 clamps") {
  const fs::path d = floatscope::test::scratch_root("cli_delayed") / "sweep";
  // 8 x 128 activations, 5% outlier channels at 100x, B normal; the history's newest step had
  // outliers at 100/16: the current amax is far beyond every history entry, so A clamps. With
  // growth 1 the history's largest amax is an independent draw's: no claim either way.
  const ProcResult r = run_cli({"sweep", "-o", d.string(), "--scheme", "fp8-delayed+fp8-tensor", "--dist",
                                "outliers:0.05:100", "--b-dist", "normal", "--M", "8", "--N", "8", "--K", "128",
                                "--amax-history-len", "4", "--outlier-growth", "1,16", "--threads", "1"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto t = read_csv_file(d / "results.csv");
  REQUIRE(t.rows.size() == 2);
  const std::size_t h = col(t, "amax_history_len"), g = col(t, "outlier_growth"), c = col(t, "clamped_frac");
  for (const auto& row : t.rows) {
    CHECK(row[h] == "4");
    if (row[g] == "16") CHECK(std::stod(row[c]) > 0);
    else CHECK(row[g] == "1");
  }
}

TEST_CASE("sweep and gemm: delayed-scaling keys that would be ignored exit 2 naming the key") {
  ProcResult r = run_cli({"sweep", "-o", (floatscope::test::scratch_root("cli_delayed") / "bad").string(), "--scheme",
                          "fp8-tensor", "--amax-history-len", "4", "--K", "64", "--M", "2", "--N", "2"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("amax_history_len") != std::string::npos);
  r = run_cli({"sweep", "-o", (floatscope::test::scratch_root("cli_delayed") / "bad2").string(), "--amax-history-len",
               "2000"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("amax_history_len") != std::string::npos);
  r = run_cli({"gemm", "--scheme", "fp8-delayed", "--dist", "normal", "--amax-history-len", "4", "--outlier-growth",
               "2", "--M", "2", "--N", "2", "--K", "32"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("outlier_growth") != std::string::npos);
  r = run_cli({"gemm", "--scheme", "fp8-delayed", "--dist", "outliers:0.1:100", "--amax-history-len", "4",
               "--outlier-growth", "2", "--M", "2", "--N", "2", "--K", "32", "--json"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("\"amax_history_len\": 4") != std::string::npos);
}
