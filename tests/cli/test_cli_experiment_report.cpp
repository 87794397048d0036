// The experiment framework end to end: a config's [report] claims and figures, [reduced] runs,
// `report --index`, `unavailable = "skip"` and the reference_of key. The claims' oracles are the
// published harmonic-series stagnation of fp16 (docs/references.md s.6: 7.0859375 from term 513)
// and statistics recomputed here from results.csv, never the report's own helpers.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "floatscope/sweep.hpp"
#include "run_process.hpp"
#include "scratch.hpp"

namespace fs = std::filesystem;
using floatscope::test::run_cli;
using floatscope::test::slurp;

namespace {

fs::path root() { return floatscope::test::scratch_root("cli_experiment_report"); }

fs::path write_config(const std::string& name, const std::string& text) {
  const fs::path p = root() / (name + ".toml");
  std::ofstream(p) << text;
  return p;
}

// The harmonic series (A = 1/k rounded to fp16, B = 1) summed in fp16 with rne and sr.
const char* kHarmonic = R"(title = "harmonic fp16"
dist = "harmonic"
a_format = "fp16"
acc_format = "fp16"
M = 1
N = 1
K = [600, 1000]
rounding = ["rne", "sr"]
repeats = 3

[reduced]
K = 600
repeats = 1

[report]
question = "Where does the fp16 harmonic sum stagnate?"
conclusion = "At 7.0859375."

[[report.figure]]
title = "Computed sum against K"
x = "K"
y = "c_mean"
series = "rounding"
logx = true

[[report.claim]]
claim = "rne stagnates from term 513"
source = "docs/references.md s.6"
where = { rounding = "rne", K = 1000 }
metric = "K - stagnation_count + 1"
published = 513
expect = "equal"

[[report.claim]]
claim = "at 7.0859375"
where = { rounding = "RNE", K = [1000] }
metric = "c_mean"
published = 7.0859375
expect = "equal"

[[report.claim]]
claim = "a wrong published value"
where = { rounding = "rne", K = 1000 }
metric = "c_mean"
published = 7.0
expect = "equal"
tol = 0.001

[[report.claim]]
claim = "a condition no row meets"
where = { K = 4096 }
metric = "c_mean"
published = 7.0
expect = "near"

[[report.claim]]
claim = "sr ends closer to H_K than rne"
where = { rounding = "sr", K = 1000 }
metric = "max_rel_err"
stat = "mean"
expect = "below"
factor = 2
than = { where = { rounding = "rne", K = 1000 }, metric = "max_rel_err", stat = "max" }

[[report.claim]]
claim = "rows"
metric = "K"
stat = "count"
expect = "none"
)";

std::vector<std::map<std::string, std::string>> read_rows(const fs::path& csv) {
  const auto t = floatscope::sweep::read_csv_file(csv);
  std::vector<std::map<std::string, std::string>> rows;
  for (const auto& r : t.rows) {
    std::map<std::string, std::string> m;
    for (std::size_t i = 0; i < t.header.size(); ++i) m[t.header[i]] = r[i];
    rows.push_back(m);
  }
  return rows;
}

}  // namespace

TEST_CASE("claims are evaluated on results.csv with verdicts", "[experiment_report]") {
  const fs::path cfg = write_config("harmonic", kHarmonic), dir = root() / "harmonic";
  auto s = run_cli({"sweep", cfg.string(), "-o", dir.string(), "--quiet"});
  INFO(s.err);
  REQUIRE(s.exit_code == 0);
  CHECK(slurp(dir / "config.toml") == kHarmonic);  // the report reads the [report] table from there
  auto r = run_cli({"report", dir.string(), "--quiet"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto claims = read_rows(dir / "claims.csv");
  REQUIRE(claims.size() == 6);
  CHECK(claims[0].at("verdict") == "held");
  CHECK(std::stod(claims[0].at("measured")) == 513);
  CHECK(claims[1].at("verdict") == "held");
  CHECK(std::stod(claims[1].at("measured")) == 7.0859375);
  CHECK(claims[2].at("verdict") == "not held");
  CHECK(claims[3].at("verdict") == "not measured");
  CHECK(claims[3].at("rows") == "0");
  CHECK(claims[5].at("verdict") == "measured");

  // The `than` claim, recomputed from the rows: mean over sr repeats against the max over rne.
  const auto rows = read_rows(dir / "results.csv");
  CHECK(std::stod(claims[5].at("measured")) == static_cast<double>(rows.size()));
  double sr_sum = 0, rne_max = 0;
  int sr_n = 0;
  for (const auto& row : rows) {
    if (row.at("K") != "1000") continue;
    const double e = std::stod(row.at("max_rel_err"));
    if (row.at("rounding") == "sr") sr_sum += e, ++sr_n;
    if (row.at("rounding") == "rne") rne_max = std::max(rne_max, e);
  }
  REQUIRE(sr_n == 3);
  CHECK(std::stod(claims[4].at("measured")) == Approx(sr_sum / 3).epsilon(1e-12));
  CHECK(std::stod(claims[4].at("reference")) == rne_max);
  CHECK(claims[4].at("verdict") == (sr_sum / 3 < rne_max / 2 ? "held" : "not held"));

  const std::string md = slurp(dir / "report.md");
  CHECK(md.find("**Question.** Where does the fp16 harmonic sum stagnate?") != std::string::npos);
  CHECK(md.find(claims[4].at("verdict") == "held"
                    ? "Claims: 3 of 4 held, 1 not held; 1 measured only; 1 not measured"
                    : "Claims: 2 of 4 held, 2 not held; 1 measured only; 1 not measured") != std::string::npos);
  CHECK(md.find("## Conclusion\n\nAt 7.0859375.") != std::string::npos);
  CHECK(md.find("Computed sum against K") != std::string::npos);
  CHECK(fs::exists(dir / "figures" / "exp1_Computed_sum_against_K.gp"));
}

TEST_CASE("a bad [report] table stops the sweep before it runs, naming file, line and key", "[experiment_report]") {
  struct Case {
    std::string add, expect;
  };
  for (const auto& c : std::vector<Case>{
           {"[[report.claim]]\nclaim = \"x\"\nmetric = \"c_mean\"\npublished = 1\nfactr = 2\n", "unknown key 'factr'"},
           {"[[report.claim]]\nclaim = \"x\"\nmetric = \"max_rel_er\"\npublished = 1\n", "column 'max_rel_er'"},
           {"[[report.claim]]\nclaim = \"x\"\nmetric = \"(K + \"\npublished = 1\n", "expression '(K + '"},
           {"[[report.claim]]\nclaim = \"x\"\nmetric = \"K\"\n", "needs `published` or `than`"},
           {"[[report.claim]]\nclaim = \"x\"\nmetric = \"K\"\nstat = \"mode\"\nexpect = \"none\"\n", "'mode'"},
           {"[[report.figure]]\ntitle = \"t\"\nx = \"K\"\ny = \"c_mean\"\nseries = \"nope\"\n", "column 'nope'"},
           {"[report]\nquestoin = \"q\"\n", "unknown key 'questoin'"},
       }) {
    const fs::path cfg = write_config("bad", "dist = \"normal\"\nM = 2\nN = 2\nK = 8\n\n" + c.add),
                   dir = root() / "bad";
    fs::remove_all(dir);
    auto s = run_cli({"sweep", cfg.string(), "-o", dir.string(), "--quiet"});
    INFO(c.add << "\n" << s.err);
    CHECK(s.exit_code == 2);
    CHECK(s.err.find(cfg.string() + ":") != std::string::npos);
    CHECK(s.err.find(c.expect) != std::string::npos);
    CHECK_FALSE(fs::exists(dir / "results.csv"));
  }
}

TEST_CASE("--reduced runs the [reduced] overrides; without the table it is an error", "[experiment_report]") {
  const fs::path cfg = write_config("harmonic", kHarmonic), dir = root() / "reduced";
  auto s = run_cli({"sweep", cfg.string(), "--reduced", "-o", dir.string(), "--quiet"});
  INFO(s.err);
  REQUIRE(s.exit_code == 0);
  const auto rows = read_rows(dir / "results.csv");
  CHECK(rows.size() == 2);  // K = 600 only, rne and sr, one repeat
  for (const auto& r : rows) CHECK(r.at("K") == "600");
  const fs::path plain = write_config("plain", "dist = \"normal\"\nM = 2\nN = 2\nK = 8\n");
  auto bad = run_cli({"sweep", plain.string(), "--reduced", "-o", (root() / "plain").string(), "--quiet"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("no [reduced] table") != std::string::npos);
  auto typo = run_cli({"sweep", write_config("typo", "K = 8\n[reduced]\nKK = 4\n").string(), "--reduced", "-o",
                       (root() / "typo").string(), "--quiet"});
  CHECK(typo.exit_code == 2);
  CHECK(typo.err.find("unknown key 'KK'") != std::string::npos);
}

TEST_CASE("report --index summarises every report's claims in README.md", "[experiment_report]") {
  const fs::path all = root() / "index";
  for (const char* name : {"one", "two"}) {
    const fs::path dir = all / name;
    REQUIRE(run_cli({"sweep", write_config(name, kHarmonic).string(), "--reduced", "-o", dir.string(), "--quiet"})
                .exit_code == 0);
    REQUIRE(run_cli({"report", dir.string(), "--quiet"}).exit_code == 0);
  }
  auto r = run_cli({"report", "--index", all.string(), "--quiet"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string md = slurp(all / "README.md");
  // Reduced runs have K = 600 only: the five claims at K = 1000 (or 4096) are not measured, the
  // row count is measured only.
  CHECK(md.find("Claims: 0 of 0 held; 2 measured only; 10 not measured.") != std::string::npos);
  CHECK(md.find("| 0 of 0 held; 1 measured only; 5 not measured |") != std::string::npos);
  CHECK(md.find("[one](one/report.md)") != std::string::npos);
  CHECK(md.find("[two](two/report.md)") != std::string::npos);
  CHECK(md.find("Where does the fp16 harmonic sum stagnate?") != std::string::npos);
  CHECK(run_cli({"report", "--index", (root() / "no-such").string()}).exit_code != 0);
}

TEST_CASE("unavailable = skip leaves out points of a backend this machine cannot run", "[experiment_report]") {
  const std::string body = "dist = \"normal\"\nM = 2\nN = 2\nK = 16\nbackend = [\"cpu\", \"gpu-cublaslt\"]\n";
  const fs::path dir = root() / "skip";
  auto s = run_cli({"sweep", write_config("skip", "unavailable = \"skip\"\n" + body).string(), "-o", dir.string(),
                    "--quiet"});
  INFO(s.err);
  REQUIRE(s.exit_code == 0);
  const auto meta = nlohmann::json::parse(slurp(dir / "meta.json"));
  const auto rows = read_rows(dir / "results.csv");
  if (meta.contains("left_out_unavailable")) {  // no CUDA device here
    CHECK(meta["left_out_unavailable"]["gpu-cublaslt"] == 1);
    CHECK(rows.size() == 1);
    CHECK(s.err.find("1 points on backend gpu-cublaslt left out") != std::string::npos);
    auto fail = run_cli({"sweep", write_config("fail", body).string(), "-o", (root() / "fail").string(), "--quiet"});
    CHECK(fail.exit_code == 3);
  } else {
    CHECK(rows.size() == 2);
  }
  auto bad = run_cli({"sweep", write_config("badskip", "unavailable = \"maybe\"\n" + body).string(), "-o",
                      (root() / "badskip").string(), "--quiet"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("unavailable: 'maybe'") != std::string::npos);
}

TEST_CASE("reference_of = original measures the input quantisation too", "[experiment_report]") {
  // A = B = 0.1 (the double nearest), K = 1: fp16(0.1) = 0.0999755859375, whose square (22
  // significant bits) the fp32 accumulator holds exactly. Against the quantised inputs the error is
  // 0; against the original ones it is |q^2 - d^2| / d^2 with d = double(0.1).
  const double d = 0.1, q = 0.0999755859375;
  const double expected = (d * d - q * q) / (d * d);
  for (const char* of : {"quantised", "original"}) {
    auto r = run_cli({"gemm", "--a-format", "fp16", "--M", "1", "--N", "1", "--K", "1", "--dist", "constant:0.1",
                      "--reference-of", of, "--json"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["c_mean"].get<double>() == q * q);
    CHECK(j["reference_of"] == of);
    if (std::string(of) == "quantised") CHECK(j["max_rel_err"].get<double>() == 0);
    else CHECK(j["max_rel_err"].get<double>() == Approx(expected).epsilon(1e-9));
  }
  auto bad = run_cli({"gemm", "--M", "1", "--N", "1", "--K", "1", "--reference-of", "exactish"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("reference_of: 'exactish'") != std::string::npos);
}

TEST_CASE("claim expressions: comparisons, field() of a text cell; generic figures can be turned off",
          "[experiment_report]") {
  const fs::path cfg = write_config("expr", R"toml(dist = ["outliers:0.25:100", "outliers:0.25:1000"]
M = 2
N = 2
K = 16

[report]
generic_figures = false

[[report.figure]]
title = "error against the outlier factor"
x = "field(dist, 2)"
y = "normwise_rel_err"
logx = true

[[report.claim]]
claim = "the largest outlier factor, read from the dist text"
metric = "field(dist, 2)"
stat = "max"
published = 1000
expect = "equal"

[[report.claim]]
claim = "comparisons are 1 or 0"
metric = "(K < 20) + (K >= 16) + (K > 16) + (2 * K <= 31)"
stat = "min"
published = 2
expect = "equal"

[[report.claim]]
claim = "a part the cell does not have"
metric = "field(dist, 3)"
stat = "max"
published = 1
expect = "equal"
)toml"),
                 dir = root() / "expr";
  auto s = run_cli({"sweep", cfg.string(), "-o", dir.string(), "--quiet"});
  INFO(s.err);
  REQUIRE(s.exit_code == 0);
  auto r = run_cli({"report", dir.string(), "--quiet", "--gnuplot", "/nonexistent/gnuplot"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto claims = read_rows(dir / "claims.csv");
  REQUIRE(claims.size() == 3);
  CHECK(claims[0].at("verdict") == "held");
  CHECK(claims[1].at("verdict") == "held");
  CHECK(claims[2].at("verdict") == "not measured");
  std::set<std::string> files;
  for (const auto& e : fs::directory_iterator(dir / "figures")) files.insert(e.path().stem().string());
  CHECK(files == std::set<std::string>{"exp1_error_against_the_outlier_factor"});
  const std::string dat = slurp(dir / "figures" / "exp1_error_against_the_outlier_factor.dat");
  CHECK(dat.find("\n100 ") != std::string::npos);
  CHECK(dat.find("\n1000 ") != std::string::npos);
}
