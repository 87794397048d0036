// The rounding core compiled for the GPU gives the CPU kernel's bits (every mode, several formats).
// Needs a CUDA device: without one every case reports Skipped (exit 77).
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "floatscope/cuda/round_device.hpp"
#include "floatscope/random.hpp"
#include "floatscope/rounding.hpp"
#include "skip.hpp"

using namespace floatscope;

TEST_CASE("round_on_device equals round() on the CPU, bit for bit", "[gpu]") {
  std::string why;
  if (cuda::device_count(&why) == 0) {
    test::skip_test_case("no CUDA device (" + why + ")");
    return;
  }
  const CounterRng rng(3, 4);
  std::vector<double> in;
  for (std::uint64_t i = 0; i < 20000; ++i) {
    const int e = static_cast<int>(rng.bits(i) % 80) - 40;
    in.push_back(std::ldexp(1.0 + static_cast<double>(rng.bits(i + 99999) >> 12) * 0x1p-52, e) *
                 (i % 2 ? -1 : 1));
  }
  const double inf = std::numeric_limits<double>::infinity();
  for (double x : {0.0, -0.0, inf, -inf, std::numeric_limits<double>::quiet_NaN(), 65520.0, 1e-300})
    in.push_back(x);
  for (const char* fname : {"fp16", "bf16", "e4m3", "e5m2", "e2m1", "e8m0"}) {
    const Format f = parse_format(fname);
    for (Mode m : {Mode::rne, Mode::rna, Mode::rtz, Mode::rup, Mode::rdn, Mode::rto, Mode::sr, Mode::sr_equal}) {
      Rounding r{m};
      r.seed = 11;
      const auto got = cuda::round_on_device(in, f, r, 5);
      for (std::size_t i = 0; i < in.size(); ++i) {
        const double want = round(in[i], f, r, 5 + i);
        INFO(fname << " " << mode_name(m) << " input " << in[i]);
        REQUIRE(std::bit_cast<std::uint64_t>(got[i]) == std::bit_cast<std::uint64_t>(want));
      }
    }
  }
}
