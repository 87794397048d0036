// Small text helpers for tests that read a command's output.
#pragma once

#include <sstream>
#include <string>
#include <vector>

namespace floatscope::test {

inline bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

// The whitespace-separated words of a line (a printed command line, a table row).
inline std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> w;
  for (std::string s; in >> s;) w.push_back(s);
  return w;
}

}  // namespace floatscope::test
