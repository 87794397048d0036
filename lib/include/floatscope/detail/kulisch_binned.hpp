// Exponent-binned accumulation of products, the fast front end of the Kulisch accumulator
// (after R. M. Neal's "large superaccumulator", arXiv:1505.05571, applied to products).
//
// When every nonzero input has an exponent in [-459, 510] (biased [564, 1533]), each product
// p = fl(a*b) is a normal double and e = fma(a, b, -p) is exact and zero or normal
// (|e| >= 2^(Ea+Eb-104) >= 2^-1022), so a*b = p + e exactly (TwoProd). When moreover every input
// has at most 26 significant bits (fp32, bf16, fp16, fp8 values: the low 27 fraction bits are zero)
// the product has at most 52 bits and e = 0, so p alone is exact.
// Each such double d = m * 2^(x - 1075) (m its 53-bit significand, x its biased exponent) is added
// as the integer m into bin[sign, x]: one indexed add per term instead of a three-limb add. A bin
// holds < 2^64 while it receives at most 2048 values < 2^53, so blocks of kBlock terms are spread
// over kSets tables (term k goes to table k % kSets: 1024 terms per table and block, each adding at
// most one value per bin, since p and e never share an exponent) and flushed into the Kulisch
// accumulator after every block: the bins of one exponent and sign, summed over tables as a
// 128-bit integer, are one add_scaled at bit x + 1073. Bin x = 0 collects zeros (p or e = +-0 with
// a forced implicit bit) and is discarded. Several tables also break the store-to-load chains of
// consecutive terms that fall into the same bin.
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
  static constexpr std::size_t kBlock = 4096;
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

  template <bool Abs, bool Narrow>
  static void fill(std::uint64_t* t, const double* a, std::ptrdiff_t sa, const double* b,
                   std::ptrdiff_t sb, std::size_t n) {
    auto term = [&](std::uint64_t* tt, std::size_t k) {
      // |a||b|: the operands' absolute values, since e keeps its sign relative to p.
      const double x = Abs ? std::fabs(a[static_cast<std::ptrdiff_t>(k) * sa])
                           : a[static_cast<std::ptrdiff_t>(k) * sa];
      const double y = Abs ? std::fabs(b[static_cast<std::ptrdiff_t>(k) * sb])
                           : b[static_cast<std::ptrdiff_t>(k) * sb];
      const double p = x * y;
      put(tt, p);
      if constexpr (!Narrow) put(tt, std::fma(x, y, -p));
    };
    std::size_t k = 0;
    for (; k + kSets <= n; k += kSets) {
      term(t, k);
      term(t + kTable, k + 1);
      term(t + 2 * kTable, k + 2);
      term(t + 3 * kTable, k + 3);
    }
    for (; k < n; ++k) term(t, k);
  }

  static void flush(Kulisch& acc, std::uint64_t* t, int lo, int hi) {
    for (int s = 0; s < 2; ++s) {
      std::uint64_t* ts = t + s * 2048;
      for (int x = lo; x <= hi; ++x) {
        unsigned __int128 sum = 0;
        for (int j = 0; j < kSets; ++j) {
          sum += ts[j * kTable + x];
          ts[j * kTable + x] = 0;
        }
        if (sum != 0) acc.add_scaled(s != 0, static_cast<unsigned>(x + 1073), sum);
      }
      for (int j = 0; j < kSets; ++j) ts[j * kTable] = 0;  // the zeros' bin
    }
  }
};

}  // namespace floatscope::detail
