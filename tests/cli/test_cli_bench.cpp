// The `floatscope bench` contract: every group runs with tiny sizes, its CSV has the documented
// header, every row as many fields with positive rates, rows for each requested model / format /
// thread count in order, and bad names exit 2 naming them. No timing assertions: the machine is
// shared. The reference group's `mismatches` column compares dot_exact with the MPFR oracle.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "run_process.hpp"

namespace {

using Row = std::vector<std::string>;

Row split_csv(const std::string& line) {
  Row out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t comma = line.find(',', pos);
    out.push_back(line.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
    if (comma == std::string::npos) return out;
    pos = comma + 1;
  }
}

struct Csv {
  Row header;
  std::vector<Row> rows;
  std::size_t col(const std::string& name) const {
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return i;
    FAIL("column " << name << " missing from the header");
    return 0;
  }
};

// Runs `floatscope bench args`, expects exit 0 and a CSV whose rows all have the header's width.
Csv run_csv(const std::vector<std::string>& args) {
  std::vector<std::string> full{"bench"};
  full.insert(full.end(), args.begin(), args.end());
  const ProcResult r = run_cli(full);
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  const auto lines = floatscope::test::split_lines(r.out);
  REQUIRE(!lines.empty());
  Csv csv;
  csv.header = split_csv(lines.front());
  for (std::size_t i = 1; i < lines.size(); ++i) {
    csv.rows.push_back(split_csv(lines[i]));
    INFO("line: " << lines[i]);
    CHECK(csv.rows.back().size() == csv.header.size());
  }
  return csv;
}

bool positive_number(const std::string& s) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  return !s.empty() && end == s.c_str() + s.size() && std::isfinite(v) && v > 0;
}

void check_positive(const Csv& csv, const std::vector<std::string>& cols) {
  for (const auto& name : cols) {
    const std::size_t c = csv.col(name);
    for (const auto& row : csv.rows) {
      INFO(name << " = " << row.at(c));
      CHECK(positive_number(row.at(c)));
    }
  }
}

ProcResult bench(const std::vector<std::string>& args) {
  std::vector<std::string> full{"bench"};
  full.insert(full.end(), args.begin(), args.end());
  return run_cli(full);
}

}  // namespace

TEST_CASE("bench rounding: CSV rows per format and mode, also as the default group", "[cli_bench]") {
  const Row header{"group", "format", "mode", "threads", "n", "mvalues_per_s", "copy_mvalues_per_s",
                   "time_vs_copy", "simd"};
  const Csv csv = run_csv({"rounding", "--n", "1000", "--formats", "fp16,e4m3", "--modes", "rne,sr",
                           "--threads", "1", "--reps", "1", "--csv"});
  CHECK(csv.header == header);
  REQUIRE(csv.rows.size() == 4);
  const std::vector<std::pair<std::string, std::string>> expected{
      {"fp16", "rne"}, {"fp16", "sr"}, {"e4m3", "rne"}, {"e4m3", "sr"}};
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(csv.rows[i][0] == "rounding");
    CHECK(csv.rows[i][1] == expected[i].first);
    CHECK(csv.rows[i][2] == expected[i].second);
    CHECK(csv.rows[i][3] == "1");
    CHECK(csv.rows[i][4] == "1000");
  }
  check_positive(csv, {"mvalues_per_s", "copy_mvalues_per_s", "time_vs_copy"});

  const Csv plain = run_csv({"--n", "1000", "--formats", "bf16", "--modes", "rtz", "--threads", "1",
                             "--reps", "1", "--csv"});
  CHECK(plain.header == header);
  REQUIRE(plain.rows.size() == 1);
  CHECK(plain.rows[0][1] == "bf16");
}

TEST_CASE("bench gemm: default models, one row per model and thread count", "[cli_bench]") {
  const Csv csv = run_csv({"gemm", "--size", "16,16,16", "--reps", "1", "--threads", "1", "--csv"});
  CHECK(csv.header == Row{"group", "model", "threads", "M", "N", "K", "macs_per_s",
                          "double_macs_per_s", "time_vs_double", "simd"});
  const Row models{"fp16-acc-rne", "fp16-acc-sr", "bf16-acc-rne", "h100-fp8", "h100-fp8-promote128",
                   "h100-bf16"};
  REQUIRE(csv.rows.size() == models.size());
  for (std::size_t i = 0; i < models.size(); ++i) {
    CHECK(csv.rows[i][0] == "gemm");
    CHECK(csv.rows[i][1] == models[i]);
    CHECK(csv.rows[i][2] == "1");
    CHECK((Row{csv.rows[i][3], csv.rows[i][4], csv.rows[i][5]}) == Row{"16", "16", "16"});
  }
  check_positive(csv, {"macs_per_s", "double_macs_per_s", "time_vs_double"});
}

TEST_CASE("bench gemm: chosen models, rectangular size, two thread counts", "[cli_bench]") {
  const Csv csv = run_csv({"gemm", "--models", "fp32-acc-rne,b200-fp8", "--size", "8,4,40", "--reps",
                           "2", "--threads", "2,1", "--csv"});
  REQUIRE(csv.rows.size() == 4);
  const std::vector<std::pair<std::string, std::string>> expected{
      {"fp32-acc-rne", "1"}, {"fp32-acc-rne", "2"}, {"b200-fp8", "1"}, {"b200-fp8", "2"}};
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(csv.rows[i][1] == expected[i].first);
    CHECK(csv.rows[i][2] == expected[i].second);
    CHECK((Row{csv.rows[i][3], csv.rows[i][4], csv.rows[i][5]}) == Row{"8", "4", "40"});
  }
  check_positive(csv, {"macs_per_s", "double_macs_per_s", "time_vs_double"});
}

TEST_CASE("bench reference: fp32 and double rows, exact path agrees with MPFR", "[cli_bench]") {
  const Csv csv = run_csv({"reference", "--K", "64", "--n", "2", "--reps", "1", "--csv"});
  CHECK(csv.header == Row{"group", "data", "K", "n", "exact_ns_per_mac", "mpfr_ns_per_mac",
                          "mpfr_over_exact", "mismatches", "simd"});
  REQUIRE(csv.rows.size() == 2);
  CHECK(csv.rows[0][1] == "fp32");
  CHECK(csv.rows[1][1] == "double");
  for (const auto& row : csv.rows) {
    CHECK(row[0] == "reference");
    CHECK(row[2] == "64");
    CHECK(row[3] == "2");
    CHECK(row[7] == "0");
  }
  check_positive(csv, {"exact_ns_per_mac", "mpfr_ns_per_mac", "mpfr_over_exact"});
}

TEST_CASE("bench: table output of each group", "[cli_bench]") {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"rounding", "--n", "1000", "--formats", "fp16", "--modes", "rne", "--threads", "1", "--reps", "1"},
       "time vs copy"},
      {{"gemm", "--models", "h100-bf16", "--size", "16", "--threads", "1", "--reps", "1"}, "time vs double"},
      {{"reference", "--K", "64", "--n", "1", "--reps", "1"}, "mpfr/exact"},
  };
  for (const auto& [args, title] : cases) {
    const ProcResult r = bench(args);
    INFO("args[0]: " << args[0] << "\nstderr: " << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find(title) != std::string::npos);
    CHECK(r.out.find("group,") == std::string::npos);
  }
}

TEST_CASE("bench: bad group, model, size or thread count exits 2 naming it", "[cli_bench]") {
  struct Case {
    std::vector<std::string> args;
    std::string needle;
  };
  const std::vector<Case> cases{
      {{"nosuchgroup"}, "nosuchgroup"},
      {{"gemm", "--models", "fp16-acc-rne,nosuchmodel", "--size", "4"}, "nosuchmodel"},
      {{"gemm", "--models", "fp17-acc-rne", "--size", "4"}, "fp17"},
      {{"gemm", "--models", "fp16-acc-rnx", "--size", "4"}, "rnx"},
      {{"gemm", "--size", "16,0,16"}, "--size"},
      {{"gemm", "--size", "16,16"}, "--size"},
      {{"gemm", "--size", "4", "--threads", "one"}, "one"},
      {{"reference", "--K", "0"}, "--K"},
      {{"rounding", "--formats", "nosuchformat"}, "nosuchformat"},
  };
  for (const auto& c : cases) {
    const ProcResult r = bench(c.args);
    INFO("expected '" << c.needle << "' in: " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find(c.needle) != std::string::npos);
  }
}

TEST_CASE("--simd picks the vector path, bench names it, and a bad level is a usage error", "[cli_bench]") {
  for (const char* level : {"scalar", "avx2", "avx512"}) {
    std::vector<std::string> args{"--simd", level, "bench", "rounding", "--n", "1000", "--formats", "fp16",
                                  "--modes", "rne", "--threads", "1", "--reps", "1", "--csv"};
    const ProcResult r = run_cli(args);
    if (r.exit_code == 2 && r.err.find("this CPU cannot run it") != std::string::npos) {
      WARN("this CPU has no " << level);
      continue;
    }
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    const auto lines = floatscope::test::split_lines(r.out);
    REQUIRE(lines.size() == 2);
    const Row header = split_csv(lines[0]), row = split_csv(lines[1]);
    REQUIRE(header.back() == "simd");
    CHECK(row.back() == level);
  }
  const ProcResult bad = run_cli({"--simd", "sse9", "formats"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("sse9") != std::string::npos);
}
