// Rounds OFP8's published vector through the installed library: 464 -> 448 in E4M3 (code 0x7e).
#include <cstdio>

#include "floatscope/codec.hpp"
#include "floatscope/rounding.hpp"

int main() {
  const floatscope::Format e4m3 = floatscope::parse_format("e4m3");
  const double v = floatscope::round(464.0, e4m3);
  const auto code = floatscope::encode(v, e4m3);
  std::printf("%g %s\n", v, floatscope::format_code(code, e4m3).c_str());
  return v == 448.0 && code == 0x7e ? 0 : 1;
}
