// Shared pieces of `floatscope bench`: the group table entry, list parsing and one printer that
// writes either an aligned table or CSV (with a `group` first column), so every group's output has
// the same shape. Each group lives in tools/bench_<group>.cpp; tools/cmd_bench.cpp lists them.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "command.hpp"
#include "floatscope/parallel.hpp"
#include "floatscope/simd.hpp"

namespace floatscope::cli::bench {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct Group {
  const char* name;
  const char* description;
  // Adds the group's options to `app` (the group's subcommand, and for the default group also
  // `bench` itself) and returns the runner. Called once per App; the runners share state.
  std::function<std::function<int()>(CLI::App&)> setup;
};

Group rounding_group();
Group gemm_group();
Group reference_group();

inline std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= s.size()) {
    const std::size_t comma = s.find(',', pos);
    const std::size_t end = comma == std::string::npos ? s.size() : comma;
    if (end > pos) out.push_back(s.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

// A positive integer option value; `what` names the option in the message.
inline long long parse_positive(const std::string& text, const std::string& what) {
  std::size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || v < 1)
    throw UsageError(what + ": '" + text + "' is not a positive integer");
  return v;
}

// "1,all" -> sorted distinct thread counts; 'all' is the OpenMP default.
inline std::vector<int> parse_threads(const std::string& spec) {
  std::vector<int> threads;
  for (const auto& t : split_list(spec)) {
    if (t == "all") {
      threads.push_back(omp_default_threads());
      continue;
    }
    const long long v = parse_positive(t, "--threads");
    if (v > 4096) throw UsageError("--threads: '" + t + "' is more than 4096");
    check_threads(static_cast<int>(v), "--threads");  // the cap every command applies
    threads.push_back(static_cast<int>(v));
  }
  std::sort(threads.begin(), threads.end());
  threads.erase(std::unique(threads.begin(), threads.end()), threads.end());
  if (threads.empty()) throw UsageError("--threads needs at least one entry");
  return threads;
}

// One output column. An empty title keeps the column out of the table (CSV only); width < 0
// left-aligns; precision applies to numbers in the table (CSV numbers keep 6 significant digits,
// so small rates never print as 0).
struct Column {
  std::string csv;
  std::string title;
  int width;
  int precision = 0;
};

using Cell = std::variant<std::string, long long, double>;

class Printer {
 public:
  Printer(std::string group, std::vector<Column> cols, bool csv)
      : group_(std::move(group)), cols_(std::move(cols)), csv_(csv) {}

  // Every row names the SIMD level it ran on (the `simd` column; a line above the table).
  void header() const {
    if (!csv_) fmt::print("SIMD level {} (this CPU: {}; FLOATSCOPE_SIMD or --simd picks another)\n",
                          level_name(), available_levels());
    std::string line = csv_ ? "group" : "";
    for (const auto& c : cols_) {
      if (csv_) {
        line += "," + c.csv;
      } else if (!c.title.empty()) {
        line += (line.empty() ? "" : " ") + pad(c.title, c.width);
      }
    }
    if (csv_) line += ",simd";
    fmt::print("{}\n", line);
  }

  static std::string level_name() { return std::string(simd_level_name(simd_level())); }
  static std::string available_levels() {
    std::string s;
    for (SimdLevel l : available_simd_levels()) s += (s.empty() ? "" : ", ") + std::string(simd_level_name(l));
    return s;
  }

  void row(const std::vector<Cell>& cells) const {
    std::string line = csv_ ? group_ : "";
    for (std::size_t i = 0; i < cols_.size() && i < cells.size(); ++i) {
      const Column& c = cols_[i];
      if (csv_) {
        line += "," + text(cells[i], -1);
      } else if (!c.title.empty()) {
        line += (line.empty() ? "" : " ") + pad(text(cells[i], c.precision), c.width);
      }
    }
    if (csv_) line += "," + level_name();
    fmt::print("{}\n", line);
    std::fflush(stdout);  // rows appear as they are measured
  }

  bool csv() const { return csv_; }

 private:
  static std::string text(const Cell& c, int precision) {
    if (const auto* s = std::get_if<std::string>(&c)) return *s;
    if (const auto* i = std::get_if<long long>(&c)) return std::to_string(*i);
    const double d = std::get<double>(c);
    return precision < 0 ? fmt::format("{:.6g}", d) : fmt::format("{:.{}f}", d, precision);
  }
  static std::string pad(const std::string& s, int width) {
    return width < 0 ? fmt::format("{:<{}}", s, -width) : fmt::format("{:>{}}", s, width);
  }

  std::string group_;
  std::vector<Column> cols_;
  bool csv_;
};

}  // namespace floatscope::cli::bench
