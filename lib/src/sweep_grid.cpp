// Grid expansion, point identity, fingerprints and shards.
#include <charconv>
#include <cstdio>
#include <stdexcept>
#include <functional>
#include <string>
#include <unordered_set>

#include "floatscope/sweep.hpp"

namespace floatscope::sweep {

std::string hash_hex(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

namespace {

void apply(ExperimentSpec& s, std::string_view key, const std::string& v) {
  if (key == "model") s.model = v;
  else if (key == "backend") s.backend = v;
  else if (key == "scheme") s.scheme = v;
  else if (key == "a_format") s.a_format = v;
  else if (key == "b_format") s.b_format = v;
  else if (key == "acc_format") s.acc_format = v;
  else if (key == "rounding") s.rounding = v;
  else if (key == "sr_bits") s.sr_bits = std::stoi(v);
  else if (key == "order") s.order = v;
  else if (key == "product_format") s.product_format = v;
  else if (key == "output_format") s.output_format = v;
  else if (key == "output_rounding") s.output_rounding = v;
  else if (key == "output_scale") s.output_scale = std::stod(v);
  else if (key == "compensation") s.compensation = v;
  else if (key == "promote") s.promote = std::stoi(v);
  else if (key == "scale_a") s.scale_a = std::stod(v);
  else if (key == "scale_b") s.scale_b = std::stod(v);
  else if (key == "input_rounding") s.input_rounding = v;
  else if (key == "dist") s.dist = v;
  else if (key == "b_dist") s.b_dist = v;
  else if (key == "M") s.M = std::stoi(v);
  else if (key == "N") s.N = std::stoi(v);
  else if (key == "K") s.K = std::stoi(v);
  else if (key == "seed") s.seed = std::stoull(v);
  else if (key == "reference") s.reference = v;
  else if (key == "permutations") s.permutations = std::stoi(v);
  else if (key == "block_fma") s.block_fma = v;
  else if (key == "scale_rule") s.scale_rule = v;
  else if (key == "reference_of") s.reference_of = v;
  else if (key == "amax_history_len") s.amax_history_len = std::stoi(v);
  else if (key == "outlier_growth") s.outlier_growth = std::stod(v);
  else if (key == "algorithm") s.algorithm = v;
  else if (key == "output_scale_mode") s.output_scale_mode = v;
  else throw std::logic_error("sweep key without a field: " + std::string(key));
}

// scale values are parsed with from_chars so that the canonical text round-trips exactly.
double parse_double(const std::string& v) {
  double d = 0;
  std::from_chars(v.data(), v.data() + v.size(), d);
  return d;
}

}  // namespace

void for_each_point(const SweepConfig& config, const std::function<void(Point&&)>& visit) {
  std::vector<const KeyInfo*> dims;
  for (const auto& k : sweep_keys())
    if (k.dimension) dims.push_back(&k);
  const int repeats = config.repeats();
  std::vector<KeyValues> layers = config.grids.empty() ? std::vector<KeyValues>{KeyValues{}} : config.grids;
  // Ids seen, as 64-bit numbers: a few bytes a point rather than the point (a million repeats
  // stay small). Sub-grids can overlap, and so can values that resolve alike (b_format "" and
  // b_format = a_format).
  std::unordered_set<std::uint64_t> seen;
  std::size_t index = 0;
  for (const auto& layer : layers) {
    std::vector<std::vector<std::string>> lists;
    for (const auto* d : dims) {
      if (auto it = layer.find(d->name); it != layer.end()) lists.push_back(it->second);
      else if (auto jt = config.base.find(d->name); jt != config.base.end()) lists.push_back(jt->second);
      else lists.push_back({std::string(d->default_value)});
    }
    std::vector<std::size_t> at(dims.size(), 0);
    while (true) {
      std::vector<std::string> values(dims.size());
      for (std::size_t i = 0; i < dims.size(); ++i) values[i] = lists[i][at[i]];
      // Resolve "same as" defaults so that equal experiments get equal ids.
      auto value_of = [&](std::string_view key) -> std::string& {
        for (std::size_t i = 0; i < dims.size(); ++i)
          if (dims[i]->name == key) return values[i];
        throw std::logic_error("missing key");
      };
      if (value_of("b_format").empty()) value_of("b_format") = value_of("a_format");
      if (value_of("b_dist").empty()) value_of("b_dist") = value_of("dist");
      // Everything but the repeat is the same for each repeat: built once.
      Point base;
      for (std::size_t i = 0; i < dims.size(); ++i) {
        apply(base.spec, dims[i]->name, values[i]);
        // Keys added after sweeps were first run enter a point's identity only when set, so
        // the ids (resume, shards, merge) of sweeps that never use them stay what they were.
        if ((dims[i]->name == "block_fma" || dims[i]->name == "scale_rule") && values[i].empty()) continue;
        if ((dims[i]->name == "amax_history_len" || dims[i]->name == "outlier_growth") &&
            values[i] == dims[i]->default_value)
          continue;
        if (dims[i]->name == "algorithm" && values[i] == "classical") continue;
        if (dims[i]->name == "output_scale_mode" && values[i] == "fused") continue;
        base.canonical += std::string(dims[i]->name) + "=" + values[i] + "\n";
      }
      base.spec.scale_a = parse_double(value_of("scale_a"));
      base.spec.scale_b = parse_double(value_of("scale_b"));
      for (int r = 0; r < repeats; ++r) {
        Point p;
        p.canonical = base.canonical + "repeat=" + std::to_string(r) + "\n";
        p.spec = base.spec;
        p.spec.repeat = r;
        p.params = values;
        p.params.push_back(std::to_string(r));
        p.id = hash_hex(p.canonical);
        if (!seen.insert(std::stoull(p.id, nullptr, 16)).second) continue;
        p.index = index++;
        visit(std::move(p));
      }
      // Odometer: the last dimension varies fastest.
      bool advanced = false;
      for (std::size_t i = dims.size(); i-- > 0;) {
        if (++at[i] < lists[i].size()) {
          advanced = true;
          break;
        }
        at[i] = 0;
      }
      if (!advanced) break;
    }
  }
}

std::vector<Point> expand(const SweepConfig& config) {
  std::vector<Point> points;
  for_each_point(config, [&](Point&& p) { points.push_back(std::move(p)); });
  return points;
}

std::string fingerprint(const SweepConfig& config) {
  std::string ids = "floatscope-sweep-v1\n";
  for_each_point(config, [&](Point&& p) { ids += p.id + "\n"; });
  return hash_hex(ids);
}

Shard Shard::parse(std::string_view text) {
  Shard s;
  auto slash = text.find('/');
  auto num = [&](std::string_view t, int& out) {
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
    return ec == std::errc() && p == t.data() + t.size() && !t.empty();
  };
  if (slash == std::string_view::npos || !num(text.substr(0, slash), s.index) ||
      !num(text.substr(slash + 1), s.count) || s.count < 1 || s.index < 1 || s.index > s.count)
    throw std::invalid_argument("--shard: expected i/n with 1 <= i <= n (got '" + std::string(text) + "')");
  return s;
}

std::vector<Point> select_shard(const std::vector<Point>& points, const Shard& shard) {
  std::vector<Point> out;
  for (const auto& p : points)
    if (shard.contains(p.index)) out.push_back(p);
  return out;
}

std::string describe(const Point& p) {
  std::string s;
  for (char c : p.canonical) s += c == '\n' ? ' ' : c;
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

}  // namespace floatscope::sweep
