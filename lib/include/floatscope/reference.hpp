// Exact references: dot products and GEMMs computed exactly and rounded once to double (RNE).
//
// Two paths give the same bits for every input (tests/unit/test_reference.cpp checks >= 10^5 cases):
//   mpfr  - the oracle: each product exact at precision 106 (53 + 53 bits), mpfr_sum (correctly
//           rounded for any inputs since MPFR 4.0); tiny results re-summed exactly and rounded into
//           the subnormal range by mpfr_get_d.
//   exact - no MPFR: a fixed-point (Kulisch) accumulator of 68 64-bit limbs whose bit 0 weighs
//           2^-2148, so every product of two finite doubles (2^-2148 .. 2^2048) and any sum of them
//           is held exactly (detail/kulisch.hpp); the sum is rounded by inspecting its bits (top bit,
//           round bit, sticky bit). Every finite input is representable: there is no MPFR fallback.
//           Front ends (detail/kulisch_binned.hpp): when every nonzero input lies in
//           [2^-459, 2^511), products are split exactly into doubles (p = a*b, plus e = fma(a,b,-p)
//           unless every input has <= 26 significant bits, as fp32/bf16/fp16/fp8 values do) and
//           their significands are added into per-exponent bins, flushed into the accumulator every
//           2048 terms; otherwise each 106-bit product is added into three limbs directly.
//           Measured (K = 4096, one core, bench/bench_reference.cpp): ~0.7 ns per multiply-add for
//           fp32 values, ~1.3 ns for doubles, ~3.6 ns for doubles spanning 2^-900..2^900; MPFR
//           ~50 ns.
// Special values follow the IEEE semantics of one exact sum: NaN if any input is NaN, a product is
// 0*Inf or both +Inf and -Inf terms occur; otherwise an Inf term gives that Inf. Finite products
// never overflow (they are exact); only the rounded sum can (a sum >= DBL_MAX + half an ulp gives
// Inf). An exact zero sum is +0 unless every term (each product and c) is -0. Results below the
// smallest subnormal round to +-0 or +-2^-1074 (a nonzero sum keeps its sign when it rounds to 0).
#pragma once

#include <mpfr.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace floatscope {

enum class ReferenceKind { exact, mpfr, none };

std::string_view reference_name(ReferenceKind k);           // "exact", "mpfr", "none"
std::optional<ReferenceKind> find_reference(std::string_view name);
ReferenceKind parse_reference(std::string_view name);      // throws std::invalid_argument listing names
std::string reference_names();                              // "exact, mpfr, none"

// sum_{i<K} a[i*sa]*b[i*sb] + c, exact, rounded once to double (RNE, subnormals, overflow to Inf).
double dot_mpfr(const double* a, std::ptrdiff_t sa, const double* b, std::ptrdiff_t sb,
                std::size_t K, double c = 0.0);
double dot_exact(const double* a, std::ptrdiff_t sa, const double* b, std::ptrdiff_t sb,
                 std::size_t K, double c = 0.0);

// sum |a_i||b_i| + |c| rounded once (the scale of the componentwise error metric).
double absdot_mpfr(const double* a, std::ptrdiff_t sa, const double* b, std::ptrdiff_t sb,
                   std::size_t K, double c = 0.0);
double absdot_exact(const double* a, std::ptrdiff_t sa, const double* b, std::ptrdiff_t sb,
                    std::size_t K, double c = 0.0);

// C = A*B + C0 correctly rounded per element. A row-major MxK, B row-major KxN, C0 (nullable) and C
// row-major MxN; C may alias C0. OpenMP over outputs; threads 0 = default. Results do not depend on
// the thread count. Throws std::invalid_argument for kind none or negative sizes.
void reference_gemm(ReferenceKind kind, int M, int N, int K, const double* A, const double* B,
                    const double* C0, double* C, int threads = 0);
// absC = |A||B| + |C0| correctly rounded per element (same machinery).
void reference_absgemm(ReferenceKind kind, int M, int N, int K, const double* A, const double* B,
                       const double* C0, double* absC, int threads = 0);

// The exact value of a dot product, kept exactly in an mpfr_t (precision = the bits it needs),
// for ulp and error computations that must not round twice. Also NaN or +-Inf for special inputs.
class ExactValue {
 public:
  ExactValue();
  ~ExactValue();
  ExactValue(const ExactValue& o);
  ExactValue(ExactValue&& o) noexcept;
  ExactValue& operator=(ExactValue o) noexcept;

  mpfr_srcptr get() const { return v_; }
  mpfr_ptr get() { return v_; }
  double to_double() const;               // RNE to double: equals dot_exact / dot_mpfr
  int sign() const;                        // -1, 0, +1 (0 also for NaN)
  // approx - exact, computed exactly and rounded once to double.
  double error_of(double approx) const;
  // (approx - exact) / ulp(exact) rounded once to double, where ulp belongs to a binary format with
  // `precision` significand bits and smallest normal exponent `emin` (double: 53, -1022; fp16:
  // 11, -14; ...): ulp(x) = 2^(max(floor(log2|x|), emin) - precision + 1); ulp(0) is the smallest
  // subnormal. NaN when the exact value or approx is not finite.
  double ulp_error(double approx, int precision = 53, int emin = -1022) const;

 private:
  mpfr_t v_;
};

// The exact value, computed with the Kulisch accumulator and converted to MPFR exactly.
ExactValue dot_exact_value(const double* a, std::ptrdiff_t sa, const double* b, std::ptrdiff_t sb,
                           std::size_t K, double c = 0.0);

}  // namespace floatscope
