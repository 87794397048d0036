// `algorithm = strassen:L` from the command line: bad values and sizes that are not multiples of
// 2^L stop `gemm` and `sweep` with exit code 2 and a message naming the key; a good sweep writes
// the algorithm column, and a one-level Strassen product of small integers is exact.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "floatscope/sweep.hpp"
#include "run_process.hpp"
#include "scratch.hpp"

using floatscope::test::ProcResult;
using floatscope::test::run_cli;
namespace fs = std::filesystem;

namespace {

fs::path root() { return floatscope::test::scratch_root("cli_strassen"); }

}  // namespace

TEST_CASE("strassen: bad algorithm values and sizes exit 2 naming the key", "[cli][strassen]") {
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> expect;
  };
  const std::vector<Case> cases = {
      {{"gemm", "--algorithm", "strassen:7"}, {"algorithm", "strassen:7", "1..4"}},
      {{"gemm", "--algorithm", "winograd"}, {"algorithm", "winograd"}},
      {{"gemm", "--algorithm", "strassen:2", "--M", "62"}, {"algorithm strassen:2", "M = 62", "2^2"}},
      {{"gemm", "--algorithm", "strassen:1", "--K", "63"}, {"algorithm strassen:1", "K = 63"}},
      {{"gemm", "--algorithm", "strassen:1", "--model", "h100-bf16", "--a-format", "bf16"}, {"algorithm", "h100-bf16"}},
      {{"sweep", "-o", (root() / "bad1").string(), "--set", "algorithm=strassen"}, {"'algorithm'", "strassen"}},
      {{"sweep", "-o", (root() / "bad2").string(), "--set", "algorithm=strassen:3", "--M", "8", "--N", "12", "--K", "8"},
       {"algorithm strassen:3", "N = 12"}},
  };
  int i = 0;
  for (const auto& c : cases) {
    const ProcResult r = run_cli(c.args);
    INFO("case " << ++i << ": " << r.err);
    CHECK(r.exit_code == 2);
    for (const auto& e : c.expect) CHECK_THAT(r.err, Catch::Contains(e));
  }
  CHECK_FALSE(fs::exists(root() / "bad2" / "results.csv"));
  // In a TOML config too, with the file named.
  const fs::path cfg = root() / "bad.toml";
  std::ofstream(cfg) << "M = 8\nN = 8\nK = 8\nalgorithm = [\"classical\", \"strassen:9\"]\n";
  const ProcResult r = run_cli({"sweep", cfg.string(), "-o", (root() / "bad3").string()});
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("'algorithm'") && Catch::Contains("bad.toml"));
}

TEST_CASE("strassen: a sweep writes the algorithm column; exact integers stay exact", "[cli][strassen]") {
  const fs::path cfg = root() / "good.toml";
  std::ofstream(cfg) << "M = 8\nN = 8\nK = 8\nacc_format = \"fp16\"\na_format = \"fp16\"\n"
                        "algorithm = [\"classical\", \"Strassen:1\", \"strassen:2\"]\n";
  const fs::path out = root() / "good";
  const ProcResult r = run_cli({"sweep", cfg.string(), "-o", out.string(), "--quiet"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto t = floatscope::sweep::read_csv_file(out / "results.csv");
  const auto col = static_cast<std::size_t>(std::find(t.header.begin(), t.header.end(), "algorithm") - t.header.begin());
  REQUIRE(col < t.header.size());
  std::set<std::string> seen;
  for (const auto& row : t.rows) seen.insert(row[col]);
  CHECK(seen == std::set<std::string>{"classical", "strassen:1", "strassen:2"});
  // constant:3 inputs: every entry of A B is 8 * 9 = 72, and every sum on the way (3 + 3, 9 * 4 ...)
  // is an fp16 integer, so Strassen's result is exact.
  const ProcResult g = run_cli({"gemm", "--algorithm", "strassen:1", "--a-format", "fp16", "--acc-format", "fp16",
                                "--dist", "constant:3", "--M", "8", "--N", "8", "--K", "8", "--json"});
  INFO(g.err);
  REQUIRE(g.exit_code == 0);
  const auto j = nlohmann::json::parse(g.out);
  CHECK(j["algorithm"] == "strassen:1");
  CHECK(j["max_rel_err"] == 0);
  CHECK(j["products"] == 7 * 4 * 4 * 4);
}
