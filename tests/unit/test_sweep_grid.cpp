// Sweep schema, TOML/flag config reading, grid expansion, point identity and shards.
#include <catch2/catch.hpp>

#include <set>

#include "floatscope/sweep.hpp"
#include "floatscope/sweep_toml.hpp"

using namespace floatscope::sweep;

namespace {
std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("FNV-1a 64 matches its published test vectors", "[sweep]") {
  // Vectors from the FNV reference (Fowler/Noll/Vo, draft-eastlake-fnv).
  CHECK(hash_hex("") == "cbf29ce484222325");
  CHECK(hash_hex("a") == "af63dc4c8601ec8c");
  CHECK(hash_hex("foobar") == "85944171f73967e8");
}

TEST_CASE("schema: every ExperimentSpec sweep dimension has one key, flags are kebab-case", "[sweep]") {
  for (const char* k : {"model", "backend", "scheme", "a_format", "b_format", "acc_format", "rounding", "order",
                        "dist", "M", "N", "K", "seed", "repeats"})
    CHECK(find_key(k) != nullptr);
  CHECK(flag_name("a_format") == "a-format");
  REQUIRE(find_key("a-format") != nullptr);
  CHECK(find_key("a-format")->name == "a_format");
  CHECK(find_key("nonsense") == nullptr);
  std::set<std::string_view> names;
  for (const auto& k : sweep_keys()) CHECK(names.insert(k.name).second);
}

TEST_CASE("values are checked and canonicalised", "[sweep]") {
  CHECK(canonical_value(*find_key("K"), "0256") == "256");
  CHECK(canonical_value(*find_key("scale_a"), "0.50") == "0.5");
  CHECK(canonical_value(*find_key("scale_a"), "1e3") == "1000");
  CHECK(canonical_value(*find_key("seed"), "18446744073709551615") == "18446744073709551615");
  CHECK(canonical_value(*find_key("model"), "") == "custom");
  CHECK_THROWS_WITH(canonical_value(*find_key("K"), "-5"), Catch::Contains("'K'") && Catch::Contains("between 1"));
  CHECK_THROWS_WITH(canonical_value(*find_key("K"), "12x"), Catch::Contains("expected an integer"));
  CHECK_THROWS_WITH(canonical_value(*find_key("seed"), "-1"), Catch::Contains("non-negative"));
  CHECK_THROWS_WITH(canonical_value(*find_key("scale_b"), "0"), Catch::Contains("nonzero"));
  CHECK_THROWS_WITH(canonical_value(*find_key("a_format"), ""), Catch::Contains("empty"));
  CHECK_THROWS_WITH(canonical_value(*find_key("sr_bits"), "65"), Catch::Contains("sr_bits"));
}

TEST_CASE("comma-separated flag values", "[sweep]") {
  CHECK(split_list("a,b, c", "dist") == std::vector<std::string>{"a", "b", "c"});
  CHECK(split_list("blocked:64", "order") == std::vector<std::string>{"blocked:64"});
  CHECK(split_list("", "b_format") == std::vector<std::string>{""});
  CHECK_THROWS_WITH(split_list("a,,b", "dist"), Catch::Contains("empty item"));
  CHECK_THROWS(split_list("", "dist"));
}

TEST_CASE("grid expansion: Cartesian product, last key fastest, repeats innermost", "[sweep]") {
  SweepConfig c;
  c.set("a_format", {"fp16", "bf16"});
  c.set("K", {"64", "256"});
  c.set("repeats", {"2"});
  auto pts = expand(c);
  REQUIRE(pts.size() == 8);
  const std::vector<std::tuple<std::string, int, int>> expect = {
      {"fp16", 64, 0}, {"fp16", 64, 1}, {"fp16", 256, 0}, {"fp16", 256, 1},
      {"bf16", 64, 0}, {"bf16", 64, 1}, {"bf16", 256, 0}, {"bf16", 256, 1}};
  std::set<std::string> ids;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    CHECK(pts[i].index == i);
    CHECK(pts[i].spec.a_format == std::get<0>(expect[i]));
    CHECK(pts[i].spec.b_format == std::get<0>(expect[i]));  // "" resolves to a_format
    CHECK(pts[i].spec.K == std::get<1>(expect[i]));
    CHECK(pts[i].spec.repeat == std::get<2>(expect[i]));
    CHECK(pts[i].spec.M == 64);  // schema default
    CHECK(pts[i].id == hash_hex(pts[i].canonical));
    // One value per parameter column of results.csv: the dimension keys, then repeat.
    CHECK(pts[i].params.size() == csv_column("point_id"));
    CHECK(pts[i].params.back() == std::to_string(std::get<2>(expect[i])));
    ids.insert(pts[i].id);
  }
  CHECK(ids.size() == 8);
}

TEST_CASE("point identity depends on resolved parameters, not on how they were written", "[sweep]") {
  SweepConfig a, b;
  a.set("a_format", {"fp16"});
  b.set("a_format", {"fp16"});
  b.set("b_format", {"fp16"});  // explicit = the default "same as a_format"
  b.set("scale_a", {"1.0"});
  REQUIRE(expand(a).size() == 1);
  CHECK(expand(a)[0].id == expand(b)[0].id);
  CHECK(fingerprint(a) == fingerprint(b));
  SweepConfig d = a;
  d.set("K", {"256", "512"});
  CHECK(fingerprint(d) != fingerprint(a));
  // Position in the grid does not change a point's id (its seed is f(seed, repeat) only).
  SweepConfig e;
  e.set("K", {"512", "256"});
  e.set("a_format", {"fp16"});
  std::set<std::string> ide, idd;
  for (auto& p : expand(e)) ide.insert(p.id);
  for (auto& p : expand(d)) idd.insert(p.id);
  CHECK(ide == idd);
}

TEST_CASE("sub-grids: union of products, base values as defaults, duplicates kept once", "[sweep]") {
  auto c = parse_sweep_toml(R"(
K = [16, 32]
[[grid]]
a_format = "fp16"
acc_format = ["fp32", "fp16"]
[[grid]]
model = ["h100-fp8", "h100-fp8-promote128"]
a_format = "e4m3"
K = 64
[[grid]]
a_format = "fp16"
acc_format = "fp16"
)",
                            "t.toml");
  auto pts = expand(c);
  REQUIRE(pts.size() == 6);  // 2x2 + 2x1; the third grid repeats points of the first
  CHECK(pts[0].spec.acc_format == "fp32");
  CHECK(pts[4].spec.model == "h100-fp8");
  CHECK(pts[4].spec.K == 64);
  CHECK(pts[5].spec.model == "h100-fp8-promote128");
  // A command-line override replaces the key in every sub-grid.
  c.override_everywhere("K", {"8"});
  for (auto& p : expand(c)) CHECK(p.spec.K == 8);
}

TEST_CASE("TOML errors name the file, line and key", "[sweep]") {
  CHECK_THAT(message_of([] { parse_sweep_toml("K = 64\nbogus = 1\n", "c.toml"); }),
             Catch::Contains("c.toml:2") && Catch::Contains("unknown key 'bogus'"));
  CHECK_THAT(message_of([] { parse_sweep_toml("a-format = \"fp16\"\n", "c.toml"); }),
             Catch::Contains("did you mean 'a_format'"));
  CHECK_THAT(message_of([] { parse_sweep_toml("M = 4\nK = \"64\"\n", "c.toml"); }),
             Catch::Contains("c.toml:2") && Catch::Contains("'K'") && Catch::Contains("got string"));
  CHECK_THAT(message_of([] { parse_sweep_toml("K = [64, -3]\n", "c.toml"); }),
             Catch::Contains("c.toml:1") && Catch::Contains("'K'"));
  CHECK_THAT(message_of([] { parse_sweep_toml("dist = []\n", "c.toml"); }),
             Catch::Contains("'dist'") && Catch::Contains("empty"));
  CHECK_THAT(message_of([] { parse_sweep_toml("K = [1, 1]\n", "c.toml"); }), Catch::Contains("twice"));
  CHECK_THAT(message_of([] { parse_sweep_toml("K = \n", "c.toml"); }),
             Catch::Contains("c.toml:1") && Catch::Contains("syntax"));
  CHECK_THAT(message_of([] { parse_sweep_toml("[[grid]]\nrepeats = 2\n", "c.toml"); }),
             Catch::Contains("top level"));
  CHECK_THAT(message_of([] { parse_sweep_toml("repeats = [1, 2]\n", "c.toml"); }),
             Catch::Contains("one value"));
  auto ok = parse_sweep_toml("scale_a = [1, 0.25]\nseed = 7\n", "c.toml");
  CHECK(ok.base.at("scale_a") == std::vector<std::string>{"1", "0.25"});
}

TEST_CASE("shards partition the grid deterministically", "[sweep]") {
  SweepConfig c;
  c.set("K", {"1", "2", "3", "4", "5", "6", "7"});
  c.set("repeats", {"2"});
  const auto all = expand(c);
  for (int n = 1; n <= 5; ++n) {
    std::multiset<std::string> seen;
    for (int i = 1; i <= n; ++i) {
      auto part = select_shard(all, Shard::parse(std::to_string(i) + "/" + std::to_string(n)));
      for (auto& p : part) {
        CHECK(p.index % static_cast<std::size_t>(n) == static_cast<std::size_t>(i - 1));
        seen.insert(p.id);
      }
    }
    CHECK(seen.size() == all.size());
    CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == all.size());
  }
  CHECK_THROWS_WITH(Shard::parse("0/3"), Catch::Contains("--shard"));
  CHECK_THROWS(Shard::parse("4/3"));
  CHECK_THROWS(Shard::parse("1-3"));
}

TEST_CASE("block_fma: L,F values, pairs in flag lists, ids unchanged when unset", "[sweep]") {
  CHECK(canonical_value(*find_key("block_fma"), "32,013") == "32,13");
  CHECK(canonical_value(*find_key("block_fma"), "") == "");
  CHECK_THROWS_WITH(canonical_value(*find_key("block_fma"), "32"), Catch::Contains("'block_fma'"));
  CHECK_THROWS_WITH(canonical_value(*find_key("block_fma"), "2000,13"), Catch::Contains("1024"));
  CHECK(split_list("16,25,32,13", "block_fma") == std::vector<std::string>{"16,25", "32,13"});
  CHECK(split_list("", "block_fma") == std::vector<std::string>{""});
  CHECK_THROWS_WITH(split_list("16,25,32", "block_fma"), Catch::Contains("pairs"));
  SweepConfig c;
  c.set("K", {"16"});
  const auto plain = expand(c);
  REQUIRE(plain.size() == 1);
  // A point that does not set block_fma has the identity it had before the key existed.
  CHECK(plain[0].canonical.find("block_fma") == std::string::npos);
  CHECK(plain[0].spec.block_fma.empty());
  c.set("block_fma", {"", "32,13"});
  const auto both = expand(c);
  REQUIRE(both.size() == 2);
  CHECK(both[0].id == plain[0].id);
  CHECK(both[1].canonical.find("block_fma=32,13\n") != std::string::npos);
  CHECK(both[1].spec.block_fma == "32,13");
}
