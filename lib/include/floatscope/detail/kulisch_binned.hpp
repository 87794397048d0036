// Exponent-binned accumulation of products, the fast front end of the Kulisch accumulator
// (after R. M. Neal's "large superaccumulator", arXiv:1505.05571, applied to products).
//
// When every nonzero input has an exponent in [-459, 510] (biased [564, 1533]), each product
// p = fl(a*b) is a normal double and e = fma(a, b, -p) is exact and zero or normal
// (|e| >= 2^(Ea+Eb-104) >= 2^-1022), so a*b = p + e exactly (TwoProd). When moreover every input
// has at most 26 significant bits (fp32, bf16, fp16, fp8 values: the low 27 fraction bits are zero)
// the product has at most 52 bits and e = 0, so p alone is exact.
// Each such double d = m * 2^(x - 1075) (m its 53-bit significand, x its biased exponent) is added
// as the integer m into bin[sign, x]: one indexed add per term instead of a three-limb add. Blocks
// of kBlock terms are spread over kSets tables (term k goes to table k % kSets: 512 terms per table
// and block, each adding at most one value per bin, since p and e never share an exponent), so one
// bin of one table stays below 512 * 2^53 = 2^62 and the kSets tables of a bin sum below 2^64.
// After every block the bins are flushed into the Kulisch accumulator: the bins of one sign and a
// window of consecutive exponents make one 128-bit integer, one add_scaled at bit x0 + 1073.
// Bin x = 0 collects zeros (p or e = +-0 with a forced implicit bit) and is discarded. Several
// tables also break the store-to-load chains of consecutive terms that fall into the same bin.
#pragma once

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "floatscope/detail/kulisch.hpp"

namespace floatscope::detail {

// Which front end dot_exact uses; automatic picks binned when admissible and worthwhile. The
// others exist so that tests can check both against MPFR on the same inputs (binned falls back to
// direct when not admissible).
enum class ExactPath { automatic, direct, binned };
// dot_exact (abs = false) or absdot_exact through a given path (defined in reference_exact.cpp).
double dot_exact_via(ExactPath path, bool abs, const double* a, std::ptrdiff_t sa, const double* b,
                     std::ptrdiff_t sb, std::size_t K, double c);

// Biased exponents of the nonzero finite-or-not inputs and the OR of their low 27 fraction bits.
struct InputScan {
  int lo = 2047, hi = 0;       // lo > hi: every input is zero
  std::uint64_t low_bits = 0;  // nonzero: some input has more than 26 significant bits
};

template <bool Unit>
inline InputScan scan_inputs_impl(const double* x, std::ptrdiff_t sx, std::size_t K) {
  // Branch-free min/max/or reductions so that the unit-stride case vectorises.
  std::uint64_t lo = 2047, hi = 0, low = 0;
  for (std::size_t k = 0; k < K; ++k) {
    const double v = Unit ? x[k] : x[static_cast<std::ptrdiff_t>(k) * sx];
    const std::uint64_t u = std::bit_cast<std::uint64_t>(v) & ~(std::uint64_t{1} << 63);
    const std::uint64_t e = u >> 52;
    const std::uint64_t el = u == 0 ? 2047 : e;
    lo = el < lo ? el : lo;
    hi = e > hi ? e : hi;
    low |= u;
  }
  InputScan s;
  s.lo = static_cast<int>(lo);
  s.hi = static_cast<int>(hi);
  s.low_bits = low & ((std::uint64_t{1} << 27) - 1);
  return s;
}

inline InputScan scan_inputs(const double* x, std::ptrdiff_t sx, std::size_t K) {
  return sx == 1 ? scan_inputs_impl<true>(x, 1, K) : scan_inputs_impl<false>(x, sx, K);
}

class ProductBins {
 public:
  static constexpr int kSets = 4;
  static constexpr std::size_t kBlock = 2048;
  static constexpr int kBinLo = 564, kBinHi = 1533;  // admissible biased input exponents

  // Whether the binned path is exact for these inputs.
  static bool admissible(const InputScan& sa, const InputScan& sb) {
    if (sa.hi > kBinHi || sb.hi > kBinHi) return false;  // also Inf/NaN, which need the flag
    if (sa.lo > sa.hi || sb.lo > sb.hi) return true;     // all products are zero
    return sa.lo >= kBinLo && sa.hi <= kBinHi && sb.lo >= kBinLo && sb.hi <= kBinHi;
  }
  // Whether it is also worth it: the flush touches 2 * kSets * (exponent span) bins per block, so
  // very wide spans with small K go to the direct path.
  static bool worthwhile(const InputScan& sa, const InputScan& sb, std::size_t K) {
    if (sa.lo > sa.hi || sb.lo > sb.hi) return true;
    const int span = (sa.hi + sb.hi) - (sa.lo + sb.lo) + 2 + (narrow(sa, sb) ? 0 : 106);
    return static_cast<std::size_t>(span) <= 2 * K + 64;
  }
  static bool narrow(const InputScan& sa, const InputScan& sb) {
    return sa.low_bits == 0 && sb.low_bits == 0;
  }

  // Adds sum a_k*b_k (|a_k||b_k| when Abs) to acc. Requires applicable(scan(a), scan(b), K).
  template <bool Abs>
  static void add(Kulisch& acc, const double* a, std::ptrdiff_t sa, const double* b,
                  std::ptrdiff_t sb, std::size_t K, const InputScan& xa, const InputScan& xb) {
    if (xa.lo > xa.hi || xb.lo > xb.hi) return;
    const bool nar = narrow(xa, xb);
    int lo = xa.lo + xb.lo - 1023 - (nar ? 0 : 106);
    if (lo < 1) lo = 1;
    const int hi = xa.hi + xb.hi - 1023 + 1;
    std::uint64_t* t = table();
    for (std::size_t k0 = 0; k0 < K; k0 += kBlock) {
      const std::size_t n = K - k0 < kBlock ? K - k0 : kBlock;
      const double* pa = a + static_cast<std::ptrdiff_t>(k0) * sa;
      const double* pb = b + static_cast<std::ptrdiff_t>(k0) * sb;
      if (nar)
        fill<Abs, true>(t, pa, sa, pb, sb, n);
      else
        fill<Abs, false>(t, pa, sa, pb, sb, n);
      flush(acc, t, lo, hi);
    }
  }

 private:
  static constexpr std::uint64_t kFrac = 0x000fffffffffffffULL;
  static constexpr std::uint64_t kOne = 0x0010000000000000ULL;
  static constexpr int kTable = 4096;  // (sign, biased exponent)

  // Per-thread bins, all zero between calls (flush clears what it reads).
  static std::uint64_t* table() {
    thread_local std::vector<std::uint64_t> t(static_cast<std::size_t>(kSets) * kTable, 0);
    return t.data();
  }

  static inline void put(std::uint64_t* t, double d) {
    const std::uint64_t u = std::bit_cast<std::uint64_t>(d);
    t[u >> 52] += (u & kFrac) | kOne;
  }

  // Two phases per chunk: a vectorisable pass turns each term into (table index, significand)
  // pairs, then a scalar pass does the indexed adds (the only part that cannot be vectorised).
  template <bool Abs, bool Narrow>
  static void fill(std::uint64_t* t, const double* a, std::ptrdiff_t sa, const double* b,
                   std::ptrdiff_t sb, std::size_t n) {
    constexpr std::size_t kChunk = 256;  // multiple of kSets
    constexpr std::size_t kVals = Narrow ? kChunk : 2 * kChunk;
    alignas(64) std::uint64_t idx[kVals];
    alignas(64) std::uint64_t sig[kVals];
    for (std::size_t k0 = 0; k0 < n; k0 += kChunk) {
      const std::size_t m = n - k0 < kChunk ? n - k0 : kChunk;
      const double* pa = a + static_cast<std::ptrdiff_t>(k0) * sa;
      const double* pb = b + static_cast<std::ptrdiff_t>(k0) * sb;
      if (sa == 1 && sb == 1)
        split<Abs, Narrow, true>(pa, 1, pb, 1, m, idx, sig);
      else
        split<Abs, Narrow, false>(pa, sa, pb, sb, m, idx, sig);
      const std::size_t nv = Narrow ? m : 2 * m;
      for (std::size_t j = 0; j < nv; ++j) t[idx[j]] += sig[j];
    }
  }

  // idx = (sign, exponent) * kSets + table, table = k % kSets (each sees at most 512 terms per
  // block); sig = significand with the implicit bit forced (zeros land in bin 0).
  template <bool Abs, bool Narrow, bool Unit>
  static void split(const double* a, std::ptrdiff_t sa, const double* b, std::ptrdiff_t sb,
                    std::size_t m, std::uint64_t* idx, std::uint64_t* sig) {
    for (std::size_t j = 0; j < m; ++j) {
      // |a||b|: the operands' absolute values, since e keeps its sign relative to p.
      const double xr = Unit ? a[j] : a[static_cast<std::ptrdiff_t>(j) * sa];
      const double yr = Unit ? b[j] : b[static_cast<std::ptrdiff_t>(j) * sb];
      const double x = Abs ? std::fabs(xr) : xr;
      const double y = Abs ? std::fabs(yr) : yr;
      const double p = x * y;
      const std::uint64_t set = j % kSets;
      const std::uint64_t up = std::bit_cast<std::uint64_t>(p);
      idx[j] = (up >> 52) * kSets + set;
      sig[j] = (up & kFrac) | kOne;
      if constexpr (!Narrow) {
        const std::uint64_t ue = std::bit_cast<std::uint64_t>(std::fma(x, y, -p));
        idx[m + j] = (ue >> 52) * kSets + set;
        sig[m + j] = (ue & kFrac) | kOne;
      }
    }
  }

  // The kSets tables of one bin are adjacent and sum to < 4 * 512 * 2^53 = 2^64 (one vector load).
  // Bins of up to kWindow consecutive exponents are then summed into one 128-bit integer (each
  // shifted < 2^111, 48 of them < 2^117), so a flush costs a few Kulisch additions rather than
  // one per exponent.
  static void flush(Kulisch& acc, std::uint64_t* t, int lo, int hi) {
    constexpr int kWindow = 48;
    for (int s = 0; s < 2; ++s) {
      std::uint64_t* ts = t + s * 2048 * kSets;
      for (int x0 = lo; x0 <= hi; x0 += kWindow) {
        const int x1 = hi < x0 + kWindow - 1 ? hi : x0 + kWindow - 1;
        unsigned __int128 w = 0;
        for (int x = x0; x <= x1; ++x) {
          std::uint64_t* bin = ts + x * kSets;
          std::uint64_t sum = 0;
          for (int j = 0; j < kSets; ++j) sum += bin[j];
          for (int j = 0; j < kSets; ++j) bin[j] = 0;
          w += static_cast<unsigned __int128>(sum) << (x - x0);
        }
        if (w != 0) acc.add_scaled(s != 0, static_cast<unsigned>(x0 + 1073), w);
      }
      for (int j = 0; j < kSets; ++j) ts[j] = 0;  // the zeros' bin
    }
  }
};

}  // namespace floatscope::detail
