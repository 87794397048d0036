#include "floatscope/generators.hpp"
#include "floatscope/names.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "floatscope/parallel.hpp"
#include "floatscope/random.hpp"

namespace floatscope {
namespace {

struct NameInfo {
  const char* name;
  DistKind kind;
  int max_params;
  const char* usage;
};

constexpr NameInfo kNames[] = {
    {"uniform01", DistKind::uniform01, 0, "uniform01"},
    {"uniform", DistKind::uniform, 0, "uniform"},
    {"normal", DistKind::normal, 0, "normal"},
    {"lognormal", DistKind::lognormal, 1, "lognormal[:SIGMA]"},
    {"outliers", DistKind::outliers, 2, "outliers[:FRACTION[:FACTOR]]"},
    {"constant", DistKind::constant, 1, "constant[:V]"},
    {"identity", DistKind::identity, 0, "identity"},
    {"harmonic", DistKind::harmonic, 0, "harmonic"},
    {"loggrad", DistKind::loggrad, 2, "loggrad[:LO[:HI]]"},
    {"rowscaled", DistKind::rowscaled, 1, "rowscaled[:D]"},
};

const NameInfo& info(DistKind k) {
  for (const auto& n : kNames)
    if (n.kind == k) return n;
  return kNames[2];
}

[[noreturn]] void bad(std::string_view spec, const std::string& what) {
  throw std::invalid_argument("distribution '" + std::string(spec) + "': " + what +
                              " (valid: " + distribution_names() + ")");
}

double number(std::string_view spec, std::string_view text, const char* what) {
  double v = 0;
  const char* end = text.data() + text.size();
  const auto [p, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || p != end || !std::isfinite(v))
    bad(spec, std::string(what) + " '" + std::string(text) + "' is not a finite number");
  return v;
}

std::string shortest(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// Box-Muller, cosine branch. u1 in (0, 1] so the logarithm is finite (|z| <= 8.6).
inline double normal_at(const CounterRng& rng, std::uint64_t index) {
  const double u1 = static_cast<double>((rng.bits(2 * index) >> 11) + 1) * 0x1p-53;
  const double u2 = rng.uniform(2 * index + 1);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

// loggrad: z ~ N(0,1) redrawn until |z| <= 3 (the first draw is normal_at(rng, index), like
// `normal`; redraws come from their own stream), log2|x| = mid + sigma z clamped to [lo, hi]
// against the last bit of rounding in mid + sigma z, and the sign from bit 0 of the first draw's
// first word (Box-Muller's u1 takes its top 53 bits only). After kRedraws failed redraws (each
// fails with probability 0.0027) z is clamped: never reached in practice, but it bounds the loop.
inline double loggrad_at(const Distribution& d, const CounterRng& rng, const CounterRng& redraw,
                         std::uint64_t index) {
  constexpr std::uint64_t kRedraws = 64;
  double z = normal_at(rng, index);
  for (std::uint64_t a = 0; std::fabs(z) > 3 && a < kRedraws; ++a) z = normal_at(redraw, index * kRedraws + a);
  z = std::clamp(z, -3.0, 3.0);
  const double mid = 0.5 * (d.log2_lo + d.log2_hi), sigma = (d.log2_hi - d.log2_lo) / 6;
  const double mag = std::exp2(std::clamp(mid + sigma * z, d.log2_lo, d.log2_hi));
  return (rng.bits(2 * index) & 1) ? -mag : mag;
}

// Outlier channels among k_len: the round(fraction*k_len) (at least one when fraction > 0)
// channels with the smallest hash of (seed, channel). Independent of the tensor id on purpose.
std::vector<unsigned char> outlier_channels(const Distribution& d, std::uint64_t seed, std::size_t k_len) {
  std::vector<unsigned char> mark(k_len, 0);
  if (k_len == 0 || d.fraction <= 0) return mark;
  std::size_t count = static_cast<std::size_t>(std::llround(d.fraction * static_cast<double>(k_len)));
  count = std::clamp<std::size_t>(count, 1, k_len);
  const CounterRng rng(seed, 0x6f75746c69657273ULL);  // "outliers"
  std::vector<std::pair<std::uint64_t, std::size_t>> keyed(k_len);
  for (std::size_t k = 0; k < k_len; ++k) keyed[k] = {rng.bits(k), k};
  std::nth_element(keyed.begin(), keyed.begin() + static_cast<std::ptrdiff_t>(count - 1), keyed.end());
  for (std::size_t c = 0; c < count; ++c) mark[keyed[c].second] = 1;
  return mark;
}

}  // namespace

std::string distribution_names() {
  std::string s;
  for (const auto& n : kNames) s += (s.empty() ? "" : ", ") + std::string(n.usage);
  return s;
}

Distribution parse_distribution(std::string_view spec) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const std::size_t colon = spec.find(':', start);
    parts.push_back(spec.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  const NameInfo* found = nullptr;
  for (const auto& n : kNames)
    if (iequals(parts[0], n.name)) found = &n;
  if (!found) bad(spec, "unknown distribution '" + std::string(parts[0]) + "'");
  const std::size_t nparams = parts.size() - 1;
  if (nparams > static_cast<std::size_t>(found->max_params))
    bad(spec, found->max_params == 0
                  ? std::string("'") + found->name + "' takes no parameters"
                  : std::string("too many parameters; usage: ") + found->usage);
  Distribution d;
  d.kind = found->kind;
  switch (d.kind) {
    case DistKind::lognormal:
      if (nparams >= 1) d.sigma = number(spec, parts[1], "SIGMA");
      if (!(d.sigma > 0)) bad(spec, "SIGMA must be > 0, got " + shortest(d.sigma));
      break;
    case DistKind::outliers:
      if (nparams >= 1) d.fraction = number(spec, parts[1], "FRACTION");
      if (nparams >= 2) d.factor = number(spec, parts[2], "FACTOR");
      if (!(d.fraction >= 0 && d.fraction <= 1))
        bad(spec, "FRACTION must lie in [0, 1], got " + shortest(d.fraction));
      if (d.factor == 0) bad(spec, "FACTOR must be nonzero");
      break;
    case DistKind::constant:
      if (nparams >= 1) d.value = number(spec, parts[1], "V");
      break;
    case DistKind::loggrad:
      if (nparams >= 1) d.log2_lo = number(spec, parts[1], "LO");
      if (nparams >= 2) d.log2_hi = number(spec, parts[2], "HI");
      // Both ends normal doubles, so every magnitude is one (and exp2 never over/underflows).
      if (!(d.log2_lo >= -1022 && d.log2_hi <= 1023))
        bad(spec, "LO and HI must lie in [-1022, 1023], got " + shortest(d.log2_lo) + " and " + shortest(d.log2_hi));
      if (!(d.log2_lo < d.log2_hi))
        bad(spec, "LO must be below HI, got " + shortest(d.log2_lo) + " and " + shortest(d.log2_hi));
      break;
    case DistKind::rowscaled:
      if (nparams >= 1) {
        const double D = number(spec, parts[1], "D");
        if (!(D >= 0 && D <= 300 && D == std::floor(D)))
          bad(spec, "D must be an integer in [0, 300], got " + std::string(parts[1]));
        d.exp_range = static_cast<int>(D);
      }
      break;
    default:
      break;
  }
  return d;
}

std::string to_string(const Distribution& d) {
  std::string s = info(d.kind).name;
  switch (d.kind) {
    case DistKind::lognormal: return s + ":" + shortest(d.sigma);
    case DistKind::outliers: return s + ":" + shortest(d.fraction) + ":" + shortest(d.factor);
    case DistKind::constant: return s + ":" + shortest(d.value);
    case DistKind::loggrad: return s + ":" + shortest(d.log2_lo) + ":" + shortest(d.log2_hi);
    case DistKind::rowscaled: return s + ":" + std::to_string(d.exp_range);
    default: return s;
  }
}

void generate(const Distribution& d, std::uint64_t seed, std::uint64_t tensor_id, std::size_t rows,
              std::size_t cols, double* out, bool is_b, int threads) {
  const CounterRng rng(seed, tensor_id);
  const CounterRng redraw(seed, tensor_id ^ 0x6c6f676772616400ULL);  // "loggrad": loggrad's redraws
  const std::vector<unsigned char> outlier =
      d.kind == DistKind::outliers ? outlier_channels(d, seed, is_b ? rows : cols) : std::vector<unsigned char>{};
  // rowscaled: the scale exponent of A's row i / B's column j is element i / j of its own stream.
  const CounterRng scale_rng(seed, stream_of(0x726f777363616c65ULL, tensor_id));  // "rowscale"
  const auto scale_exp = [&](std::size_t index) {
    const std::uint64_t span = 2 * static_cast<std::uint64_t>(d.exp_range) + 1;
    return static_cast<int>(scale_rng.bits(index) % span) - d.exp_range;
  };
  const int nthreads = threads > 0 ? threads : omp_default_threads();
  const auto nrows = static_cast<std::ptrdiff_t>(rows);
#pragma omp parallel for schedule(static) if (nthreads > 1 && rows * cols >= 65536) num_threads(nthreads)
  for (std::ptrdiff_t ii = 0; ii < nrows; ++ii) {
    const auto i = static_cast<std::size_t>(ii);
    double* row = out + i * cols;
    const std::uint64_t base = static_cast<std::uint64_t>(i) * cols;
    switch (d.kind) {
      case DistKind::uniform01:
        for (std::size_t j = 0; j < cols; ++j) row[j] = rng.uniform(base + j);
        break;
      case DistKind::uniform:
        // (2k+1-2^53)/2^53 for k in [0, 2^53): symmetric about 0, inside (-1, 1), exact in double.
        for (std::size_t j = 0; j < cols; ++j) {
          const auto k = static_cast<std::int64_t>(rng.bits(base + j) >> 11);
          row[j] = static_cast<double>(2 * k + 1 - (std::int64_t{1} << 53)) * 0x1p-53;
        }
        break;
      case DistKind::normal:
        for (std::size_t j = 0; j < cols; ++j) row[j] = normal_at(rng, base + j);
        break;
      case DistKind::lognormal:
        for (std::size_t j = 0; j < cols; ++j) row[j] = std::exp(d.sigma * normal_at(rng, base + j));
        break;
      case DistKind::outliers:
        for (std::size_t j = 0; j < cols; ++j) {
          const double z = normal_at(rng, base + j);
          row[j] = outlier[is_b ? i : j] ? z * d.factor : z;
        }
        break;
      case DistKind::constant:
        for (std::size_t j = 0; j < cols; ++j) row[j] = d.value;
        break;
      case DistKind::identity:
        for (std::size_t j = 0; j < cols; ++j) row[j] = i == j ? 1.0 : 0.0;
        break;
      case DistKind::harmonic:
        for (std::size_t j = 0; j < cols; ++j) row[j] = is_b ? 1.0 : 1.0 / static_cast<double>(j + 1);
        break;
      case DistKind::loggrad:
        for (std::size_t j = 0; j < cols; ++j) row[j] = loggrad_at(d, rng, redraw, base + j);
        break;
      case DistKind::rowscaled:
        for (std::size_t j = 0; j < cols; ++j)
          row[j] = std::ldexp(normal_at(rng, base + j), scale_exp(is_b ? j : i));
        break;
    }
  }
}

std::vector<double> full_range_values(const Format& f, std::size_t n, std::uint64_t seed) {
  const int lo = std::max(f.emin - f.man_bits - 1, -1074);
  const int hi = std::min(f.emax + 1, 1023);
  const CounterRng rng(seed, 1);
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t r = rng.bits(i);
    const int e = lo + static_cast<int>((r >> 53) % static_cast<std::uint64_t>(hi - lo + 1));
    const double m = 1.0 + static_cast<double>(r & 0x000fffffffffffffULL) * 0x1p-52;
    v[i] = std::ldexp((r >> 52) & 1 ? -m : m, e);
  }
  return v;
}

}  // namespace floatscope
