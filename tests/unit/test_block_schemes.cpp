// NVFP4 and the FP8 scaling recipes (docs/references.md s.4), with values worked out by hand from
// the rules written there, and the shapes, padding and option checks of every scheme.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <mpfr.h>

#include <random>

#include "floatscope/block_scaling.hpp"
#include "mpfr_oracle.hpp"

using namespace floatscope;

namespace {

BlockScheme scheme(const std::string& name, auto&& tweak) {
  BlockSchemeOptions o;
  o.scheme = name;
  tweak(o);
  return resolve_block_scheme(o);
}
BlockScheme scheme(const std::string& name) {
  return scheme(name, [](BlockSchemeOptions&) {});
}

}  // namespace

TEST_CASE("schemes table: every scheme of the issue, with its element format and block", "[block]") {
  const char* names[] = {"mxfp8-e4m3", "mxfp8-e5m2", "mxfp6-e3m2", "mxfp6-e2m3", "mxfp4", "mxint8", "nvfp4",
                         "fp8-tensor", "fp8-delayed", "fp8-row", "fp8-tile1x128", "fp8-block128x128",
                         "bitnet-a8", "bitnet-w1.58"};
  REQUIRE(block_schemes().size() == std::size(names));
  for (const char* n : names) REQUIRE(find_scheme(n) != nullptr);
  CHECK(find_scheme("MXFP4")->element == "e2m1");
  CHECK(find_scheme("mxint8")->block == 32);
  CHECK(find_scheme("nvfp4")->block == 16);
  CHECK(scheme("fp8-row").element.name == "e4m3");
  CHECK(scheme("fp8-row", [](auto& o) { o.format = "e5m2"; }).element.name == "e5m2");
}

TEST_CASE("NVFP4: tensor scale amax/(448*6), E4M3 block scale rounded to nearest or up", "[block]") {
  // Block 0 holds the tensor amax 2688 = 448 * 6, so s = 1 exactly. Block 1 has amax 5:
  // 5 / 6 = 0.8333 lies between the E4M3 values 0.8125 and 0.875 (step 1/16 in [0.5, 1)): nearest
  // gives 0.8125 and 5 / 0.8125 = 6.15 clamps to 6 (dequantised 4.875); up gives 0.875 and
  // 5 / 0.875 = 5.71 rounds to 6 (dequantised 5.25).
  std::vector<double> x(32, 0.0);
  x[0] = 2688;
  x[1] = 448;  // 448 / 448 = 1 -> E2M1 1
  x[16] = 5;
  x[17] = -1;  // -1 / 0.8125 = -1.23 -> -1 (nearest E2M1); / 0.875 = -1.14 -> -1
  const QuantizedTensor n = quantize_blocks(scheme("nvfp4"), x.data(), 1, 32);
  CHECK(n.tensor_scale == 1.0);
  CHECK(n.scales[0] == 448.0);
  CHECK(n.scales[1] == 0.8125);
  auto d = dequantize_blocks(n);
  CHECK(d[0] == 2688);
  CHECK(d[1] == 448);
  CHECK(d[16] == 4.875);
  CHECK(d[17] == -0.8125);
  CHECK(n.stats.clamped == 1);
  const QuantizedTensor u = quantize_blocks(scheme("nvfp4", [](auto& o) { o.block_scale_rounding = "rup"; }),
                                            x.data(), 1, 32);
  CHECK(u.scales[1] == 0.875);
  d = dequantize_blocks(u);
  CHECK(d[16] == 5.25);
  CHECK(d[17] == -0.875);
  CHECK(u.stats.clamped == 0);
}

TEST_CASE("NVFP4: a given tensor scale is used as is; the computed one is rounded to fp32", "[block]") {
  std::vector<double> x(16, 0.0);
  x[0] = 1.0;
  // 1 / 2688 rounded once to fp32
  const QuantizedTensor q = quantize_blocks(scheme("nvfp4"), x.data(), 1, 16);
  CHECK(q.tensor_scale == static_cast<double>(1.0f / 2688.0f));
  const QuantizedTensor g = quantize_blocks(scheme("nvfp4", [](auto& o) { o.tensor_scale = 0.5; }), x.data(), 1, 16);
  CHECK(g.tensor_scale == 0.5);
  // 1 / 6 / 0.5 = 0.3333 -> E4M3 in [0.25, 0.5) has step 1/32: 0.3125 or 0.34375, nearest 0.34375
  CHECK(g.scales[0] == 0.34375);
  CHECK(dequantize_blocks(g)[0] == 6 * 0.34375 * 0.5);  // 1 / 0.171875 = 5.82 -> 6
}

TEST_CASE("FP8 per-tensor: d = RN32(amax / 448), elements x / d rounded once, saturating", "[block]") {
  const std::vector<double> x = {896, -3, 0.001, 100};
  const QuantizedTensor q = quantize_blocks(scheme("fp8-tensor"), x.data(), 2, 2);
  REQUIRE(q.scales.size() == 1);
  CHECK(q.scales[0] == 2.0);
  const auto d = dequantize_blocks(q);
  CHECK(d[0] == 896);
  CHECK(d[1] == -3);
  CHECK(d[2] == 0);  // 0.0005 is below half the smallest E4M3 subnormal 2^-9: flushed
  CHECK(q.stats.flushed == 1);
  CHECK(d[3] == 2 * 48);      // 50 -> 48 (step 4 in [32, 64); 50 is a tie -> even 48)
  // a margin of 1 doubles the scale
  CHECK(quantize_blocks(scheme("fp8-tensor", [](auto& o) { o.margin = 1; }), x.data(), 2, 2).scales[0] == 4.0);
}

TEST_CASE("FP8 delayed: the largest amax of the last history_len entries", "[block]") {
  const std::vector<double> x = {1, 2, 3, 4};
  const auto q = quantize_blocks(scheme("fp8-delayed", [](auto& o) {
                                   o.amax_history = {8960, 448, 896};
                                   o.history_len = 2;
                                 }),
                                 x.data(), 1, 4);
  CHECK(q.scales[0] == 2.0);
  const auto all = quantize_blocks(scheme("fp8-delayed", [](auto& o) { o.amax_history = {8960, 448, 896}; }),
                                   x.data(), 1, 4);
  CHECK(all.scales[0] == 20.0);
  // no history: the current amax (4 / 448 rounded to fp32)
  CHECK(quantize_blocks(scheme("fp8-delayed"), x.data(), 1, 4).scales[0] == static_cast<double>(4.0f / 448.0f));
}

TEST_CASE("FP8 row, 1x128 tile and 128x128 block scales have the issue's shapes", "[block]") {
  std::vector<double> x(256 * 384);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>((i * 7919) % 1000) - 500;
  x[5 * 384 + 200] = 44800;  // row 5, tile 1 of that row, block (0, 1)
  const auto row = quantize_blocks(scheme("fp8-row"), x.data(), 256, 384);
  CHECK(row.scale_rows == 256);
  CHECK(row.scale_cols == 1);
  CHECK(row.scales[5] == 100.0);
  double amax4 = 0;
  for (std::size_t c = 0; c < 384; ++c) amax4 = std::max(amax4, std::fabs(x[4 * 384 + c]));
  CHECK(row.scales[4] == static_cast<double>(static_cast<float>(amax4) / 448.0f));  // RN32(amax / 448)
  const auto tile = quantize_blocks(scheme("fp8-tile1x128"), x.data(), 256, 384);
  CHECK(tile.scale_rows == 256);
  CHECK(tile.scale_cols == 3);
  CHECK(tile.scales[5 * 3 + 1] == 100.0);
  CHECK(tile.scales[5 * 3 + 0] != 100.0);
  const auto blk = quantize_blocks(scheme("fp8-block128x128"), x.data(), 256, 384);
  CHECK(blk.scale_rows == 2);
  CHECK(blk.scale_cols == 3);
  CHECK(blk.scales[1] == 100.0);
  CHECK(blk.scales[3 + 1] != 100.0);
}

TEST_CASE("a length that is not a whole number of blocks is an error unless padded with zeros", "[block]") {
  const std::vector<double> x(40, 1.0);
  CHECK_THROWS_WITH(quantize_blocks(scheme("mxfp4"), x.data(), 1, 40), Catch::Contains("--pad"));
  const auto q = quantize_blocks(scheme("mxfp4", [](auto& o) { o.pad = true; }), x.data(), 1, 40);
  CHECK(q.cols == 64);
  CHECK(q.stats.padded == 24);
  CHECK(q.stats.elements == 40);
  CHECK(dequantize_blocks(q).size() == 40);
  std::vector<double> y(100 * 128, 1.0);
  CHECK_THROWS_WITH(quantize_blocks(scheme("fp8-block128x128"), y.data(), 100, 128), Catch::Contains("128x128"));
}

TEST_CASE("scheme options that do not apply are refused, naming the option", "[block]") {
  CHECK_THROWS_WITH(scheme("nope"), Catch::Contains("mxfp8-e4m3"));
  CHECK_THROWS_WITH(scheme("mxfp4", [](auto& o) { o.format = "e4m3"; }), Catch::Contains("e2m1 elements"));
  CHECK_THROWS_WITH(scheme("fp8-row", [](auto& o) { o.format = "fp16"; }), Catch::Contains("e4m3 or e5m2"));
  CHECK_THROWS_WITH(scheme("nvfp4", [](auto& o) { o.scale_rule = "rceil"; }), Catch::Contains("scale_rule"));
  CHECK_THROWS_WITH(scheme("mxfp4", [](auto& o) { o.scale_rule = "round"; }), Catch::Contains("floor, ceil, rceil, even"));
  CHECK_THROWS_WITH(scheme("fp8-tensor", [](auto& o) { o.block = 32; }), Catch::Contains("no block size"));
  CHECK_THROWS_WITH(scheme("mxfp4", [](auto& o) { o.tensor_scale = 2.0; }), Catch::Contains("tensor_scale"));
  CHECK_THROWS_WITH(scheme("nvfp4", [](auto& o) { o.tensor_scale = 0.1; }), Catch::Contains("float32"));
  CHECK_THROWS_WITH(scheme("fp8-row", [](auto& o) { o.amax_history = {1}; }), Catch::Contains("fp8-delayed"));
  CHECK_THROWS_WITH(scheme("fp8-tensor", [](auto& o) { o.margin = 0.5; }), Catch::Contains("margin"));
  CHECK(scheme("mxfp4", [](auto& o) { o.block = 64; }).block == 64);
}

TEST_CASE("stochastic element rounding in a block scheme is reproducible and unbiased in mean", "[block]") {
  std::vector<double> x(32 * 512, 1.25);
  x[0] = 6;  // row 0 gets X = 1 and is left out below
  auto sr = scheme("mxfp4", [](auto& o) { o.rounding = Rounding{Mode::sr, Overflow::saturate, 64, 99, 0}; });
  const auto a = quantize_blocks(sr, x.data(), 512, 32);
  const auto b = quantize_blocks(sr, x.data(), 512, 32);
  CHECK(a.elements == b.elements);
  double sum = 0;
  std::size_t n = 0;
  for (std::size_t r = 1; r < 512; ++r)  // rows 1.. have amax 1.25: X = 2^-2, 1.25 / X = 5 -> between 4 and 6
    for (std::size_t c = 0; c < 32; ++c, ++n) sum += a.elements[r * 32 + c];
  CHECK(std::fabs(sum / static_cast<double>(n) - 5.0) < 0.05);  // E[SR] = 5; sd of the mean 0.008
}

TEST_CASE("elements are the exact quotient x / scale rounded once, in every deterministic mode (MPFR)", "[block]") {
  // Non-power-of-two scales (fp8 rows, NVFP4) make x / scale inexact in double; the MPFR oracle
  // divides at 300 bits (a quotient of doubles is never that close to a boundary unless exact).
  std::mt19937_64 g(9);
  std::normal_distribution<double> d(0, 1);
  std::vector<double> x(64 * 64);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = d(g) * (i % 29 == 0 ? 500.0 : 1.0);
  // Row 0: amax 1344 gives the fp8 row scale 3, and the other values lie one double ulp either side
  // of 3 t for E4M3 grid points and midpoints t in [1, 2), as near the rounding boundaries as a
  // double gets.
  x[0] = 1344;
  for (std::size_t k = 1; k < 64; ++k) {
    const double t = 1 + static_cast<double>((k - 1) / 2 % 16) / 16;
    x[k] = std::nextafter(3 * t, k % 2 ? 0.0 : 10.0);
  }
  // Row 1: a scale of about 1e10 and a tiny value whose double quotient underflows to 0: rup must
  // still give the smallest E4M3 subnormal.
  x[64] = 448e10;
  x[65] = 4.9e-324;
  for (const char* name : {"fp8-row", "nvfp4", "fp8-tile1x128"}) {
    for (Mode m : {Mode::rne, Mode::rna, Mode::rtz, Mode::rup, Mode::rdn, Mode::rto}) {
      const BlockScheme s = scheme(name, [&](auto& o) {
        o.rounding = Rounding{m, Overflow::saturate};
        o.pad = true;
      });
      const QuantizedTensor q = quantize_blocks(s, x.data(), 64, 64);
      std::size_t bad = 0;
      mpfr_t quo;
      mpfr_init2(quo, 300);
      for (std::size_t r = 0; r < 64; ++r)
        for (std::size_t c = 0; c < 64; ++c) {
          const double den = q.scale_at(r, c) * q.tensor_scale;
          mpfr_set_d(quo, x[r * 64 + c], MPFR_RNDN);
          mpfr_div_d(quo, quo, den, MPFR_RNDN);
          // an NVFP4 block whose E4M3 scale underflowed to 0 is all zeros
          const double want = den == 0 ? 0.0 : oracle::oracle_round_mpfr(quo, s.element, m, Overflow::saturate);
          if (q.elements[r * q.cols + c] != want && ++bad <= 3)
            FAIL_CHECK(name << " " << mode_name(m) << " x = " << x[r * 64 + c] << ": " << q.elements[r * q.cols + c]
                            << ", oracle " << want);
        }
      mpfr_clear(quo);
      CHECK(bad == 0);
    }
  }
}
