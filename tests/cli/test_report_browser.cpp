// report.html in a real browser: headless Chromium (Debian's `chromium`) loads the page, and the
// test checks that it logged nothing to the console (no script errors, no failed loads reported
// there), that every figure the report lists is an image the browser decoded (naturalWidth > 0),
// and that the Markdown was rendered (tables are <table> elements, no leftover Markdown syntax).
// The oracle is the browser, not floatscope's own output. Without chromium (or gnuplot, which
// draws the figures) the test exits 77: CTest reports it Skipped.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <iostream>
#include <regex>
#include <string>

#include "run_process.hpp"
#include "scratch.hpp"

namespace fs = std::filesystem;
using floatscope::test::run_cli;
using floatscope::test::run_process;
using floatscope::test::scratch_root;
using floatscope::test::slurp;

namespace {

// chromium on PATH (Debian: /usr/bin/chromium), or "" when there is none.
std::string find_chromium() {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (std::size_t start = 0; start <= dirs.size();) {
    const std::size_t colon = std::min(dirs.find(':', start), dirs.size());
    const fs::path dir = dirs.substr(start, colon - start);
    for (const char* name : {"chromium", "chromium-browser"}) {
      const fs::path p = dir / name;
      if (!dir.empty() && fs::exists(p)) return p.string();
    }
    start = colon + 1;
  }
  return "";
}

void skip_unless_tools(const std::string& chromium) {
  if (chromium.empty()) {
    std::cout << "SKIPPED: chromium not found (scripts/install-deps.sh installs it)\n";
    std::exit(77);
  }
  if (std::system("gnuplot -e 'exit' >/dev/null 2>&1") != 0) {
    std::cout << "SKIPPED: gnuplot not found: the report has no figures to check\n";
    std::exit(77);
  }
}

// After the page has loaded, record on <body> how many images it has, how many the browser
// decoded, and how many figure headings (h3) the report has. The page itself has no script.
const char* kProbe =
    "<script>window.addEventListener('load', () => {"
    " const imgs = [...document.images];"
    " document.body.setAttribute('data-images', imgs.length);"
    " document.body.setAttribute('data-decoded', imgs.filter(i => i.complete && i.naturalWidth > 0).length);"
    " document.body.setAttribute('data-figures', document.querySelectorAll('h3').length);"
    " document.body.setAttribute('data-tables', document.querySelectorAll('table').length);"
    "});</script>";

struct Page {
  int images = -1, decoded = -1, figures = -1, tables = -1;
  std::string console;  // console lines the browser logged
  std::string dom;
};

int attr(const std::string& dom, const std::string& name) {
  std::smatch m;
  if (std::regex_search(dom, m, std::regex(name + "=\"([0-9]+)\""))) return std::stoi(m[1]);
  return -1;
}

Page load(const std::string& chromium, const fs::path& html) {
  std::string text = slurp(html);
  const auto at = text.rfind("</body>");
  REQUIRE(at != std::string::npos);
  text.insert(at, kProbe);
  const fs::path probe = html.parent_path() / "browser_probe.html";
  { std::ofstream(probe) << text; }
  const fs::path profile = scratch_root("browser") / ("profile_" + html.parent_path().filename().string());
  const auto r = run_process(chromium, {"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                        "--user-data-dir=" + profile.string(), "--enable-logging=stderr", "--v=0",
                                        "--virtual-time-budget=10000", "--dump-dom", "file://" + probe.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  fs::remove(probe);
  Page p;
  p.dom = r.out;
  p.images = attr(r.out, "data-images");
  p.decoded = attr(r.out, "data-decoded");
  p.figures = attr(r.out, "data-figures");
  p.tables = attr(r.out, "data-tables");
  std::istringstream lines(r.err);
  for (std::string line; std::getline(lines, line);)
    if (line.find(":CONSOLE") != std::string::npos) p.console += line + "\n";
  return p;
}

void check_page(const Page& p, int svgs) {
  INFO("console:\n" << p.console);
  CHECK(p.console.empty());
  CHECK(p.images == svgs);
  CHECK(p.decoded == svgs);
  CHECK(p.figures == svgs);
  CHECK(p.tables >= 4);  // summary, accumulators, configuration, environment
  CHECK(p.dom.find("|---|") == std::string::npos);
  CHECK(p.dom.find("![") == std::string::npos);
}

int svg_count(const fs::path& figures) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(figures)) n += e.path().extension() == ".svg";
  return n;
}

}  // namespace

TEST_CASE("a fresh report loads in headless Chromium with every figure and no console message",
          "[cli][browser]") {
  const std::string chromium = find_chromium();
  skip_unless_tools(chromium);
  const fs::path dir = scratch_root("browser") / "sweep";
  // A small sweep of the default's shape: one input format, a software and a hardware accumulator
  // pair, two distributions, K swept.
  auto o = run_cli({"sweep", "-o", dir.string(), "--quiet", "--a-format", "fp16", "--acc-format", "fp32,fp16",
                    "--dist", "uniform01,normal", "--K", "16,64,256", "--M", "4", "--N", "4", "--repeats", "2"});
  INFO(o.err);
  REQUIRE(o.exit_code == 0);
  o = run_cli({"report", dir.string(), "--quiet"});
  INFO(o.err);
  REQUIRE(o.exit_code == 0);
  const int svgs = svg_count(dir / "figures");
  CHECK(svgs >= 3);  // error against K, heat map, ulp CDF
  check_page(load(chromium, dir / "report.html"), svgs);
}

TEST_CASE("the report of the committed default sweep loads in headless Chromium with every figure",
          "[cli][browser]") {
  const std::string chromium = find_chromium();
  skip_unless_tools(chromium);
  // reports/default keeps results.csv, report.md and figures/; report.html is regenerated (it
  // embeds every figure), here into a scratch folder.
  const fs::path committed = fs::path(FLOATSCOPE_SOURCE_DIR) / "reports" / "default";
  REQUIRE(fs::exists(committed / "results.csv"));
  const fs::path out = scratch_root("browser") / "default";
  auto o = run_cli({"report", committed.string(), "-o", out.string(), "--quiet"});
  INFO(o.err);
  REQUIRE(o.exit_code == 0);
  const int svgs = svg_count(out / "figures");
  CHECK(svgs >= 6);  // four input formats against K, heat map, ulp CDFs
  check_page(load(chromium, out / "report.html"), svgs);
}
