// A Kulisch (fixed-point) accumulator that holds any sum of products of two doubles exactly.
//
// Why this width: a finite double is m * 2^e with m < 2^53 an integer and e in [-1074, 971], so a
// product is P * 2^(ea+eb), P = ma*mb < 2^106, ea+eb >= -2148, and its top bit is below 2^2048.
// Bit 0 of the accumulator weighs 2^-2148 (kLsbExp); a product lands at bit position
// pos = ea' + eb' - 2 where ea' = max(biased exponent, 1), so pos is in [0, 4092] (4092 only for the
// exponent field 0x7ff, whose garbage is discarded because specials are decided separately).
// P shifted by pos % 64 spans three limbs starting at limb pos / 64 <= 63.
//
// Signs: positive and negative products go to two separate unsigned accumulators, so adding never
// borrows. The carry out of the third limb is added to a per-limb carry count (a branch-free adc;
// a rarely taken ripple loop cost more than the addition itself). Each accumulator stays below
// K * 2^4198 < 2^4352 = 2^(64*kLimbs) for any K < 2^150. Two interleaved sets (even and odd k)
// halve the store-to-load dependency between consecutive products hitting the same limbs.
//
// Rounding (round_magnitude): the magnitude's top bit T gives the exponent E = T + kLsbExp; the
// double's quantum is q = max(E - 52, -1074). Kept bits are [q, T], the round bit is q - 1 and the
// sticky bit ORs everything below; RNE decides, and (kept + up) * 2^q is one exact ldexp, which
// overflows to Inf exactly when the rounded value reaches 2^1024 (so a sum at DBL_MAX + half ulp,
// a tie with odd DBL_MAX, gives Inf as IEEE 754 requires).
#pragma once

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

namespace floatscope::detail {

class Kulisch {
 public:
  static constexpr int kLimbs = 68;
  static constexpr int kLsbExp = -2148;
  static constexpr int kBits = 64 * kLimbs;
  static constexpr int kRow = 2 * kLimbs;

  Kulisch() { clear(); }

  void clear() {
    std::memset(acc_, 0, sizeof(acc_));
    special_ = 0;
    lo_pos_ = kBits;
    hi_pos_ = 0;
  }

  // clear() for an accumulator used since the last clear: zeroes only the window collapse reads
  // (a reused per-thread accumulator then costs ~10 limbs instead of 4 KiB per dot product).
  void reset() {
    if (lo_pos_ <= hi_pos_) {
      const auto [jl, jh] = window();
      const std::size_t bytes = sizeof(std::uint64_t) * static_cast<std::size_t>(jh - jl + 1);
      for (auto& row : acc_) {
        std::memset(row + jl, 0, bytes);
        std::memset(row + kLimbs + jl, 0, bytes);
      }
    }
    special_ = 0;
    lo_pos_ = kBits;
    hi_pos_ = 0;
  }

  // Adds sum_{k<K} a[k*sa]*b[k*sb] (of |a||b| when Abs).
  template <bool Abs>
  void add_products(const double* a, std::ptrdiff_t sa, const double* b, std::ptrdiff_t sb,
                    std::size_t K) {
    std::uint64_t special = 0;
    unsigned lo = lo_pos_, hi = hi_pos_;
    std::size_t k = 0;
    for (; k + 2 <= K; k += 2) {
      special |= mac<Abs>(acc_ + 0, a[static_cast<std::ptrdiff_t>(k) * sa],
                          b[static_cast<std::ptrdiff_t>(k) * sb], lo, hi);
      special |= mac<Abs>(acc_ + 2, a[static_cast<std::ptrdiff_t>(k + 1) * sa],
                          b[static_cast<std::ptrdiff_t>(k + 1) * sb], lo, hi);
    }
    if (k < K) {
      special |= mac<Abs>(acc_ + 0, a[static_cast<std::ptrdiff_t>(k) * sa],
                          b[static_cast<std::ptrdiff_t>(k) * sb], lo, hi);
    }
    special_ |= special;
    lo_pos_ = lo;
    hi_pos_ = hi;
  }

  // Adds c (|c| when Abs): c = mc * 2^(ec' - 1075) sits at bit ec' + 1073 <= 3119.
  template <bool Abs>
  void add_double(double c) {
    const std::uint64_t u = std::bit_cast<std::uint64_t>(c);
    const std::uint64_t e = (u >> 52) & 0x7ff;
    special_ |= e + 1;
    const std::uint64_t m = (u & kFrac) | (static_cast<std::uint64_t>(e != 0) << 52);
    const unsigned pos = static_cast<unsigned>((e != 0 ? e : 1) + 1073);
    const std::uint64_t neg = Abs ? 0 : u >> 63;
    if (m == 0) return;  // a zero c would widen the window collapse has to read
    track(pos);
    add_at(acc_[neg], pos, m);
  }

  // Adds P * 2^(pos + kLsbExp) (negated when neg) to set 0; pos + 128 <= 64 * (kLimbs - 3).
  void add_scaled(bool neg, unsigned pos, unsigned __int128 P) {
    track(pos);
    add_at(acc_[neg ? 1 : 0], pos, P);
  }

  // True when some input had the exponent field of Inf/NaN (the sum is then decided elsewhere).
  bool saw_special() const { return (special_ & 0x800) != 0; }

  // Collapses the sets into a sign and a magnitude (kLimbs limbs, little-endian). Returns false
  // when the exact sum is zero. Only limbs from the lowest touched one up to 4 above the highest
  // (3 limbs per add, its carry count, one more for the carries of summing four rows) can be nonzero.
  // window() gives the limb range that may be nonzero, for round_magnitude.
  bool collapse(std::uint64_t* mag, bool& negative) const {
    std::memset(mag, 0, sizeof(std::uint64_t) * kLimbs);
    if (lo_pos_ > hi_pos_) return false;
    const auto [jl, jh] = window();
    // d = (pos0 + pos1) - (neg0 + neg1) over limbs [jl, jh]; a final borrow means d < 0.
    std::uint64_t cp = 0, cn = 0;
    unsigned char br = 0;
    std::uint64_t any = 0;
    for (int j = jl; j <= jh; ++j) {
      const unsigned __int128 p = static_cast<unsigned __int128>(acc_[0][j]) + acc_[2][j] +
                                  acc_[0][kLimbs + j] + acc_[2][kLimbs + j] + cp;
      const unsigned __int128 n = static_cast<unsigned __int128>(acc_[1][j]) + acc_[3][j] +
                                  acc_[1][kLimbs + j] + acc_[3][kLimbs + j] + cn;
      cp = static_cast<std::uint64_t>(p >> 64);
      cn = static_cast<std::uint64_t>(n >> 64);
      const std::uint64_t pl = static_cast<std::uint64_t>(p), nl = static_cast<std::uint64_t>(n);
      const std::uint64_t diff = pl - nl - br;
      br = static_cast<unsigned char>(pl < nl || (pl == nl && br));
      mag[j] = diff;
      any |= diff;
    }
    if (any == 0) return false;
    negative = br != 0;
    if (negative) {  // |d| = 2^(64 (jh - jl + 1)) - window: invert and add one
      unsigned char c = 1;
      for (int j = jl; j <= jh; ++j) {
        const unsigned __int128 t = static_cast<unsigned __int128>(~mag[j]) + c;
        mag[j] = static_cast<std::uint64_t>(t);
        c = static_cast<unsigned char>(t >> 64);
      }
    }
    return true;
  }

  // The bits [idx, idx + 64) of a magnitude of n limbs (bits outside [0, 64n) read as 0).
  static std::uint64_t bits_at(const std::uint64_t* m, int n, int idx) {
    auto limb = [&](int j) -> std::uint64_t { return j >= 0 && j < n ? m[j] : 0; };
    const int j = idx >= 0 ? idx / 64 : -((-idx + 63) / 64);
    const int s = idx - 64 * j;  // 0..63
    const std::uint64_t lo = limb(j) >> s;
    const std::uint64_t hi = s == 0 ? 0 : limb(j + 1) << (64 - s);
    return lo | hi;
  }

  // Limbs [first, second] of collapse's output may be nonzero; the others are zero.
  std::pair<int, int> window() const {
    if (lo_pos_ > hi_pos_) return {0, 0};
    return {static_cast<int>(lo_pos_ >> 6), static_cast<int>(hi_pos_ >> 6) + 4};
  }

  // RNE of a nonzero magnitude m (n limbs, bit 0 weighing 2^lsb_exp) to a positive double. Limbs
  // outside [lo_limb, hi_limb] must be zero (they are then not scanned).
  static double round_magnitude(const std::uint64_t* m, int n, int lsb_exp, int lo_limb = 0,
                                int hi_limb = -1) {
    int t = hi_limb >= 0 ? hi_limb : n - 1;
    while (m[t] == 0) --t;
    const int top = 64 * t + 63 - std::countl_zero(m[t]);
    const int E = top + lsb_exp;
    const int q = E - 52 > -1074 ? E - 52 : -1074;
    const int qb = q - lsb_exp;  // bit index of the quantum
    if (qb > top) {
      // Below half the smallest subnormal unless top == qb - 1 (round bit set).
      if (top < qb - 1) return 0.0;
      const bool sticky = any_below(m, top, lo_limb);
      return sticky ? std::ldexp(1.0, q) : 0.0;  // exact half of 2^-1074 ties to 0 (even)
    }
    std::uint64_t kept = bits_at(m, n, qb) & ((std::uint64_t{1} << (top - qb + 1)) - 1);
    std::uint64_t up = 0;
    if (qb >= 1) {
      const bool round = ((bits_at(m, n, qb - 1)) & 1) != 0;
      const bool sticky = qb >= 2 && any_below(m, qb - 1, lo_limb);
      up = round && (sticky || (kept & 1));
    }
    return std::ldexp(static_cast<double>(kept + up), q);
  }

 private:
  static constexpr std::uint64_t kFrac = 0x000fffffffffffffULL;

  // True when some bit below index b is set (limbs below `from` are zero).
  static bool any_below(const std::uint64_t* m, int b, int from) {
    const int j = b / 64, s = b % 64;
    for (int i = from; i < j; ++i)
      if (m[i] != 0) return true;
    return s != 0 && (m[j] & ((std::uint64_t{1} << s) - 1)) != 0;
  }

  // Adds P * 2^pos to one unsigned accumulator: three limbs, and the carry out of the third is
  // counted in the row's carry area (branch-free: a data-dependent ripple loop here cost more than
  // the whole addition even though it almost never runs).
  static inline void add_at(std::uint64_t* row, unsigned pos, unsigned __int128 P) {
    const unsigned i = pos >> 6, s = pos & 63;
    const std::uint64_t lo = static_cast<std::uint64_t>(P), hi = static_cast<std::uint64_t>(P >> 64);
    const std::uint64_t w0 = lo << s;
    const std::uint64_t w1 = (hi << s) | ((lo >> 1) >> (63 - s));
    const std::uint64_t w2 = (hi >> 1) >> (63 - s);
    std::uint64_t* acc = row + i;
#if defined(__x86_64__)
    // GCC turns unsigned __int128 or _addcarry_u64 chains into stack temporaries merged by a
    // 16-byte load (a store-forwarding stall costing ~4 ns per product); add/adc on memory
    // operands avoids both.
    asm("addq %4, %0\n\t"
        "adcq %5, %1\n\t"
        "adcq %6, %2\n\t"
        "adcq $0, %3"
        : "+m"(acc[0]), "+m"(acc[1]), "+m"(acc[2]), "+m"(acc[kLimbs + 3])
        : "r"(w0), "r"(w1), "r"(w2)
        : "cc");
#else
    unsigned __int128 t = static_cast<unsigned __int128>(acc[0]) + w0;
    acc[0] = static_cast<std::uint64_t>(t);
    t = static_cast<unsigned __int128>(acc[1]) + w1 + static_cast<std::uint64_t>(t >> 64);
    acc[1] = static_cast<std::uint64_t>(t);
    t = static_cast<unsigned __int128>(acc[2]) + w2 + static_cast<std::uint64_t>(t >> 64);
    acc[2] = static_cast<std::uint64_t>(t);
    acc[kLimbs + 3] += static_cast<std::uint64_t>(t >> 64);
#endif
  }

  // One multiply-add into a set (acc points at its positive accumulator; the negative one follows).
  // Returns bits whose bit 11 flags an Inf/NaN input.
  template <bool Abs>
  static inline std::uint64_t mac(std::uint64_t (*acc)[kRow], double x, double y, unsigned& lo,
                                  unsigned& hi) {
    const std::uint64_t ua = std::bit_cast<std::uint64_t>(x), ub = std::bit_cast<std::uint64_t>(y);
    const std::uint64_t ea = (ua >> 52) & 0x7ff, eb = (ub >> 52) & 0x7ff;
    const std::uint64_t ma = (ua & kFrac) | (static_cast<std::uint64_t>(ea != 0) << 52);
    const std::uint64_t mb = (ub & kFrac) | (static_cast<std::uint64_t>(eb != 0) << 52);
    const unsigned pos = static_cast<unsigned>((ea != 0 ? ea : 1) + (eb != 0 ? eb : 1) - 2);
    const std::uint64_t neg = Abs ? 0 : (ua ^ ub) >> 63;
    // Zero products do not count for the window (a zero input has pos near 0).
    const unsigned tpos = (ma != 0 && mb != 0) ? pos : lo;
    lo = tpos < lo ? tpos : lo;
    hi = pos > hi ? pos : hi;
    add_at(acc[neg], pos, static_cast<unsigned __int128>(ma) * mb);
    return (ea + 1) | (eb + 1);
  }

  // acc_[0], acc_[1]: set 0 (positive, negative); acc_[2], acc_[3]: set 1. Each row holds kLimbs
  // limbs, then kLimbs deferred carry counts (row[kLimbs + j] = carries into limb j).
  alignas(64) std::uint64_t acc_[4][kRow];
  std::uint64_t special_ = 0;
  unsigned lo_pos_ = kBits, hi_pos_ = 0;  // range of bit positions passed to add_at

  void track(unsigned pos) {
    lo_pos_ = pos < lo_pos_ ? pos : lo_pos_;
    hi_pos_ = pos > hi_pos_ ? pos : hi_pos_;
  }
};

}  // namespace floatscope::detail
