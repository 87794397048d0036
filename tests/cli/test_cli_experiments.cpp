// Every experiment under experiments/: its config parses, its [reduced] version runs and reports,
// and its committed report (reports/<name>/) is current: the config beside it is the experiment's,
// and regenerating the report from the committed results.csv gives the committed verdicts
// (claims.csv) back. reports/README.md lists every experiment.
#include <catch2/catch.hpp>
#include <toml++/toml.h>

#include <filesystem>
#include <set>

#include "run_process.hpp"
#include "scratch.hpp"

namespace fs = std::filesystem;
using floatscope::test::run_cli;
using floatscope::test::slurp;

namespace {

const fs::path kSource = FLOATSCOPE_SOURCE_DIR;

std::vector<std::string> experiment_names() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kSource / "experiments"))
    if (e.is_directory() && fs::exists(e.path() / "config.toml")) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::size_t claim_count(const fs::path& config) {
  const toml::table t = toml::parse_file(config.string());
  const auto* claims = t["report"]["claim"].as_array();
  return claims ? claims->size() : 0;
}

}  // namespace

TEST_CASE("experiments/ holds the issue's nine experiments and the default sweep, nothing else", "[experiments]") {
  const std::vector<std::string> expected = {
      "accumulation-vs-k", "default",        "dropout-after-matmul", "fp8-accumulation", "harmonic-stagnation",
      "loss-scaling",      "non-associativity", "scaling-recipes",   "strassen",         "ternary-weights"};
  CHECK(experiment_names() == expected);
}

TEST_CASE("every experiment parses, runs reduced and reports; its committed report is current", "[experiments]") {
  const fs::path scratch = floatscope::test::scratch_root("experiments");
  const std::string index = slurp(kSource / "reports" / "README.md");
  for (const auto& name : experiment_names()) {
    DYNAMIC_SECTION(name) {
      const fs::path config = kSource / "experiments" / name / "config.toml";
      const fs::path readme = kSource / "experiments" / name / "README.md";
      REQUIRE(fs::exists(readme));
      const std::string text = slurp(readme);
      CHECK(text.find("**Question.**") != std::string::npos);
      CHECK(text.find("**Command.**") != std::string::npos);
      CHECK(text.find("reports/" + name) != std::string::npos);

      auto dry = run_cli({"sweep", config.string(), "--dry-run"});
      INFO(dry.err);
      REQUIRE(dry.exit_code == 0);

      const fs::path out = scratch / name;
      auto run = run_cli({"sweep", config.string(), "--reduced", "-o", out.string(), "--quiet", "--threads", "2"});
      INFO(run.err);
      REQUIRE(run.exit_code == 0);
      auto rep = run_cli({"report", out.string(), "--quiet", "--gnuplot", "/nonexistent/gnuplot"});
      INFO(rep.err);
      REQUIRE(rep.exit_code == 0);
      const std::size_t claims = claim_count(config);
      CHECK(claims > 0);
      const auto lines = floatscope::test::split_lines(slurp(out / "claims.csv"));
      CHECK(lines.size() == claims + 1);

      const fs::path committed = kSource / "reports" / name;
      REQUIRE(fs::exists(committed / "results.csv"));
      CHECK(slurp(committed / "config.toml") == slurp(config));
      const fs::path again = scratch / (name + "-committed");
      auto regen = run_cli({"report", committed.string(), "-o", again.string(), "--quiet", "--gnuplot",
                            "/nonexistent/gnuplot"});
      INFO(regen.err);
      REQUIRE(regen.exit_code == 0);
      CHECK(slurp(again / "claims.csv") == slurp(committed / "claims.csv"));
      CHECK(index.find("[" + name + "](" + name + "/report.md)") != std::string::npos);
    }
  }
}
