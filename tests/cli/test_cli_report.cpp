// End-to-end: `floatscope report` on a real sweep directory.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

extern char** environ;
namespace fs = std::filesystem;

#include "scratch.hpp"
#include "skip.hpp"

namespace {

fs::path root() { return floatscope::test::scratch_root("cli_report"); }
using floatscope::test::slurp;

struct Outcome {
  int rc;
  std::string err;
};

Outcome run(std::vector<std::string> args) {
  static int n = 0;
  auto err = root() / ("err" + std::to_string(++n));
  args.insert(args.begin(), FLOATSCOPE_CLI_PATH);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  REQUIRE(posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&fa);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(err)};
}

bool have_gnuplot() { return std::system("gnuplot -e 'exit' >/dev/null 2>&1") == 0; }

// A sweep over K, formats, scale and random orders, so that every kind of figure applies.
fs::path make_sweep() {
  static const fs::path d = [] {
    auto s = root() / "sweep";
    auto o = run({"sweep", "-o", s.string(), "--quiet", "--a-format", "fp16,bf16", "--acc-format", "fp16",
                  "--order", "random:1,random:2,random:3", "--scale-a", "1,4096", "--K", "16,128", "--M", "2",
                  "--N", "2", "--repeats", "2", "--title", "report test"});
    INFO(o.err);
    REQUIRE(o.rc == 0);
    return s;
  }();
  return d;
}

}  // namespace

TEST_CASE("the report is produced and references every figure", "[cli][report]") {
  if (!have_gnuplot()) {
    floatscope::test::skip_test_case("gnuplot not installed: no figure checks");
    return;
  }
  auto s = make_sweep();
  auto out = root() / "report";
  auto o = run({"report", s.string(), "-o", out.string(), "--quiet"});
  INFO(o.err);
  REQUIRE(o.rc == 0);
  const auto md = slurp(out / "report.md"), html = slurp(out / "report.html");
  CHECK_THAT(md, Catch::StartsWith("# report test"));
  std::set<std::string> kinds;
  int svgs = 0;
  for (const auto& e : fs::directory_iterator(out / "figures")) {
    if (e.path().extension() != ".svg") continue;
    ++svgs;
    const std::string stem = e.path().stem().string();
    kinds.insert(stem.substr(0, stem.find('_')));
    CHECK_THAT(md, Catch::Contains("figures/" + stem + ".svg"));
    CHECK_THAT(html, Catch::Contains("href=\"figures/" + stem + ".svg\""));
    CHECK(fs::exists(out / "figures" / (stem + ".gp")));
    CHECK(fs::exists(out / "figures" / (stem + ".dat")));
    CHECK(fs::file_size(out / "figures" / (stem + ".png")) > 1000);
    CHECK_THAT(slurp(e.path()), Catch::Contains("<svg"));
  }
  // error against K, heat map, ulp CDF, underflow/overflow against scale, distinct results.
  CHECK(kinds == std::set<std::string>{"error", "heatmap", "ulp", "range", "distinct"});
  CHECK(svgs >= 5);
  // Self-contained: the HTML embeds every figure and loads nothing from outside.
  int embedded = 0;
  for (auto p = html.find("src=\""); p != std::string::npos; p = html.find("src=\"", p + 1)) {
    CHECK(html.compare(p + 5, 11, "data:image/") == 0);
    ++embedded;
  }
  CHECK(html.find("href=\"http") == std::string::npos);
  CHECK(embedded == svgs);
  // The HTML is the Markdown rendered (md4c), not Markdown text: tables, emphasis and code are
  // elements; no table rule, image or backtick syntax is left over.
  CHECK_THAT(html, Catch::Contains("<table>"));
  CHECK_THAT(html, Catch::Contains("<em>max err / |A||B|</em>"));
  CHECK_THAT(html, Catch::Contains("<code>reference</code>"));
  CHECK(html.find("|---|") == std::string::npos);
  CHECK(html.find("![") == std::string::npos);
  CHECK(html.find('`') == std::string::npos);
  // Tables, configuration and environment are there.
  for (const char* s : {"Summary by configuration", "Resolved configuration", "Environment", "mpfr_version"}) {
    CHECK_THAT(md, Catch::Contains(s));
    CHECK_THAT(html, Catch::Contains(s));
  }
}

TEST_CASE("without gnuplot the report still writes its tables and says how to install it", "[cli][report]") {
  auto s = make_sweep();
  auto out = root() / "nognuplot";
  auto o = run({"report", s.string(), "-o", out.string(), "--gnuplot", "/nonexistent/gnuplot"});
  INFO(o.err);
  REQUIRE(o.rc == 0);
  const auto md = slurp(out / "report.md");
  CHECK_THAT(md, Catch::Contains("apt-get install gnuplot-nox"));
  CHECK_THAT(md, Catch::Contains("Summary by configuration"));
  CHECK_THAT(o.err, Catch::Contains("gnuplot"));
  CHECK(fs::exists(out / "report.html"));
  // The scripts are still written, so the figures can be drawn later.
  CHECK(fs::exists(out / "figures" / "ulp_cdf_a_format_fp16.gp"));
  CHECK_FALSE(fs::exists(out / "figures" / "ulp_cdf_a_format_fp16.svg"));
}

TEST_CASE("report on a directory without results fails with exit code 2", "[cli][report]") {
  fs::create_directories(root() / "empty");
  auto o = run({"report", (root() / "empty").string()});
  CHECK(o.rc == 2);
  CHECK_THAT(o.err, Catch::Contains("results.csv"));
}

TEST_CASE("a results.csv from before acc_format named the model's accumulator still shows it", "[cli][report]") {
  // Sweeps before acc_format named a model's real accumulator wrote the unused parameter (fp32)
  // there: such a file is made here from a fresh sweep, and the report must take the accumulator
  // from its description instead: the H100 FP8 unit's 14-bit e8m13 with round-toward-zero
  // (docs/references.md s.5).
  const fs::path old = root() / "old_sweep";
  auto s = run({"sweep", "-o", old.string(), "--quiet", "--model", "h100-fp8", "--a-format", "e4m3", "--K", "64",
                "--M", "2", "--N", "2"});
  INFO(s.err);
  REQUIRE(s.rc == 0);
  std::string csv = slurp(old / "results.csv");
  const std::string now = ",e8m13/rtz,";
  REQUIRE(csv.find(now) != std::string::npos);
  for (auto at = csv.find(now); at != std::string::npos; at = csv.find(now, at)) csv.replace(at, now.size(), ",fp32,");
  std::ofstream(old / "results.csv", std::ios::binary | std::ios::trunc) << csv;
  auto out = root() / "old_csv";
  auto o = run({"report", old.string(), "-o", out.string(), "--quiet", "--gnuplot", "/nonexistent/gnuplot"});
  INFO(o.err);
  REQUIRE(o.rc == 0);
  const auto md = slurp(out / "report.md");
  CHECK_THAT(md, Catch::Contains("| h100-fp8 | e4m3 | e4m3 | e8m13/rtz | rtz |"));
}
