// A results.csv in memory, with the grouping and statistics the report needs.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "floatscope/sweep.hpp"

namespace floatscope::cli::report {

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  int col(std::string_view name) const {
    auto it = std::find(header.begin(), header.end(), name);
    return it == header.end() ? -1 : static_cast<int>(it - header.begin());
  }
  bool has(std::string_view name) const { return col(name) >= 0; }
  const std::string& str(const std::vector<std::string>& row, std::string_view name) const {
    static const std::string empty;
    int c = col(name);
    return c < 0 ? empty : row[static_cast<std::size_t>(c)];
  }
  double num(const std::vector<std::string>& row, std::string_view name) const {
    const std::string& s = str(row, name);
    double v = NAN;
    if (s.empty()) return NAN;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() ? v : NAN;
  }
  std::vector<std::string> distinct(std::string_view name) const {
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const auto& r : rows)
      if (seen.insert(str(r, name)).second) out.push_back(str(r, name));
    return out;
  }
};

// Parameter columns (the sweep's dimension keys) that take more than one value in the data, in
// schema order.
// A B-side key that always equals its A-side key adds nothing to a label.
inline std::vector<std::string> swept_keys(const Table& t) {
  auto mirrors = [&](std::string_view b, std::string_view a) {
    for (const auto& r : t.rows)
      if (t.str(r, b) != t.str(r, a)) return false;
    return true;
  };
  std::vector<std::string> out;
  for (const auto& k : sweep::sweep_keys()) {
    if (!k.dimension || !t.has(k.name) || t.distinct(k.name).size() < 2) continue;
    if (k.name == "b_format" && mirrors("b_format", "a_format")) continue;
    if (k.name == "b_dist" && mirrors("b_dist", "dist")) continue;
    out.emplace_back(k.name);
  }
  return out;
}

inline std::vector<std::string> without(std::vector<std::string> keys, std::initializer_list<std::string_view> drop) {
  keys.erase(std::remove_if(keys.begin(), keys.end(),
                            [&](const std::string& k) { return std::find(drop.begin(), drop.end(), k) != drop.end(); }),
             keys.end());
  return keys;
}

inline std::string label(const Table& t, const std::vector<std::string>& row, const std::vector<std::string>& keys) {
  std::string s;
  for (const auto& k : keys) s += (s.empty() ? "" : ", ") + k + "=" + t.str(row, k);
  return s.empty() ? "all" : s;
}

// results.csv written before named models recorded their real accumulator in acc_format carry the
// unused parameter there ("fp32" for h100-fp8): take it from the accumulator description instead
// ("... fused(L=32 F=13 out=e8m13/rtz)" -> "e8m13/rtz").
inline void fill_model_acc_format(Table& t) {
  const int model = t.col("model"), acc = t.col("acc_format"), desc = t.col("accumulator");
  if (model < 0 || acc < 0 || desc < 0) return;
  for (auto& r : t.rows) {
    const std::string& m = r[static_cast<std::size_t>(model)];
    std::string& a = r[static_cast<std::size_t>(acc)];
    if (m.empty() || m == "custom" || a.find('/') != std::string::npos) continue;
    const std::string& d = r[static_cast<std::size_t>(desc)];
    const auto at = d.find("out=");
    if (at == std::string::npos) continue;
    const auto end = d.find_first_of(") ", at);
    a = d.substr(at + 4, end == std::string::npos ? std::string::npos : end - at - 4);
  }
}

// A row's accumulation setup in words, from `keys` (swept keys, without the data keys a figure
// shows otherwise): a named model with its real accumulator, "h100-fp8 (e8m13/rtz)"; a custom one
// as its accumulator format and rounding, "fp16/rne acc"; other keys as key=value.
inline std::string setup_label(const Table& t, const std::vector<std::string>& row, const std::vector<std::string>& keys) {
  const auto in = [&](std::string_view k) { return std::find(keys.begin(), keys.end(), k) != keys.end(); };
  const std::string& model = t.str(row, "model");
  const bool named = !model.empty() && model != "custom";
  std::string s;
  auto add = [&](const std::string& part) { s += (s.empty() ? "" : ", ") + part; };
  if (named) {
    add(model + " (" + t.str(row, "acc_format") + ")");
  } else if (in("acc_format") || in("rounding") || in("model")) {
    add(t.str(row, "acc_format") + "/" + t.str(row, "rounding") + " acc");
  }
  for (const auto& k : keys) {
    if (k == "model" || k == "acc_format" || k == "rounding") continue;
    // Parts of a custom accumulator: a named model fixes them.
    if (named && (k == "order" || k == "compensation" || k == "product_format" || k == "block_fma" || k == "sr_bits"))
      continue;
    add(k + "=" + t.str(row, k));
  }
  return s.empty() ? "all" : s;
}

// Values that sort numerically when they are numbers (K=64 before K=256), else as text.
inline bool value_less(const std::string& a, const std::string& b) {
  double x = 0, y = 0;
  auto [pa, ea] = std::from_chars(a.data(), a.data() + a.size(), x);
  auto [pb, eb] = std::from_chars(b.data(), b.data() + b.size(), y);
  bool na = ea == std::errc() && pa == a.data() + a.size(), nb = eb == std::errc() && pb == b.data() + b.size();
  if (na && nb) return x < y;
  if (na != nb) return na;
  return a < b;
}

inline double median(std::vector<double> v) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }), v.end());
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

inline double max_of(const std::vector<double>& v) {
  double m = NAN;
  for (double x : v)
    if (!std::isnan(x) && (std::isnan(m) || x > m)) m = x;
  return m;
}

inline double mean(const std::vector<double>& v) {
  double s = 0;
  std::size_t n = 0;
  for (double x : v)
    if (!std::isnan(x)) s += x, ++n;
  return n ? s / static_cast<double>(n) : NAN;
}

// Rows grouped by the values of `keys`, groups in first-seen order.
inline std::vector<std::pair<std::string, std::vector<const std::vector<std::string>*>>> group_by(
    const Table& t, const std::vector<std::string>& keys) {
  std::vector<std::pair<std::string, std::vector<const std::vector<std::string>*>>> groups;
  std::map<std::string, std::size_t> at;
  for (const auto& r : t.rows) {
    std::string k = label(t, r, keys);
    auto [it, fresh] = at.emplace(k, groups.size());
    if (fresh) groups.push_back({k, {}});
    groups[it->second].second.push_back(&r);
  }
  return groups;
}

}  // namespace floatscope::cli::report
