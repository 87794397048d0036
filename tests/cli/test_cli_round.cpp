// The `floatscope round` contract: CSV rows for published conversion vectors (OFP8 rev 1.0 s.5,
// ml_dtypes subnormal cases, docs/references.md s.2), exit codes, error messages naming the line, and
// nothing on stdout when the input is bad.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstdio>
#include <string>
#include <vector>

#include "floatscope/random.hpp"
#include "run_process.hpp"

namespace {

const std::string kHeader = "input,value,bits";

// Runs `floatscope round args` on `input`, expects success and returns the rows after the header.
std::vector<std::string> rows(const std::vector<std::string>& args, const std::string& input) {
  std::vector<std::string> full{"round"};
  full.insert(full.end(), args.begin(), args.end());
  const ProcResult r = run_cli(full, input);
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  std::vector<std::string> lines = floatscope::test::split_lines(r.out);
  REQUIRE(!lines.empty());
  CHECK(lines.front() == kHeader);
  lines.erase(lines.begin());
  return lines;
}

// Expects a usage error (exit 2) with an empty stdout and `needle` in the message.
void expect_usage_error(const std::vector<std::string>& args, const std::string& input,
                        const std::string& needle) {
  std::vector<std::string> full{"round"};
  full.insert(full.end(), args.begin(), args.end());
  const ProcResult r = run_cli(full, input);
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err.find(needle) != std::string::npos);
}

}  // namespace

TEST_CASE("round: E4M3 vectors of OFP8 s.5, non-saturating and saturating", "[cli_round]") {
  // 464 is a tie between 448 and 480: even gives 448; 465 and 470 round to 480, past max:
  // NaN (0x7f / 0xff) without saturation, 448 with it; Inf input likewise.
  CHECK(rows({"--format", "e4m3"}, "464\n465\n470\n-464\ninf\n-inf\n") ==
        std::vector<std::string>{"464,0x1.cp+8,0x7e", "465,nan,0x7f", "470,nan,0x7f",
                                 "-464,-0x1.cp+8,0xfe", "inf,nan,0x7f", "-inf,nan,0xff"});
  CHECK(rows({"--format", "e4m3", "--saturate"}, "465\n470\ninf\n-inf\n") ==
        std::vector<std::string>{"465,0x1.cp+8,0x7e", "470,0x1.cp+8,0x7e", "inf,0x1.cp+8,0x7e",
                                 "-inf,-0x1.cp+8,0xfe"});
}

TEST_CASE("round: E5M2 vectors of OFP8 s.5", "[cli_round]") {
  // 58000 -> 57344; 61440 is a tie that rounds up past max: Inf unless saturating.
  CHECK(rows({"--format", "e5m2"}, "58000\n61440\n") ==
        std::vector<std::string>{"58000,0x1.cp+15,0x7b", "61440,inf,0x7c"});
  CHECK(rows({"--format", "float8_e5m2", "--saturate"}, "61440\n") ==
        std::vector<std::string>{"61440,0x1.cp+15,0x7b"});
}

TEST_CASE("round: rounding into subnormals (ml_dtypes vectors)", "[cli_round]") {
  // E4M3 0x0.94p-6 -> 0x0.Ap-6 (subnormal code 5); E5M2 0x0.A8p-14 -> 0x0.Cp-14 (code 3).
  CHECK(rows({"--format", "e4m3"}, "0x0.94p-6\n") == std::vector<std::string>{"0x0.94p-6,0x1.4p-7,0x05"});
  CHECK(rows({"--format", "e5m2"}, "0x0.A8p-14\n") ==
        std::vector<std::string>{"0x0.A8p-14,0x1.8p-15,0x03"});
}

TEST_CASE("round: fp16 tie 1+2^-11 under rne and ties-away", "[cli_round]") {
  CHECK(rows({"--format", "fp16"}, "0x1.002p+0\n") == std::vector<std::string>{"0x1.002p+0,0x1p+0,0x3c00"});
  CHECK(rows({"--format", "half", "--rounding", "rna"}, "0x1.002p+0\n") ==
        std::vector<std::string>{"0x1.002p+0,0x1.004p+0,0x3c01"});
}

TEST_CASE("round: directed modes and decimal input", "[cli_round]") {
  // 0x1.fffp+0 lies between fp16 neighbours 0x1.ffcp+0 (0x3fff) and 2 (0x4000).
  CHECK(rows({"--format", "fp16", "--rounding", "rtz"}, "0x1.fffp+0\n-0x1.fffp+0\n") ==
        std::vector<std::string>{"0x1.fffp+0,0x1.ffcp+0,0x3fff", "-0x1.fffp+0,-0x1.ffcp+0,0xbfff"});
  CHECK(rows({"--format", "fp16"}, "0x1.fffp+0\n") == std::vector<std::string>{"0x1.fffp+0,0x1p+1,0x4000"});
  // Decimal 0.1 is first the nearest double, then rounded once: float(0.1) = 0x3dcccccd.
  CHECK(rows({"--format", "fp32"}, "0.1\n") == std::vector<std::string>{"0.1,0x1.99999ap-4,0x3dcccccd"});
  // int8 (MXINT8): k/64.
  CHECK(rows({"--format", "int8"}, "1\n-0.5\n") ==
        std::vector<std::string>{"1,0x1p+0,0x40", "-0.5,-0x1p-1,0xe0"});
}

TEST_CASE("round: tf32 codes are fp32 words", "[cli_round]") {
  // 0x1.006p+0 = 1 + 3*2^-11 is a tie between 1+2^-10 (odd) and 1+2^-9 (even).
  CHECK(rows({"--format", "tf32"}, "1\n0\n0x1.006p+0\n-inf\nnan\n") ==
        std::vector<std::string>{"1,0x1p+0,0x3f800000", "0,0x0p+0,0x00000000",
                                 "0x1.006p+0,0x1.008p+0,0x3f804000", "-inf,-inf,0xff800000",
                                 "nan,nan,0x7fc00000"});
}

TEST_CASE("round: specials and input layout", "[cli_round]") {
  CHECK(rows({"--format", "fp16"}, "inf\n-inf\nnan\n") ==
        std::vector<std::string>{"inf,inf,0x7c00", "-inf,-inf,0xfc00", "nan,nan,0x7e00"});
  // Surrounding whitespace is trimmed from the echo; the last line needs no newline.
  CHECK(rows({"--format", "fp16"}, "  1.5\t\r\n2") ==
        std::vector<std::string>{"1.5,0x1.8p+0,0x3e00", "2,0x1p+1,0x4000"});
  // The --help example: 0.1875 is below half of e2m1's smallest subnormal 0.5.
  CHECK(rows({"--format", "e2m1", "--rounding", "rtz"}, "0x1.8p-3\n") ==
        std::vector<std::string>{"0x1.8p-3,0x0p+0,0x0"});
  CHECK(rows({"--format", "fp16"}, "").empty());
}

TEST_CASE("round: stochastic rounding follows floor(f*2^r)/2^r and the line index", "[cli_round]") {
  // 1 + 2^-12 sits a quarter ulp above 1 in fp16 (f = 1/4).
  std::string input;
  for (int i = 0; i < 400; ++i) input += "0x1.001p+0\n";
  auto ups = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> args{"--format", "fp16", "--rounding", "sr"};
    args.insert(args.end(), extra.begin(), extra.end());
    int up = 0;
    for (const auto& row : rows(args, input)) {
      if (row == "0x1.001p+0,0x1.004p+0,0x3c01") {
        ++up;
      } else {
        CHECK(row == "0x1.001p+0,0x1p+0,0x3c00");
      }
    }
    return up;
  };
  CHECK(ups({"--sr-bits", "1"}) == 0);  // floor(0.25*2)/2 = 0: never up
  const int up64 = ups({"--seed", "3"});  // P = 1/4: mean 100, sd 8.7
  CHECK(up64 > 60);
  CHECK(up64 < 140);
  const int up2 = ups({"--seed", "4", "--sr-bits", "2"});  // floor(1)/4 = 1/4
  CHECK(up2 > 60);
  CHECK(up2 < 140);

  // Same seed, same bits; another seed, other bits. Row k uses index k-1 of stream 0.
  const auto a = rows({"--format", "fp16", "--rounding", "sr", "--seed", "9"}, input);
  CHECK(a == rows({"--format", "fp16", "--rounding", "sr", "--seed", "9"}, input));
  CHECK(a != rows({"--format", "fp16", "--rounding", "sr", "--seed", "10"}, input));
  // The rule of docs/references.md s.3 written out, not the library's rounding: the dropped part is
  // D = 2^62 (a quarter ulp), so D + R carries out of 64 bits iff R >= 3 * 2^62, R the row's
  // random word CounterRng(seed 9, stream 0).bits(k - 1).
  REQUIRE(a.size() == 400);
  const floatscope::CounterRng rng(9, 0);
  for (std::size_t i = 0; i < a.size(); ++i) {
    const bool up = (rng.bits(i) >> 62) == 3;
    const std::string want = up ? "0x1.001p+0,0x1.004p+0,0x3c01" : "0x1.001p+0,0x1p+0,0x3c00";
    INFO("row " << i + 1);
    CHECK(a[i] == want);
  }
}

TEST_CASE("round: bad input stops with exit 2, names the line and prints no CSV", "[cli_round]") {
  expect_usage_error({"--format", "fp16"}, "1.5\nabc\n3\n", "line 2");
  expect_usage_error({"--format", "fp16"}, "1.5\n1.5x\n", "'1.5x' is not a number");
  expect_usage_error({"--format", "fp16"}, "1\n\n2\n", "line 2");
  expect_usage_error({"--format", "fp16"}, "1\n2\n\n\n", "line 3");
  expect_usage_error({"--format", "e2m1"}, "1\nnan\n", "line 2");
  expect_usage_error({"--format", "e2m1"}, "nan\n", "no NaN");
}

TEST_CASE("round: unknown names, bad options and missing files exit 2", "[cli_round]") {
  expect_usage_error({"--format", "fp17"}, "1\n", "e4m3");          // lists the valid formats
  expect_usage_error({"--format", "fp16", "--rounding", "nearest-odd"}, "1\n", "sr-equal");
  expect_usage_error({"--format", "fp16", "--sr-bits", "0"}, "1\n", "sr-bits");
  expect_usage_error({"--format", "fp16", "/nonexistent/values.txt"}, "", "/nonexistent/values.txt");
  const ProcResult r = run_cli({"round"}, "1\n");
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
}

TEST_CASE("round: reads FILE and names it in errors", "[cli_round]") {
  const std::string path = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") +
                           "/floatscope_round_test_input.txt";
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    REQUIRE(f != nullptr);
    std::fputs("464\n0x1.cp+8\nbad\n", f);
    std::fclose(f);
  }
  const ProcResult bad = run_cli({"round", "--format", "e4m3", path});
  CHECK(bad.exit_code == 2);
  CHECK(bad.out.empty());
  CHECK(bad.err.find(path) != std::string::npos);
  CHECK(bad.err.find("line 3") != std::string::npos);
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    REQUIRE(f != nullptr);
    std::fputs("464\n0x1.cp+8\n", f);
    std::fclose(f);
  }
  CHECK(rows({"--format", "e4m3", path}, "") ==
        std::vector<std::string>{"464,0x1.cp+8,0x7e", "0x1.cp+8,0x1.cp+8,0x7e"});
  std::remove(path.c_str());
}

TEST_CASE("round --help exits 0 and shows the input rules", "[cli_round]") {
  const ProcResult r = run_cli({"round", "--help"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("0x1.8p-3") != std::string::npos);
  CHECK(r.out.find("nearest double") != std::string::npos);
  CHECK(r.out.find("--saturate") != std::string::npos);
}
