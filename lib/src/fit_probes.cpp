// probe_cases(): targeted inputs for a unit that can be run (docs/references.md s.5, after Fasi et
// al. 2021): each family makes one parameter of the search space visible in the result.
#include <algorithm>
#include <cmath>
#include <tuple>
#include <vector>
#include <limits>
#include <optional>
#include <utility>

#include "floatscope/fit.hpp"
#include "floatscope/rounding.hpp"

namespace floatscope {
namespace {

// x in a, y in b, both normal, with x*y = m * 2^e (m = 1 or 1.5): the exponent split as evenly as
// both ranges allow. nullopt when the formats cannot form it.
std::optional<std::pair<double, double>> product(const Format& a, const Format& b, int e, double m) {
  const int lo = std::max(a.emin, e - b.emax), hi = std::min(a.emax, e - b.emin);
  if (lo > hi) return std::nullopt;
  const int mid = std::clamp(e / 2, lo, hi);  // the split nearest the middle first, then outwards
  for (int d = 0; d <= hi - lo; ++d)
    for (int ea : {mid - d, mid + d}) {
      if (ea < lo || ea > hi) continue;
      const double x = std::ldexp(m, ea), y = std::ldexp(1.0, e - ea);
      if (round(x, a) == x && round(y, b) == y) return std::pair{x, y};
    }
  return std::nullopt;
}

class Builder {
 public:
  Builder(const Format& a, const Format& b, int K) : a_(a), b_(b), K_(K) {
    // The exponent of the big terms: as high as the products reach, so that the small ones
    // (down to 2^(t - F_max - 1)) stay representable as long as the formats allow.
    t_ = std::min(a.emax + b.emax, 24);
  }
  int t() const { return t_; }
  int K() const { return K_; }
  // One case; terms are (position, exponent, mantissa, sign); false when the formats cannot form one.
  using Term = std::tuple<int, int, double, double>;
  bool add(double c, const std::vector<Term>& terms) {
    std::vector<double> av(static_cast<std::size_t>(K_), 0.0), bv(static_cast<std::size_t>(K_), 0.0);
    for (const auto& [pos, e, m, sign] : terms) {
      if (pos < 0 || pos >= K_ || av[static_cast<std::size_t>(pos)] != 0) return false;
      const auto p = product(a_, b_, e, m);
      if (!p) return false;
      av[static_cast<std::size_t>(pos)] = sign * p->first;
      bv[static_cast<std::size_t>(pos)] = p->second;
    }
    d_.a.insert(d_.a.end(), av.begin(), av.end());
    d_.b.insert(d_.b.end(), bv.begin(), bv.end());
    d_.c.push_back(c);
    d_.d.push_back(std::numeric_limits<double>::quiet_NaN());
    return true;
  }
  // One case from values: (position, a, b) with any values of the formats (subnormals, zeros).
  void add_values(double c, const std::vector<std::tuple<int, double, double>>& terms) {
    for (const auto& term : terms)
      if (std::get<0>(term) >= K_) return;
    const std::size_t base = d_.a.size();
    d_.a.resize(base + static_cast<std::size_t>(K_), 0.0);
    d_.b.resize(base + static_cast<std::size_t>(K_), 0.0);
    for (const auto& [pos, x, y] : terms) {
      d_.a[base + static_cast<std::size_t>(pos)] = x;
      d_.b[base + static_cast<std::size_t>(pos)] = y;
    }
    d_.c.push_back(c);
    d_.d.push_back(std::numeric_limits<double>::quiet_NaN());
  }
  DotCases take() {
    d_.K = K_;
    return std::move(d_);
  }

 private:
  Format a_, b_;
  int K_;
  int t_ = 0;
  DotCases d_;
};

// The special-value rules (UnitSpecials), for the output formats fp32/e8m13 and fp16 (steps of
// fp16 accumulation): a lone subnormal input times 1 (kept or read as zero), a product just below
// the output's smallest normal (kept or flushed), two products of 1.5 * 2^emax (an exact sum
// beyond the range: Inf under NVIDIA's rule, the largest value under IEEE rtz or saturation), C =
// the largest value plus half its ulp (a tie that rne takes to Inf unless the unit saturates),
// products of zeros with C = -0 (-0 under IEEE's rule, +0 under NVIDIA's). Cases the input
// formats cannot form are left out.
void special_value_probes(Builder& pb, const Format& a, const Format& b, double sign) {
  const Format one_of[] = {a, b};
  for (int side = 0; side < 2; ++side) {
    const Format &f = one_of[side], &other = one_of[1 - side];
    if (!f.subnormals) continue;
    // Times 1, and times a power of two that lifts the product into the outputs' normal range
    // (so that flushing results does not hide it).
    for (double m : {1.0, std::ldexp(1.0, std::min(other.emax, 20))})
      for (double x : {f.min_subnormal, std::ldexp(1.0, f.emin) - f.min_subnormal}) {
        const double v = sign * x;
        pb.add_values(0.0, {side == 0 ? std::tuple{0, v, m} : std::tuple{0, m, v}});
      }
  }
  const struct { int emin, emax, precision; double max; } outs[] = {{-126, 127, 24, 0x1.fffffep127}, {-14, 15, 11, 65504.0}};
  for (const auto& o : outs) {
    pb.add(0.0, {{0, o.emin - 3, 1.5, sign}});
    pb.add(0.0, {{0, o.emin - 1, 1.0, sign}, {1, o.emin - 2, 1.5, sign}});
    pb.add(0.0, {{0, o.emax, 1.5, sign}, {1, o.emax, 1.5, sign}});
    pb.add(sign * o.max, {{0, o.emax - o.precision, 1.0, sign}});
  }
  // Zero terms: -0 * 1 everywhere (a -0 in a, or 1 * -0), C = -0; and a cancellation to zero.
  std::vector<std::tuple<int, double, double>> zeros;
  for (int k = 0; k < pb.K(); ++k) zeros.emplace_back(k, sign > 0 ? -0.0 : 1.0, sign > 0 ? 1.0 : -0.0);
  pb.add_values(-0.0, zeros);
  pb.add_values(-0.0, {{0, 1.0, sign * 1.0}, {1, -1.0, sign * 1.0}});
}

}  // namespace

DotCases probe_cases(const Format& a, const Format& b, int K, const FitSpace& space) {
  Builder pb(a, b, K);
  const int t = pb.t();
  const double big = std::ldexp(1.0, t);
  for (double sign : {1.0, -1.0}) {
    // F: two big products cancel inside the step; what is left of the small one shows how many
    // bits below the step's largest exponent survive (1.5 * 2^(t-s): both bits, one, or none).
    for (int s = space.F_min - 1; s <= space.F_max + 1; ++s)
      pb.add(0.0, {{0, t, 1.0, sign}, {1, t, 1.0, -sign}, {2, t - s, 1.5, sign}});
    // L and where C enters: the cancelling partner at position j. Inside one step the small term
    // survives; in a later step it was lost when the first step's result was rounded (s beyond
    // the output's precision but within F), or it survives in a C-after/at-end schedule.
    for (int s : {6, 12, 15, 22, 24, 25})
      for (int j = 2; j < K; ++j) {
        if (j > 18 && j % 8 != 0 && j % 8 != 7 && j != K - 1) continue;  // boundaries suffice
        pb.add(0.0, {{0, t, 1.0, sign}, {1, t - s, 1.5, sign}, {j, t, 1.0, -sign}});
      }
    // L (Fasi et al.'s block probe): C = 2^t (1 + 2^(1-p)), 2^t at position 0 and 2^(t+1-p) at j.
    // In one step the two 2^(t+1-p) parts add up to a bit the p-bit output keeps; in two steps
    // each is lost when the running value is rounded. For output precisions p of fp16, e8m13, fp32.
    for (int p : {11, 14, 24})
      for (int j = 1; j < K; ++j) {
        if (j > 18 && j % 8 != 0 && j % 8 != 7 && j != K - 1) continue;
        pb.add(sign * std::ldexp(1.0 + std::ldexp(1.0, 1 - p), t), {{0, t, 1.0, sign}, {j, t + 1 - p, 1.0, sign}});
      }
    // The same without C (units that add C at the end): 2^t and 2^(t+1-p) twice, the second pair
    // at positions 2 and j.
    for (int p : {11, 14, 24})
      for (int j = 3; j < K; ++j) {
        if (j > 18 && j % 8 != 0 && j % 8 != 7 && j != K - 1) continue;
        pb.add(0.0, {{0, t, 1.0, sign}, {1, t + 1 - p, 1.0, sign}, {2, t, 1.0, sign}, {j, t + 1 - p, 1.0, sign}});
      }
    // Output rounding and precision when F is below the output's: nb terms 2^t carry the sum to
    // 2^(t+1) or 2^(t+2), where ns small terms 2^(t-s) (kept for s <= F) are 1/4, 1/2 or 3/4 of
    // an output ulp (s = the output's fraction bits) or less. The terms sit at the end of K, in
    // the last step whatever L is: a later step would truncate the result to F bits again.
    for (int nb : {2, 4})
      for (int ns : {1, 2, 3})
        for (int s : {7, 10, 11, 13, 14, 23, 24}) {
          std::vector<Builder::Term> terms;
          for (int k = 0; k < nb; ++k) terms.emplace_back(K - nb - ns + k, t, 1.0, sign);
          for (int k = 0; k < ns; ++k) terms.emplace_back(K - ns + k, t - s, 1.0, sign);
          pb.add(0.0, terms);
        }
    // Output rounding: a result between two grid points (fp32, e8m13, fp16 grids), and ties; at
    // the start and at the end of K.
    for (int s : {10, 11, 13, 14, 23, 24, 25})
      for (double m : {1.0, 1.5}) {
        pb.add(0.0, {{0, t, 1.0, sign}, {1, t - s, m, sign}});
        pb.add(0.0, {{K - 2, t, 1.0, sign}, {K - 1, t - s, m, sign}});
      }
    // C: as a big term that cancels a product (inside the step or not), and with small products
    // that only add up to a visible amount when summed before meeting C.
    for (int s : {6, 12, 15, 22, 24, 25}) pb.add(sign * big, {{0, t, 1.0, -sign}, {1, t - s, 1.5, sign}});
    for (int s : {12, 13, 14, 15, 22, 23, 24, 25, 26})
      for (int n : {2, 4})
        if (n <= K) {
          if (n == 2) pb.add(sign * big, {{0, t - s, 1.5, sign}, {1, t - s, 1.5, sign}});
          else pb.add(sign * big, {{0, t - s, 1.5, sign}, {1, t - s, 1.5, sign}, {2, t - s, 1.5, sign}, {3, t - s, 1.5, sign}});
        }
    // Promotion: the cancelling partner in a later interval of 16, 32, 64 ... of K.
    for (int P = 16; P < K; P *= 2)
      for (int s : {12, 24}) pb.add(sign * big, {{0, t - s, 1.5, sign}, {P, t, 1.0, -sign}});
    special_value_probes(pb, a, b, sign);
  }
  return pb.take();
}

}  // namespace floatscope
