// The sweep schema: every key, its type, default and doc, and value canonicalisation.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "floatscope/sweep.hpp"
#include "floatscope/names.hpp"
#include "floatscope/strassen.hpp"

namespace floatscope::sweep {

const char* type_name(ValueType t) {
  switch (t) {
    case ValueType::String: return "a string";
    case ValueType::Int: return "an integer";
    case ValueType::UInt64: return "a non-negative integer";
    case ValueType::Double: return "a number";
  }
  return "?";
}

const std::vector<KeyInfo>& sweep_keys() {
  using V = ValueType;
  static const std::vector<KeyInfo> keys = {
      {"model", V::String, "custom",
       "named hardware model (h100-fp8, h100-fp8-promote128, h100-bf16, a100-fp16, ...) or custom = "
       "the accumulator parts below", true},
      {"backend", V::String, "cpu", "where the product runs: cpu (emulation), gpu-cublaslt, gpu-mma, gpu-emulated (exit 3 without a CUDA device)", true},
      {"scheme", V::String, "none",
       "block scaling scheme of the inputs (`floatscope schemes`), or A+B for A's and B's; none = no block scaling", true},
      {"a_format", V::String, "fp32", "element format of A (fp32, fp16, bf16, tf32, e4m3, e5m2, eXmY...)", true},
      {"b_format", V::String, "", "element format of B; empty = same as a_format", true},
      {"acc_format", V::String, "fp32", "accumulator format of a custom model", true},
      {"rounding", V::String, "rne", "accumulator rounding: rne rna rtz rup rdn rto sr sr-equal", true},
      {"sr_bits", V::Int, "64", "random bits of stochastic rounding (1..64)", true},
      {"order", V::String, "sequential",
       "summation order: sequential reverse pairwise blocked:B splitk:S random:SEED", true},
      {"product_format", V::String, "", "format products are rounded to; empty = exact products", true},
      {"output_format", V::String, "", "format of the stored result; empty = the accumulator's", true},
      {"output_rounding", V::String, "rne", "rounding of the output conversion", true},
      {"output_scale", V::Double, "1", "output = round(value * output_scale) in output_format", true},
      {"compensation", V::String, "none", "compensated summation: none kahan neumaier", true},
      {"promote", V::Int, "-1", "promotion interval of block-FMA models in K; -1 = model default", true},
      {"scale_a", V::Double, "1", "dequantisation scale of A (cuBLASLt FP8): inputs are round(A/scale_a), the result is multiplied by scale_a*scale_b", true},
      {"scale_b", V::Double, "1", "dequantisation scale of B: inputs are round(B/scale_b)", true},
      {"input_rounding", V::String, "rne", "how generated inputs are rounded onto their formats", true},
      {"dist", V::String, "normal",
       "input distribution: uniform01 uniform normal lognormal:S outliers:F:X constant identity harmonic loggrad:LO:HI rowscaled:D", true},
      {"b_dist", V::String, "", "distribution of B; empty = same as dist", true},
      {"M", V::Int, "64", "rows of A and C", true},
      {"N", V::Int, "64", "columns of B and C", true},
      {"K", V::Int, "256", "inner dimension (length of each dot product)", true},
      {"seed", V::UInt64, "0", "seed of the inputs (mixed with the repeat number)", true},
      {"reference", V::String, "exact", "exact reference: exact, mpfr, none", true},
      {"permutations", V::Int, "0",
       "> 0: also run this many random summation orders and report distinct results and their spread", true},
      {"block_fma", V::String, "",
       "fused block-FMA unit of a custom model as L,F (e.g. 32,13: L products per step, F bits kept "
       "below the step's largest exponent); acc_format is its output format, rounding its output "
       "rounding, promote its promotion interval; empty = scalar accumulator", true},
      {"scale_rule", V::String, "",
       "E8M0 scale rule of the MX schemes: floor ceil rceil even; empty = floor", true},
      {"reference_of", V::String, "quantised",
       "what errors are measured against: quantised = the exact product of the inputs as the GEMM got "
       "them (accumulation error alone); original = of the generated inputs (quantisation included)", true},
      {"output_scale_mode", V::String, "fused",
       "where output_scale enters: fused = round(value * output_scale) once; after = stored in "
       "output_format first, then multiplied in fp32 by output_scale rounded to fp32 and stored again "
       "(an unfused dropout rescale; output_format must fit in fp32)", true},
      {"repeats", V::Int, "1", "independent draws of the inputs per parameter combination", false},
      {"title", V::String, "", "title of the sweep (used by the report)", false},
      {"unavailable", V::String, "fail",
       "points on a backend this machine cannot run (a GPU one without a CUDA device): fail (exit 3) or skip "
       "(left out, counted in meta.json)", false},
      {"amax_history_len", V::Int, "0",
       "scheme fp8-delayed: the scale comes from the largest amax of this many earlier training steps "
       "(the same dist drawn with earlier seeds; docs/block-scaling.md); 0 = the current tensor's amax", true},
      {"outlier_growth", V::Double, "1",
       "with amax_history_len: the outlier factor of dist outliers:F:X grows by this factor per step "
       "(step t-j had X / outlier_growth^j); 1 = stationary", true},
      {"algorithm", V::String, "classical",
       "classical, or strassen:L (L = 1..4 levels of Strassen's recursion: block additions rounded in "
       "acc_format with rounding, classical leaf GEMMs; custom scalar accumulators on cpu; M, N, K "
       "multiples of 2^L)", true},
  };
  return keys;
}

const KeyInfo* find_key(std::string_view name) {
  std::string snake(name);
  std::replace(snake.begin(), snake.end(), '-', '_');
  for (const auto& k : sweep_keys())
    if (k.name == snake) return &k;
  return nullptr;
}

std::string flag_name(std::string_view key) {
  std::string s(key);
  std::replace(s.begin(), s.end(), '_', '-');
  return s;
}

std::string known_keys_text() {
  std::string s;
  for (const auto& k : sweep_keys()) s += (s.empty() ? "" : ", ") + std::string(k.name);
  return s;
}

namespace {

[[noreturn]] void bad(const KeyInfo& key, std::string_view text, const std::string& why) {
  throw std::invalid_argument("key '" + std::string(key.name) + "': " + why + " (got '" +
                              std::string(text) + "')");
}

// Strings that may be empty because empty has a meaning ("same as ...", "exact", "custom").
bool may_be_empty(std::string_view key) {
  return key == "b_format" || key == "b_dist" || key == "product_format" || key == "output_format" ||
         key == "model" || key == "title" || key == "block_fma" || key == "scale_rule";
}

struct IntRange {
  long long lo, hi;
};
IntRange int_range(std::string_view key) {
  constexpr long long big = std::numeric_limits<int>::max();
  if (key == "sr_bits") return {1, 64};
  if (key == "promote") return {-1, big};
  if (key == "repeats") return {1, 1000000};
  if (key == "permutations") return {0, 100000};
  if (key == "amax_history_len") return {0, 1024};
  return {1, big};  // M, N, K
}

}  // namespace

std::string canonical_value(const KeyInfo& key, std::string_view text) {
  switch (key.type) {
    case ValueType::String: {
      if (text.empty() && !may_be_empty(key.name)) bad(key, text, "must not be empty");
      if (key.name == "block_fma") {  // "L,F": the one string value with a comma
        if (text.empty()) return "";
        try {
          const BlockFma b = parse_block_fma(text);
          return std::to_string(b.L) + "," + std::to_string(b.F);
        } catch (const std::invalid_argument& e) {
          bad(key, text, e.what());
        }
      }
      if (key.name == "algorithm") {  // one spelling per algorithm (ids): "Strassen:01" is strassen:1
        try {
          return parse_gemm_algorithm(text).describe();
        } catch (const std::invalid_argument& e) {
          bad(key, text, e.what());
        }
      }
      if (key.name != "title")
        for (char c : text)
          if (c == ',' || c == '"' || static_cast<unsigned char>(c) < 0x20 || c == ' ')
            bad(key, text, "names contain no spaces, commas, quotes or control characters");
      if (key.name == "model" && text.empty()) return "custom";
      // Names are case-insensitive; the canonical spelling (ids, CSV, reports) is lower case.
      return key.name == "title" ? std::string(text) : to_lower(text);
    }
    case ValueType::Int: {
      long long v = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || p != text.data() + text.size() || text.empty())
        bad(key, text, std::string("expected ") + type_name(key.type));
      auto r = int_range(key.name);
      if (v < r.lo || v > r.hi)
        bad(key, text, "must be between " + std::to_string(r.lo) + " and " + std::to_string(r.hi));
      return std::to_string(v);
    }
    case ValueType::UInt64: {
      std::uint64_t v = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || p != text.data() + text.size() || text.empty())
        bad(key, text, std::string("expected ") + type_name(key.type));
      return std::to_string(v);
    }
    case ValueType::Double: {
      double v = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || p != text.data() + text.size() || text.empty())
        bad(key, text, std::string("expected ") + type_name(key.type));
      if (!std::isfinite(v) || v == 0) bad(key, text, "must be finite and nonzero");
      return format_double(v);
    }
  }
  return std::string(text);
}

std::vector<std::string> split_list(std::string_view text, std::string_view key) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    auto comma = text.find(',', start);
    auto item = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  // block_fma values are "L,F" pairs themselves: "16,25,32,13" lists two units.
  if (key == "block_fma" && !(out.size() == 1 && out[0].empty())) {
    if (out.size() % 2 != 0)
      throw std::invalid_argument("key 'block_fma': '" + std::string(text) +
                                  "' is not a list of L,F pairs (e.g. 32,13 or 16,25,32,13)");
    std::vector<std::string> pairs;
    for (std::size_t i = 0; i < out.size(); i += 2) pairs.push_back(out[i] + "," + out[i + 1]);
    out = std::move(pairs);
  }
  // A lone empty value means "empty" for keys where that has a meaning; inside a list it is a typo.
  for (const auto& item : out)
    if (item.empty() && (out.size() > 1 || !may_be_empty(key)))
      throw std::invalid_argument("key '" + std::string(key) + "': empty item in list '" +
                                  std::string(text) + "'");
  return out;
}

void set_values(KeyValues& layer, std::string_view key, const std::vector<std::string>& values,
                std::string_view where) {
  const std::string at = where.empty() ? "" : " (" + std::string(where) + ")";
  const KeyInfo* info = find_key(key);
  if (!info || info->name != key)
    throw std::invalid_argument("unknown key '" + std::string(key) + "'" + at + "; known keys: " +
                                known_keys_text());
  if (values.empty())
    throw std::invalid_argument("key '" + std::string(key) + "': empty list, nothing to sweep" + at);
  if (!info->dimension && values.size() != 1)
    throw std::invalid_argument("key '" + std::string(key) + "' takes one value, not a list" + at);
  std::vector<std::string> canon;
  for (const auto& v : values) {
    try {
      canon.push_back(canonical_value(*info, v));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(e.what() + at);
    }
    if (std::find(canon.begin(), canon.end() - 1, canon.back()) != canon.end() - 1)
      throw std::invalid_argument("key '" + std::string(key) + "': value '" + canon.back() +
                                  "' listed twice" + at);
  }
  layer[std::string(info->name)] = std::move(canon);
}

void SweepConfig::set(std::string_view key, const std::vector<std::string>& values, std::string_view where) {
  set_values(base, key, values, where);
}

void SweepConfig::override_everywhere(std::string_view key, const std::vector<std::string>& values) {
  set_values(base, key, values);
  const KeyInfo* info = find_key(key);
  for (auto& g : grids) g.erase(std::string(info->name));
}

int SweepConfig::repeats() const {
  auto it = base.find("repeats");
  return it == base.end() ? 1 : std::stoi(it->second.front());
}

std::string SweepConfig::title() const {
  auto it = base.find("title");
  return it == base.end() ? "" : it->second.front();
}

std::string SweepConfig::canonical_text() const {
  auto layer_text = [](const KeyValues& layer) {
    std::string s;
    for (const auto& k : sweep_keys()) {
      auto it = layer.find(k.name);
      if (it == layer.end() || k.name == "title") continue;
      s += std::string(k.name) + " =";
      for (const auto& v : it->second) s += " '" + v + "'";
      s += "\n";
    }
    return s;
  };
  std::string s = layer_text(base);
  for (const auto& g : grids) s += "[[grid]]\n" + layer_text(g);
  return s;
}

}  // namespace floatscope::sweep
