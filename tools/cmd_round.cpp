// `floatscope round`: round numbers read one per line onto a format, print value and encoding.
//
// A contract (tests/cli/test_cli_round.cpp): CSV `input,value,bits` on stdout, where value is the
// rounded double as a C99 hex float (nan, inf, -inf spelled out) and bits the code as 0x + lowercase
// hex padded to the format's width (tf32 as its fp32 word). The whole input is parsed and rounded
// before anything is printed, so an error leaves stdout empty rather than half a table.
#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "command.hpp"
#include "floatscope/codec.hpp"
#include "floatscope/format.hpp"
#include "floatscope/names.hpp"
#include "floatscope/rounding.hpp"

namespace floatscope::cli {
namespace {

struct RoundOptions {
  std::string format;
  std::string rounding = "rne";
  bool saturate = false;
  std::uint64_t seed = 0;
  int sr_bits = 64;
  std::string file;  // empty: stdin
};

std::string_view trim(std::string_view s) {
  const char* ws = " \t\r\v\f";
  const auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

// strtod over the whole token: decimal (to the nearest double), C99 hex floats (exact), inf, nan.
bool parse_number(std::string_view token, double& out) {
  if (token.empty()) return false;
  const std::string s(token);
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();  // ERANGE is fine: 1e999 is Inf, 1e-999 is 0, as typed
}

std::string hex_value(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%a", v);
  return buf;
}

// TF32 lives in an fp32 register: its encoding is the fp32 word of the (float-exact) value.
std::string bits_of(double v, const Format& f) {
  if (f.name == "tf32") {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", std::bit_cast<std::uint32_t>(static_cast<float>(v)));
    return buf;
  }
  return format_code(encode(v, f), f);
}

std::string read_all(const std::string& file) {
  if (file.empty() || file == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) throw UsageError("cannot open input file '" + file + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// True when `spec` names a preset (or an alias of one); "e4m4" and "e4m3:bias=8" are custom.
bool is_preset_name(std::string_view spec) {
  for (const auto& p : preset_formats()) {
    if (iequals(p.name, spec)) return true;
    for (const auto& a : p.aliases())
      if (iequals(a, spec)) return true;
  }
  return false;
}

int run_round(const RoundOptions& o) {
  const Format f = parse_format(o.format);
  if (!is_preset_name(o.format))
    std::cerr << fmt::format(
        "floatscope round: '{}' is a custom format, not a preset (`floatscope formats` lists "
        "those): {} exponent bits, {} fraction bits, bias {}, specials {}, max finite {:g}\n",
        o.format, f.exp_bits, f.man_bits, f.bias, f.specials_name(), f.max_finite);
  Rounding r;
  r.mode = parse_mode(o.rounding);
  r.overflow = o.saturate ? Overflow::saturate : Overflow::spec;
  r.seed = o.seed;
  r.stream = 0;
  r.sr_bits = o.sr_bits;

  const std::string where = o.file.empty() || o.file == "-" ? "<stdin>" : o.file;
  const std::string text = read_all(o.file);
  std::vector<std::string_view> lines;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t nl = text.find('\n', pos);
    const std::size_t end = nl == std::string::npos ? text.size() : nl;
    lines.push_back(std::string_view(text).substr(pos, end - pos));
    pos = end + 1;  // a final '\n' ends the last line; it does not open an empty one
  }

  std::string out = "input,value,bits\n";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string_view token = trim(lines[i]);
    const std::string at = where + ", line " + std::to_string(i + 1) + ": ";
    if (token.empty()) throw UsageError(at + "empty line (expected one number per line)");
    double x;
    if (!parse_number(token, x))
      throw UsageError(at + "'" + std::string(token) +
                       "' is not a number (expected decimal, hex float such as 0x1.8p-3, inf or nan)");
    if (std::isnan(x) && !f.has_nan())
      throw UsageError(at + "NaN cannot be rounded to format '" + f.name + "', which has no NaN");
    // SR draws index = the number's 0-based position, stream 0 (lines and numbers coincide).
    const double y = floatscope::round(x, f, r, i);
    std::string bits;
    try {
      bits = bits_of(y, f);
    } catch (const std::domain_error& e) {
      throw UsageError(at + "'" + std::string(token) + "' has no encoding in format '" + f.name +
                       "': " + e.what());
    }
    out.append(token).append(",").append(hex_value(y)).append(",").append(bits).append("\n");
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return std::fflush(stdout) == 0 ? kExitOk : kExitFailure;
}

const Registrar reg_round("round", 20, [](CLI::App& app) -> std::function<int()> {
  app.description("Round numbers (one per line, from FILE or stdin) onto a format; print CSV");
  app.footer(
      "Input: one number per line, surrounding whitespace allowed: decimal (first converted to\n"
      "the nearest double, as strtod does, then rounded once), C99 hex floats such as 0x1.8p-3\n"
      "(exact), inf, -inf, nan. An empty line, or a line that is not a number, stops with an\n"
      "error naming it (exit 2) and prints nothing.\n"
      "Output: CSV input,value,bits; value is the rounded value as a hex float (%a), bits the\n"
      "code as 0x + lowercase hex padded to the format's width (tf32: its fp32 word).\n"
      "Stochastic rounding uses index = line number - 1 and stream 0 of --seed.\n"
      "\nExamples:\n"
      "  printf '464\\n465\\n' | floatscope round --format e4m3\n"
      "  printf '465\\n' | floatscope round --format e4m3 --saturate\n"
      "  echo 0x1.8p-3 | floatscope round --format e2m1 --rounding rtz\n"
      "  floatscope round --format fp16 --rounding sr --seed 7 --sr-bits 8 values.txt");
  auto o = std::make_shared<RoundOptions>();
  app.add_option("--format,-f", o->format, "Target format: " + preset_format_names() + ", or eXmY[:...]")
      ->required();
  app.add_option("--rounding,-r", o->rounding, "Rounding mode: " + mode_names())->capture_default_str();
  app.add_flag("--saturate", o->saturate,
               "Clamp overflow and +-Inf to +-max (default: the spec's non-saturating rule)");
  add_strict_int(app, "--seed", o->seed, "Seed of the stochastic rounding stream (0 to 2^64-1) [default: 0]", 0,
                 UINT64_MAX);
  app.add_option("--sr-bits", o->sr_bits, "Random bits for --rounding sr (1..64)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("FILE", o->file, "Input file (default: stdin)");
  return [o] { return run_round(*o); };
});

}  // namespace
}  // namespace floatscope::cli
