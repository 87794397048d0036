// Uses the installed library the way a project would, through every public header, so that the
// package's declared dependencies are checked: MPFR (reference.hpp), toml++ (sweep_toml.hpp,
// linked by the consumer as its header comment says), OpenMP and fmt (linked by the library).
// Rounds OFP8's published vector (464 -> 448 in E4M3, code 0x7e), sums exactly through MPFR, and
// parses a sweep config from TOML.
#include <cstdio>

#include "floatscope/accumulator.hpp"
#include "floatscope/codec.hpp"
#include "floatscope/events.hpp"
#include "floatscope/experiment.hpp"
#include "floatscope/format.hpp"
#include "floatscope/gemm.hpp"
#include "floatscope/generators.hpp"
#include "floatscope/metrics.hpp"
#include "floatscope/models.hpp"
#include "floatscope/npy.hpp"
#include "floatscope/parallel.hpp"
#include "floatscope/random.hpp"
#include "floatscope/reference.hpp"
#include "floatscope/rounding.hpp"
#include "floatscope/sweep.hpp"
#include "floatscope/sweep_toml.hpp"

int main() {
  const floatscope::Format e4m3 = floatscope::parse_format("e4m3");
  const double v = floatscope::round(464.0, e4m3);
  const auto code = floatscope::encode(v, e4m3);
  std::printf("%g %s\n", v, floatscope::format_code(code, e4m3).c_str());
  const double a[] = {0x1p60, 1.0, -0x1p60}, b[] = {1.0, 1.0, 1.0};
  const double exact = floatscope::dot_mpfr(a, 1, b, 1, 3, 0.0);  // 1: cancellation is exact
  const auto config = floatscope::sweep::parse_sweep_toml("K = [16, 32]\n", "consumer.toml");
  const bool ok = v == 448.0 && code == 0x7e && exact == 1.0 && config.base.count("K") == 1;
  return ok ? 0 : 1;
}
