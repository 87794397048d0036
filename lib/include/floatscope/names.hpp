// Names (formats, rounding modes, models, distributions, orders, schemes, backends) are
// case-insensitive everywhere: "RNE" is "rne", "H100-FP8" is "h100-fp8".
#pragma once

#include <string>
#include <string_view>

namespace floatscope {

inline char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = ascii_lower(c);
  return out;
}

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

}  // namespace floatscope
