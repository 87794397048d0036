// Issue 9 at the library level: format strings (item 8), thread caps (item 9), the streamed grid
// equals the expanded one (item 10), damaged sweep files are CorruptFile (bad input, item 11).
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "floatscope/format.hpp"
#include "floatscope/parallel.hpp"
#include "floatscope/sweep.hpp"
#include "floatscope/sweep_toml.hpp"

using namespace floatscope;

TEST_CASE("item 8: a trailing colon, an empty option or a repeated option is an error", "[format][issue9]") {
  for (const char* bad : {"e4m3:", "e4m3:bias=7,bias=8", "e4m3:bias=7,", "e4m3:,bias=7", "e5m2:specials=fn,specials=ieee"})
    CHECK_THROWS_WITH(parse_format(bad), Catch::Contains(std::string("'") + bad + "'"));
  CHECK(parse_format("e4m3").specials == Specials::fn);  // the OCP preset
  const Format custom = parse_format("e4m3:bias=7");      // an IEEE-style custom format, as documented
  CHECK(custom.specials == Specials::ieee);
  CHECK(parse_format("e4m3:bias=7,specials=fn").max_finite == 448);
}

TEST_CASE("item 9: thread counts are checked against the cap", "[parallel][issue9]") {
  CHECK(max_threads() >= 64);
  CHECK_NOTHROW(check_threads(0));
  CHECK_NOTHROW(check_threads(max_threads()));
  CHECK_THROWS_AS(check_threads(-1), std::invalid_argument);
  CHECK_THROWS_WITH(check_threads(70000, "--threads"), Catch::Contains("--threads 70000"));
}

TEST_CASE("item 10: for_each_point gives expand()'s points, duplicates dropped", "[sweep][issue9]") {
  const auto config = sweep::parse_sweep_toml(R"(b_format = ["", "fp16"]
K = [8, 16]
repeats = 3
[[grid]]
a_format = "fp16"
[[grid]]
a_format = "bf16"
[[grid]]
a_format = "fp16"
)", "t.toml");
  const auto all = sweep::expand(config);
  std::vector<sweep::Point> streamed;
  sweep::for_each_point(config, [&](sweep::Point&& p) { streamed.push_back(std::move(p)); });
  REQUIRE(streamed.size() == all.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    CHECK(streamed[i].id == all[i].id);
    CHECK(streamed[i].index == i);
  }
  // By hand: (fp16, "" = fp16) and (fp16, fp16) are one point, (bf16, bf16) and (bf16, fp16) two,
  // each x K {8, 16} x 3 repeats = 18; the third sub-grid repeats the first and adds nothing.
  CHECK(all.size() == 18);
}

TEST_CASE("item 11: damaged CSV text is CorruptFile, a bad-input error naming file and line", "[sweep][issue9]") {
  CHECK_THROWS_AS(sweep::parse_csv("a,b\n1,2\n1,2,3\n", "f.csv"), sweep::CorruptFile);
  CHECK_THROWS_AS(sweep::parse_csv("a,b\n1,2\n1,2,3\n", "f.csv"), std::invalid_argument);
  CHECK_THROWS_WITH(sweep::parse_csv("a,b\n1,2\n1,2,3\n", "f.csv"), Catch::Contains("f.csv:3"));
}
