// check_rounding / rank_roundings: a user's conversions against floatscope::round, case by case.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "floatscope/check.hpp"
#include "floatscope/codec.hpp"

namespace floatscope {
namespace {

// The two grid neighbours of a finite magnitude ax <= max finite (equal when ax is on the grid).
struct Neighbours {
  double lo, hi;
};
Neighbours neighbours(double ax, const Format& f) {
  return {round(ax, f, Rounding{Mode::rtz}), round(ax, f, Rounding{Mode::rup})};
}

bool is_tie(double ax, const Neighbours& n) {
  // Both differences are exact: lo and hi are the neighbours of ax, hi - lo is one quantum of a
  // grid no finer than double's, and ax lies between them (Sterbenz, or lo = 0).
  return n.lo != n.hi && ax - n.lo == n.hi - ax;
}

}  // namespace

std::string_view round_case_name(RoundCase c) {
  switch (c) {
    case RoundCase::ordinary: return "ordinary";
    case RoundCase::tie: return "tie";
    case RoundCase::subnormal: return "subnormal";
    case RoundCase::overflow: return "overflow";
    case RoundCase::nan_inf: return "nan-inf";
    case RoundCase::signed_zero: return "signed-zero";
  }
  return "?";
}

RoundCase classify_round_case(double x, const Format& f, const Rounding& r) {
  if (std::isnan(x) || std::isinf(x)) return RoundCase::nan_inf;
  const double ax = std::fabs(x);
  if (ax > f.max_finite) return RoundCase::overflow;
  if (x == 0 || round(x, f, r) == 0) return RoundCase::signed_zero;
  if (ax < f.min_normal) return RoundCase::subnormal;
  if (is_tie(ax, neighbours(ax, f))) return RoundCase::tie;
  return RoundCase::ordinary;
}

std::string tie_rule_of(double x, double y, const Format& f) {
  if (!std::isfinite(x)) return "";
  const double ax = std::fabs(x);
  if (ax > f.max_finite || ax == 0) return "";
  const Neighbours n = neighbours(ax, f);
  if (!is_tie(ax, n)) return "";
  const double ay = std::fabs(y);
  // A result of the other sign is not a rounding of x at all (a zero result keeps its question
  // for the signed-zero class).
  if (std::isnan(y) || (ay != n.lo && ay != n.hi) || (y != 0 && std::signbit(y) != std::signbit(x)))
    return "neither neighbour";
  // The last significand bit is the code's lowest bit (binary encodings and MXINT8 alike).
  const bool odd = (encode(ay, f) & 1u) != 0;
  return std::string(odd ? "odd" : "even") + (ay == n.hi ? ", away" : ", toward zero");
}

bool same_result(double want, double got) {
  if (std::isnan(want) || std::isnan(got)) return std::isnan(want) && std::isnan(got);
  return want == got && std::signbit(want) == std::signbit(got);
}

RoundCheck check_rounding(std::span<const double> in, std::span<const double> got, const Format& f,
                          const Rounding& r, std::size_t keep) {
  if (in.size() != got.size())
    throw std::invalid_argument("check_rounding: " + std::to_string(in.size()) + " inputs but " +
                                std::to_string(got.size()) + " results");
  if (is_stochastic(r.mode))
    throw std::invalid_argument("check_rounding: " + std::string(mode_name(r.mode)) +
                                " is stochastic; a bit-for-bit check needs a deterministic mode");
  RoundCheck out;
  out.checked = in.size();
  for (std::size_t i = 0; i < in.size(); ++i) {
    const RoundCase kind = classify_round_case(in[i], f, r);
    ++out.checked_by_case[static_cast<std::size_t>(kind)];
    const double want = round(in[i], f, r, i);
    if (same_result(want, got[i])) continue;
    ++out.wrong;
    ++out.wrong_by_case[static_cast<std::size_t>(kind)];
    if (out.first.size() < keep)
      out.first.push_back({i, in[i], want, got[i], kind, tie_rule_of(in[i], got[i], f)});
  }
  return out;
}

std::string rounding_label(const Rounding& r) {
  return std::string(mode_name(r.mode)) + (r.overflow == Overflow::saturate ? "+saturate" : "");
}

std::vector<RoundingMatch> rank_roundings(std::span<const double> in, std::span<const double> got,
                                          const Format& f, std::size_t keep) {
  std::vector<RoundingMatch> all;
  for (Overflow o : {Overflow::spec, Overflow::saturate})
    for (Mode m : {Mode::rne, Mode::rna, Mode::rtz, Mode::rup, Mode::rdn, Mode::rto}) {
      Rounding r{m, o};
      RoundCheck c = check_rounding(in, got, f, r, keep);
      all.push_back({r, c.wrong, std::move(c)});
    }
  // Listing order: modes first, then the policy, so "rne" precedes "rne+saturate" at equal counts.
  std::vector<RoundingMatch> ordered;
  for (std::size_t m = 0; m < 6; ++m)
    for (std::size_t o = 0; o < 2; ++o) ordered.push_back(std::move(all[o * 6 + m]));
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const RoundingMatch& a, const RoundingMatch& b) { return a.wrong < b.wrong; });
  return ordered;
}

}  // namespace floatscope
