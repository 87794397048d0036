// Strassen's recursion over the emulated arithmetic (strassen.hpp): block additions rounded onto
// the accumulator's format, classical emulated GEMMs at the leaves.
#include "floatscope/strassen.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <tuple>
#include <utility>
#include <vector>

#include "accumulator_engine.hpp"
#include "floatscope/names.hpp"
#include "floatscope/random.hpp"
#include "floatscope/rounding.hpp"

namespace floatscope {
namespace {

constexpr std::string_view kForms = "classical, strassen:L with L in 1..4";

// A dense row-major block.
struct Mat {
  int rows = 0, cols = 0;
  std::vector<double> v;
  Mat() = default;
  Mat(int r, int c) : rows(r), cols(c), v(static_cast<std::size_t>(r) * static_cast<std::size_t>(c)) {}
  double* row(int i) { return v.data() + static_cast<std::size_t>(i) * static_cast<std::size_t>(cols); }
  const double* row(int i) const {
    return v.data() + static_cast<std::size_t>(i) * static_cast<std::size_t>(cols);
  }
};

// Quadrant (qi, qj) of x, each half its size.
Mat quadrant(const Mat& x, int qi, int qj) {
  Mat q(x.rows / 2, x.cols / 2);
  for (int i = 0; i < q.rows; ++i) {
    const double* src = x.row(qi * q.rows + i) + qj * q.cols;
    std::copy(src, src + q.cols, q.row(i));
  }
  return q;
}

// Every value of `small` is a value of `big` (finite values and zero; both binary encodings).
bool contains(const Format& big, const Format& small) {
  if (big.encoding != Encoding::binary || small.encoding != Encoding::binary) return false;
  if (small.is_signed && !big.is_signed) return false;
  if (small.precision > big.precision || small.max_finite > big.max_finite) return false;
  // Every value of a format is a multiple of its finest quantum 2^(emin - man_bits); the finer
  // grid must hold the coarser one, and a big format without subnormals cannot hold small values
  // below its smallest normal.
  if (small.emin - small.man_bits < big.emin - big.man_bits) return false;
  if (!big.subnormals && small.min_subnormal < big.min_normal) return false;
  return true;
}

class Strassen {
 public:
  Strassen(const Accumulator& acc, int threads)
      : acc_(acc), add_(acc.acc_format, acc.acc_rounding), threads_(threads) {}

  // C = A B by `levels` levels below node `node` (root 0).
  Mat run(const Mat& A, const Mat& B, int levels, std::uint64_t node) {
    if (levels == 0) return leaf(A, B, node);
    const Mat A11 = quadrant(A, 0, 0), A12 = quadrant(A, 0, 1), A21 = quadrant(A, 1, 0), A22 = quadrant(A, 1, 1);
    const Mat B11 = quadrant(B, 0, 0), B12 = quadrant(B, 0, 1), B21 = quadrant(B, 1, 0), B22 = quadrant(B, 1, 1);
    // Sites 0..9: the operand sums, in the order of strassen.hpp's table.
    const Mat T1 = add(A11, A22, +1, node, 0), T2 = add(A21, A22, +1, node, 1), T3 = add(A11, A12, +1, node, 2),
              T4 = add(A21, A11, -1, node, 3), T5 = add(A12, A22, -1, node, 4);
    const Mat S1 = add(B11, B22, +1, node, 5), S2 = add(B12, B22, -1, node, 6), S3 = add(B21, B11, -1, node, 7),
              S4 = add(B11, B12, +1, node, 8), S5 = add(B21, B22, +1, node, 9);
    const std::uint64_t c = 7 * node + 1;  // first child
    const Mat P1 = run(T1, S1, levels - 1, c + 0), P2 = run(T2, B11, levels - 1, c + 1),
              P3 = run(A11, S2, levels - 1, c + 2), P4 = run(A22, S3, levels - 1, c + 3),
              P5 = run(T3, B22, levels - 1, c + 4), P6 = run(T4, S4, levels - 1, c + 5),
              P7 = run(T5, S5, levels - 1, c + 6);
    // Sites 10..17: the combinations.
    const Mat C11 = add(add(add(P1, P4, +1, node, 10), P5, -1, node, 11), P7, +1, node, 12);
    const Mat C12 = add(P3, P5, +1, node, 13);
    const Mat C21 = add(P2, P4, +1, node, 14);
    const Mat C22 = add(add(add(P1, P2, -1, node, 15), P3, +1, node, 16), P6, +1, node, 17);
    Mat C(A.rows, B.cols);
    const int h = C11.rows, w = C11.cols;
    for (int i = 0; i < h; ++i) {
      std::copy(C11.row(i), C11.row(i) + w, C.row(i));
      std::copy(C12.row(i), C12.row(i) + w, C.row(i) + w);
      std::copy(C21.row(i), C21.row(i) + w, C.row(h + i));
      std::copy(C22.row(i), C22.row(i) + w, C.row(h + i) + w);
    }
    return C;
  }

  GemmEvents events;

 private:
  // x + sign*y elementwise, each element one rounding of the exact value onto acc_format
  // (negation is exact, so x - y is the rounded exact difference).
  Mat add(const Mat& x, const Mat& y, int sign, std::uint64_t node, std::uint64_t site) {
    Mat z(x.rows, x.cols);
    detail::DotCtx ctx{CounterRng(acc_.acc_rounding.seed, stream_of(0x5354, node, site)), 0, &events};
    for (std::size_t i = 0; i < z.v.size(); ++i) {
      ctx.step = i;  // the SR index is the element's, whatever the mode uses
      z.v[i] = ctx.add(add_, x.v[i], sign > 0 ? y.v[i] : -y.v[i], true);
    }
    return z;
  }

  Mat leaf(const Mat& A, const Mat& B, std::uint64_t node) {
    Accumulator a = acc_;
    a.a_format = a.b_format = acc_.acc_format;  // leaf operands are acc_format values (sums)
    const std::uint64_t seed = mix64(acc_.acc_rounding.seed ^ mix64(node));
    a.acc_rounding.seed = a.product_rounding.seed = a.reduce_rounding.seed = seed;
    GemmResult g = emulate_gemm(a, A.rows, B.cols, A.cols, A.v.data(), B.v.data(), nullptr, threads_);
    events += g.events;
    Mat C(A.rows, B.cols);
    C.v = std::move(g.C);
    return C;
  }

  const Accumulator& acc_;
  detail::Rounder add_;
  int threads_;
};

}  // namespace

std::string GemmAlgorithm::describe() const {
  return strassen_levels == 0 ? "classical" : fmt::format("strassen:{}", strassen_levels);
}

GemmAlgorithm parse_gemm_algorithm(std::string_view text) {
  const std::string t = to_lower(text);
  if (t == "classical") return {};
  constexpr std::string_view head = "strassen:";
  if (t.rfind(head, 0) == 0) {
    const std::string_view l = std::string_view(t).substr(head.size());
    int L = 0;
    const auto [p, ec] = std::from_chars(l.data(), l.data() + l.size(), L);
    if (!l.empty() && ec == std::errc{} && p == l.data() + l.size() && L >= 1 && L <= kMaxStrassenLevels)
      return GemmAlgorithm{L};
    throw std::invalid_argument(fmt::format("algorithm: '{}' has L = '{}', not an integer in 1..{} (accepted: {})",
                                            text, l, kMaxStrassenLevels, kForms));
  }
  throw std::invalid_argument(fmt::format("algorithm: unknown '{}' (accepted: {})", text, kForms));
}

void check_strassen_sizes(const GemmAlgorithm& alg, int M, int N, int K) {
  const int d = 1 << alg.strassen_levels;
  for (const auto& [name, v] : {std::pair{"M", M}, std::pair{"N", N}, std::pair{"K", K}})
    if (v % d != 0)
      throw std::invalid_argument(fmt::format("algorithm {}: {} = {} is not a multiple of 2^{} = {}",
                                              alg.describe(), name, v, alg.strassen_levels, d));
}

void check_strassen_accumulator(const Accumulator& acc) {
  const auto refuse = [](const std::string& what) {
    return std::invalid_argument(fmt::format("algorithm: Strassen runs on a scalar custom accumulator; {}", what));
  };
  if (acc.fused) throw refuse("a fused block-FMA unit (model or block_fma) is one classical kernel");
  if (acc.compensation != Compensation::none)
    throw refuse(fmt::format("compensation {} is not available", compensation_name(acc.compensation)));
  if (acc.output_format) throw refuse("output_format is not available (the sums stay in acc_format)");
  if (acc.scale_a != 1.0 || acc.scale_b != 1.0) throw refuse("scale_a/scale_b must be 1");
  if (acc.promote > 0) throw refuse("promotion is not available");
  for (const auto& [which, f] : {std::pair{"a_format", &acc.a_format}, std::pair{"b_format", &acc.b_format}})
    if (!contains(acc.acc_format, *f))
      throw std::invalid_argument(fmt::format(
          "algorithm: Strassen adds input blocks in acc_format, so every {} value must be an acc_format "
          "value; {} {} is not contained in {} (choose an acc_format at least as wide)",
          which, which, f->name, acc.acc_format.name));
}

GemmResult strassen_gemm(const Accumulator& acc, int levels, int M, int N, int K, const double* A,
                         const double* B, int threads) {
  if (levels < 0 || levels > kMaxStrassenLevels)
    throw std::invalid_argument(fmt::format("algorithm: {} Strassen levels, not in 0..{}", levels, kMaxStrassenLevels));
  if (M < 0 || N < 0 || K < 0)
    throw std::invalid_argument(fmt::format("GEMM sizes M={} N={} K={} must be >= 0", M, N, K));
  const GemmAlgorithm alg{levels};
  check_strassen_sizes(alg, M, N, K);
  check_strassen_accumulator(acc);
  acc.validate();
  if (acc.quantize)
    throw std::invalid_argument("algorithm: Strassen takes inputs already on their formats (no quantize step)");
  Mat a(M, K), b(K, N);
  std::copy(A, A + a.v.size(), a.v.begin());
  std::copy(B, B + b.v.size(), b.v.begin());
  // The leaves check every operand against acc_format; inputs must be on their own grids first.
  for (const auto& [name, m, f] : {std::tuple{"A", &a, &acc.a_format}, std::tuple{"B", &b, &acc.b_format}})
    for (std::size_t i = 0; i < m->v.size(); ++i) {
      const double x = m->v[i];
      if (std::isfinite(x) && round(x, *f, Rounding{}) != x)
        throw std::invalid_argument(fmt::format("{}[{}] = {} is not a {} value (round or quantise the inputs first)",
                                                name, i, x, f->name));
    }
  Strassen s(acc, threads);
  Mat c = s.run(a, b, levels, 0);
  GemmResult r;
  r.C = std::move(c.v);
  r.events = s.events;
  return r;
}

}  // namespace floatscope
