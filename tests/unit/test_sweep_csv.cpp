// results.csv: RFC 4180 quoting, parsing, torn last lines.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "floatscope/sweep.hpp"

using namespace floatscope::sweep;

TEST_CASE("CSV quoting follows RFC 4180", "[sweep]") {
  CHECK(csv_quote("plain") == "plain");
  CHECK(csv_quote("a,b") == "\"a,b\"");
  CHECK(csv_quote("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_quote("two\nlines") == "\"two\nlines\"");
  CHECK(csv_quote(" padded") == "\" padded\"");
  CHECK(csv_quote("") == "");
  CHECK(csv_line({"a", "b,c", ""}) == "a,\"b,c\",\n");
}

TEST_CASE("CSV parsing inverts writing, including quotes and embedded newlines", "[sweep]") {
  std::vector<std::vector<std::string>> rows = {
      {"h1", "h2", "h3"}, {"x", "y,z", "q\"uote"}, {"multi\nline", "", " s "}, {"1", "2", "3"}};
  std::string text;
  for (auto& r : rows) text += csv_line(r);
  auto t = parse_csv(text, "mem");
  CHECK(t.header == rows[0]);
  REQUIRE(t.rows.size() == 3);
  CHECK(t.rows[0] == rows[1]);
  CHECK(t.rows[1] == rows[2]);
  CHECK(t.rows[2] == rows[3]);
  CHECK_FALSE(t.torn_tail);
  CHECK(t.complete_bytes == text.size());
}

TEST_CASE("a last record without its newline is torn and dropped", "[sweep]") {
  std::string good = "a,b\n1,2\n";
  for (std::string tail : {"3", "3,", "3,4", "\"3\n,4"}) {
    auto t = parse_csv(good + tail, "mem");
    CHECK(t.torn_tail);
    CHECK(t.rows.size() == 1);
    CHECK(t.complete_bytes == good.size());
  }
  auto h = parse_csv("a,b", "mem");  // even the header is torn
  CHECK(h.header.empty());
  CHECK(h.complete_bytes == 0);
}

TEST_CASE("malformed complete records are errors naming the line", "[sweep]") {
  CHECK_THROWS_WITH(parse_csv("a,b\n1,2\n1,2,3\n", "f.csv"), Catch::Contains("f.csv:3") && Catch::Contains("found 3"));
  CHECK_THROWS_WITH(parse_csv("a,b\nx\"y,2\n", "f.csv"), Catch::Contains("f.csv:2"));
}

TEST_CASE("doubles are written in shortest round-trip form", "[sweep]") {
  for (double v : {0.1, 1.0 / 3.0, 6.103515625e-05, 1e-300, 4.9e-324, -2.5})
    CHECK(std::strtod(format_double(v).c_str(), nullptr) == v);
  CHECK(format_double(0.1) == "0.1");
  CHECK(format_double(NAN) == "nan");
  CHECK(format_double(-INFINITY) == "-inf");
}

TEST_CASE("write_file_atomic replaces the file and leaves no temporary", "[sweep]") {
  auto dir = std::filesystem::temp_directory_path() / ("floatscope_test_sweep_csv_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  write_file_atomic(dir / "x.txt", "one");
  write_file_atomic(dir / "x.txt", "two");
  std::ifstream in(dir / "x.txt");
  std::string s;
  std::getline(in, s);
  CHECK(s == "two");
  CHECK_FALSE(std::filesystem::exists(dir / "x.txt.tmp"));
  std::filesystem::remove_all(dir);
}
