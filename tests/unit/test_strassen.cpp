// Strassen's recursion (strassen.hpp) against an MPFR oracle written here from the formulas:
// every block addition/subtraction and every step of the leaf dot products rounded once by MPFR
// at the format's precision (round to nearest even, the format's exponent range with
// mpfr_subnormalize), bit for bit; exact-arithmetic results, event counts derived by hand, the
// `algorithm` and `rowscaled` parsers, and the refusals that name the key.
#include <mpfr.h>

#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "floatscope/backend.hpp"
#include "floatscope/experiment.hpp"
#include "floatscope/format.hpp"
#include "floatscope/generators.hpp"
#include "floatscope/strassen.hpp"

using floatscope::Accumulator;
using floatscope::Format;
using floatscope::parse_format;

namespace {

// ---- The oracle ----------------------------------------------------------------------------

// MPFR's exponent range set to the format's for the oracle's lifetime: a result rounded to
// `precision` bits and then mpfr_subnormalize'd is the IEEE-style result on the format's grid
// (subnormals included). Overflow is not modelled: the data keep every value in range (checked).
class OracleRange {
 public:
  explicit OracleRange(const Format& f) : emin_(mpfr_get_emin()), emax_(mpfr_get_emax()) {
    // MPFR writes x = m 2^E with m in [1/2, 1): the smallest subnormal 2^(emin - man_bits) has
    // E = emin - man_bits + 1; the largest finite value lies below 2^(emax + 1).
    mpfr_set_emin(f.emin - f.man_bits + 1);
    mpfr_set_emax(f.emax + 1);
  }
  ~OracleRange() {
    mpfr_set_emin(emin_);
    mpfr_set_emax(emax_);
  }

 private:
  mpfr_exp_t emin_, emax_;
};

struct Oracle {
  const Format& f;
  double max_finite;

  double finish(mpfr_t r, int t) const {
    mpfr_subnormalize(r, t, MPFR_RNDN);
    const double y = mpfr_get_d(r, MPFR_RNDN);  // exact: precision <= 24
    REQUIRE(std::isfinite(y));
    REQUIRE(std::fabs(y) <= max_finite);  // the data were chosen to stay in range
    return y;
  }
  // RN(x + s*y) on the format's grid.
  double add(double x, double y, int s) const {
    mpfr_t a, b, r;
    mpfr_inits2(53, a, b, static_cast<mpfr_ptr>(nullptr));
    mpfr_init2(r, f.precision);
    mpfr_set_d(a, x, MPFR_RNDN);
    mpfr_set_d(b, y, MPFR_RNDN);
    const int t = s > 0 ? mpfr_add(r, a, b, MPFR_RNDN) : mpfr_sub(r, a, b, MPFR_RNDN);
    const double z = finish(r, t);
    mpfr_clears(a, b, r, static_cast<mpfr_ptr>(nullptr));
    return z;
  }
  // Sequential dot product: s_0 = RN(a_0 b_0), s_k = RN(s_(k-1) + a_k b_k), exact products.
  double dot(const std::vector<double>& a, const std::vector<double>& b) const {
    mpfr_t x, y, s;
    mpfr_inits2(53, x, y, static_cast<mpfr_ptr>(nullptr));
    mpfr_init2(s, f.precision);
    mpfr_set_zero(s, 1);
    double v = 0;
    for (std::size_t k = 0; k < a.size(); ++k) {
      mpfr_set_d(x, a[k], MPFR_RNDN);
      mpfr_set_d(y, b[k], MPFR_RNDN);
      const int t = mpfr_fma(s, x, y, s, MPFR_RNDN);  // one rounding of s + x*y
      v = finish(s, t);
    }
    mpfr_clears(x, y, s, static_cast<mpfr_ptr>(nullptr));
    return v;
  }
};

// Row-major n x m matrix as a flat vector with its width.
struct Matrix {
  int rows, cols;
  std::vector<double> v;
  double at(int i, int j) const { return v[static_cast<std::size_t>(i * cols + j)]; }
};

// Block (bi, bj) of a 2 x 2 partition.
Matrix block(const Matrix& x, int bi, int bj) {
  Matrix b{x.rows / 2, x.cols / 2, {}};
  for (int i = 0; i < b.rows; ++i)
    for (int j = 0; j < b.cols; ++j) b.v.push_back(x.at(bi * b.rows + i, bj * b.cols + j));
  return b;
}

Matrix combine(const Oracle& o, const Matrix& x, const Matrix& y, int s) {
  Matrix z{x.rows, x.cols, std::vector<double>(x.v.size())};
  for (std::size_t i = 0; i < x.v.size(); ++i) z.v[i] = o.add(x.v[i], y.v[i], s);
  return z;
}

Matrix classical(const Oracle& o, const Matrix& A, const Matrix& B) {
  Matrix C{A.rows, B.cols, {}};
  for (int i = 0; i < A.rows; ++i)
    for (int j = 0; j < B.cols; ++j) {
      std::vector<double> a, b;
      for (int k = 0; k < A.cols; ++k) {
        a.push_back(A.at(i, k));
        b.push_back(B.at(k, j));
      }
      C.v.push_back(o.dot(a, b));
    }
  return C;
}

// Strassen 1969, with the evaluation order of the combinations left to right.
Matrix strassen(const Oracle& o, const Matrix& A, const Matrix& B, int levels) {
  if (levels == 0) return classical(o, A, B);
  const Matrix a11 = block(A, 0, 0), a12 = block(A, 0, 1), a21 = block(A, 1, 0), a22 = block(A, 1, 1);
  const Matrix b11 = block(B, 0, 0), b12 = block(B, 0, 1), b21 = block(B, 1, 0), b22 = block(B, 1, 1);
  const int l = levels - 1;
  const Matrix m1 = strassen(o, combine(o, a11, a22, +1), combine(o, b11, b22, +1), l);
  const Matrix m2 = strassen(o, combine(o, a21, a22, +1), b11, l);
  const Matrix m3 = strassen(o, a11, combine(o, b12, b22, -1), l);
  const Matrix m4 = strassen(o, a22, combine(o, b21, b11, -1), l);
  const Matrix m5 = strassen(o, combine(o, a11, a12, +1), b22, l);
  const Matrix m6 = strassen(o, combine(o, a21, a11, -1), combine(o, b11, b12, +1), l);
  const Matrix m7 = strassen(o, combine(o, a12, a22, -1), combine(o, b21, b22, +1), l);
  const Matrix c11 = combine(o, combine(o, combine(o, m1, m4, +1), m5, -1), m7, +1);
  const Matrix c12 = combine(o, m3, m5, +1);
  const Matrix c21 = combine(o, m2, m4, +1);
  const Matrix c22 = combine(o, combine(o, combine(o, m1, m2, -1), m3, +1), m6, +1);
  Matrix C{A.rows, B.cols, std::vector<double>(static_cast<std::size_t>(A.rows * B.cols))};
  const int h = c11.rows, w = c11.cols;
  for (int i = 0; i < h; ++i)
    for (int j = 0; j < w; ++j) {
      C.v[static_cast<std::size_t>(i * C.cols + j)] = c11.at(i, j);
      C.v[static_cast<std::size_t>(i * C.cols + j + w)] = c12.at(i, j);
      C.v[static_cast<std::size_t>((i + h) * C.cols + j)] = c21.at(i, j);
      C.v[static_cast<std::size_t>((i + h) * C.cols + j + w)] = c22.at(i, j);
    }
  return C;
}

// Values with a full p-bit significand and exponents in [-3, 2): on the grid of any format of
// precision >= p whose normal range covers them (fp16, bf16, fp32 here), built without the library.
Matrix random_matrix(int rows, int cols, int p, std::uint64_t seed) {
  std::mt19937_64 g(seed);
  const long long top = (1LL << p) - 1;
  std::uniform_int_distribution<long long> sig(-top, top);
  std::uniform_int_distribution<int> ex(-3, 1);
  Matrix m{rows, cols, {}};
  for (int i = 0; i < rows * cols; ++i) m.v.push_back(std::ldexp(static_cast<double>(sig(g)), ex(g) - p + 1));
  return m;
}

Accumulator scalar(const std::string& in, const std::string& acc) {
  return floatscope::make_scalar_accumulator(parse_format(in), parse_format(acc));
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::bit_cast<std::uint64_t>(a[i]) != std::bit_cast<std::uint64_t>(b[i])) return false;
  return true;
}

class Elsewhere final : public floatscope::Backend {
 public:
  std::string_view name() const override { return "test-strassen-elsewhere"; }
  bool counts_events() const override { return false; }
  floatscope::BackendResult run(const floatscope::GemmRequest&) const override {
    throw std::runtime_error("test-strassen-elsewhere never runs");
  }
};

std::string error_of(const floatscope::ExperimentSpec& s) {
  try {
    (void)floatscope::resolve_experiment(s);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("strassen: every rounding equals MPFR's, L = 1 and 2, fp32 bf16 fp16", "[strassen]") {
  struct Case {
    const char* in;
    const char* acc;
    int M, N, K, levels;
  };
  const Case cases[] = {
      {"fp32", "fp32", 8, 8, 8, 1},   {"fp32", "fp32", 16, 16, 16, 2}, {"bf16", "bf16", 8, 8, 8, 1},
      {"bf16", "bf16", 16, 16, 16, 2}, {"fp16", "fp16", 8, 8, 8, 1},   {"fp16", "fp16", 16, 16, 16, 2},
      {"fp16", "fp16", 8, 16, 4, 2},  // rectangular, leaves of 2 x 4 x 1
      {"bf16", "fp32", 16, 16, 16, 2},  // bf16 inputs, fp32 arithmetic
  };
  for (const Case& c : cases) {
    const Format in = parse_format(c.in), acc = parse_format(c.acc);
    INFO(c.in << " inputs, " << c.acc << " arithmetic, " << c.M << "x" << c.N << "x" << c.K << ", L = " << c.levels);
    const Matrix A = random_matrix(c.M, c.K, in.precision, 11 + static_cast<std::uint64_t>(c.M * c.levels));
    const Matrix B = random_matrix(c.K, c.N, in.precision, 97 + static_cast<std::uint64_t>(c.N * c.levels));
    std::vector<double> want;
    {
      const OracleRange range(acc);
      want = strassen(Oracle{acc, acc.max_finite}, A, B, c.levels).v;
    }
    const auto got = floatscope::strassen_gemm(scalar(c.in, c.acc), c.levels, c.M, c.N, c.K, A.v.data(), B.v.data(), 1);
    CHECK(same_bits(got.C, want));
    // The recursion really rounds: the result differs from the classical product's somewhere.
    std::vector<double> plain;
    {
      const OracleRange range(acc);
      plain = classical(Oracle{acc, acc.max_finite}, A, B).v;
    }
    CHECK_FALSE(same_bits(plain, want));
    // Threads do not change the bits.
    const auto two = floatscope::strassen_gemm(scalar(c.in, c.acc), c.levels, c.M, c.N, c.K, A.v.data(), B.v.data(), 2);
    CHECK(same_bits(two.C, got.C));
  }
}

TEST_CASE("strassen: exact arithmetic gives the exact product; events counted by hand", "[strassen]") {
  // Small integers in fp32: every sum and product is exact, so any correct recursion returns A B.
  const int n = 16;
  std::vector<double> A(n * n), B(n * n), AB(n * n, 0.0);
  for (int i = 0; i < n * n; ++i) {
    A[static_cast<std::size_t>(i)] = (i * 7 % 11) - 5;
    B[static_cast<std::size_t>(i)] = (i * 5 % 13) - 6;
  }
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      for (int k = 0; k < n; ++k) AB[static_cast<std::size_t>(i * n + j)] += A[static_cast<std::size_t>(i * n + k)] * B[static_cast<std::size_t>(k * n + j)];
  for (int L = 1; L <= 4; ++L) {
    INFO("L = " << L);
    const auto r = floatscope::strassen_gemm(scalar("fp32", "fp32"), L, n, n, n, A.data(), B.data(), 1);
    CHECK(r.C == AB);
    // 7^L leaves of (n/2^L)^3 products, one partial sum each; 18 block additions of (m/2)^2
    // elements in each of the 7^l nodes of level l.
    std::uint64_t products = 0, additions = 0, nodes = 1;
    for (int l = 0; l < L; ++l) {
      const std::uint64_t half = static_cast<std::uint64_t>(n >> (l + 1));
      additions += nodes * 18 * half * half;
      nodes *= 7;
    }
    const std::uint64_t leaf = static_cast<std::uint64_t>(n >> L);
    products = nodes * leaf * leaf * leaf;
    CHECK(r.events.products == products);
    CHECK(r.events.partials == products + additions);
    CHECK(r.events.partials_overflow == 0);
  }
  // An addition that overflows counts: A11 + A22 = 2 * 60000 is beyond fp16's 65504.
  std::vector<double> a(4, 0.0), b(4, 0.0);
  a[0] = a[3] = 60000;
  b[0] = 1;
  const auto r = floatscope::strassen_gemm(scalar("fp16", "fp16"), 1, 2, 2, 2, a.data(), b.data(), 1);
  CHECK(r.events.partials_overflow >= 1);
}

TEST_CASE("strassen: algorithm names, sizes and refusals name the key", "[strassen]") {
  using floatscope::parse_gemm_algorithm;
  CHECK(parse_gemm_algorithm("classical").strassen_levels == 0);
  CHECK(parse_gemm_algorithm("Strassen:2").strassen_levels == 2);
  CHECK(parse_gemm_algorithm("strassen:4").describe() == "strassen:4");
  for (const char* bad : {"strassen", "strassen:0", "strassen:5", "strassen:x", "strassen:1x", "winograd", ""}) {
    INFO(bad);
    CHECK_THROWS_WITH(parse_gemm_algorithm(bad), Catch::Contains("algorithm"));
  }
  floatscope::ExperimentSpec s;
  s.M = s.N = s.K = 64;
  s.algorithm = "strassen:2";
  CHECK(error_of(s).empty());
  s.N = 66;
  CHECK_THAT(error_of(s), Catch::Contains("algorithm strassen:2") && Catch::Contains("N = 66"));
  s.N = 64;
  s.K = 62;
  CHECK_THAT(error_of(s), Catch::Contains("K = 62"));
  s.K = 64;
  const auto refused = [&](auto set, const char* part) {
    floatscope::ExperimentSpec t = s;
    set(t);
    const std::string e = error_of(t);
    INFO(e);
    CHECK_THAT(e, Catch::Contains("algorithm") && Catch::Contains(part));
  };
  refused([](auto& t) { t.model = "h100-fp8"; t.a_format = ""; }, "model h100-fp8");
  refused([](auto& t) { t.block_fma = "32,13"; }, "block_fma");
  refused([](auto& t) { t.compensation = "kahan"; }, "compensation");
  refused([](auto& t) { t.output_format = "bf16"; }, "output_format");
  refused([](auto& t) { t.scheme = "mxfp8-e4m3"; t.a_format = ""; }, "scheme");
  refused([](auto& t) { t.scale_a = 2; }, "scale_a");
  refused([](auto& t) { t.acc_format = "bf16"; }, "fp32 is not contained in bf16");
  // A backend other than cpu (a fake that never runs: the GPU ones need a device to get this far).
  if (!floatscope::find_backend("test-strassen-elsewhere")) floatscope::register_backend(std::make_unique<Elsewhere>());
  refused([](auto& t) { t.backend = "test-strassen-elsewhere"; }, "cpu backend only");
}

TEST_CASE("strassen: rowscaled:D scales A's rows and B's columns by 2^e, |e| <= D", "[strassen]") {
  using floatscope::parse_distribution;
  const auto d = parse_distribution("rowscaled:5");
  CHECK(d.kind == floatscope::DistKind::rowscaled);
  CHECK(d.exp_range == 5);
  CHECK(parse_distribution("rowscaled").exp_range == 8);
  CHECK(floatscope::to_string(d) == "rowscaled:5");
  CHECK(parse_distribution(floatscope::to_string(d)) == d);
  for (const char* bad : {"rowscaled:-1", "rowscaled:1.5", "rowscaled:301", "rowscaled:x", "rowscaled:1:2"}) {
    INFO(bad);
    CHECK_THROWS_WITH(parse_distribution(bad), Catch::Contains("rowscaled"));
  }
  const int rows = 64, cols = 48, D = 5;
  for (const bool is_b : {false, true}) {
    std::vector<double> scaled(rows * cols), normal(rows * cols);
    floatscope::generate(d, 3, is_b ? 1 : 0, rows, cols, scaled.data(), is_b, 1);
    floatscope::generate(parse_distribution("normal"), 3, is_b ? 1 : 0, rows, cols, normal.data(), is_b, 1);
    std::vector<int> seen(2 * D + 1, 0);
    // Each row of A (column of B) is the normal draw times one power of two 2^e, |e| <= D.
    const int lines = is_b ? cols : rows, len = is_b ? rows : cols;
    for (int l = 0; l < lines; ++l) {
      const auto at = [&](const std::vector<double>& v, int t) {
        return v[static_cast<std::size_t>(is_b ? t * cols + l : l * cols + t)];
      };
      int e0 = 0;
      const double r0 = at(scaled, 0) / at(normal, 0);
      REQUIRE(std::frexp(r0, &e0) == 0.5);
      const int e = e0 - 1;
      REQUIRE(std::abs(e) <= D);
      ++seen[static_cast<std::size_t>(e + D)];
      for (int t = 0; t < len; ++t) CHECK(at(scaled, t) == std::ldexp(at(normal, t), e));
    }
    // 48 or 64 draws over 11 values: every exponent turns up (a miss has probability < 11 (10/11)^48 ~ 0.12%).
    for (int c : seen) CHECK(c > 0);
  }
}

TEST_CASE("strassen: stochastic rounding is seeded, thread-independent and unbiased in the additions", "[strassen]") {
  const Matrix A = random_matrix(16, 16, 8, 5), B = random_matrix(16, 16, 8, 6);
  Accumulator acc = scalar("bf16", "bf16");
  acc.acc_rounding.mode = floatscope::Mode::sr;
  acc.acc_rounding.seed = 42;
  const auto one = floatscope::strassen_gemm(acc, 2, 16, 16, 16, A.v.data(), B.v.data(), 1);
  const auto two = floatscope::strassen_gemm(acc, 2, 16, 16, 16, A.v.data(), B.v.data(), 2);
  CHECK(same_bits(one.C, two.C));
  acc.acc_rounding.seed = 43;
  const auto other = floatscope::strassen_gemm(acc, 2, 16, 16, 16, A.v.data(), B.v.data(), 1);
  CHECK_FALSE(same_bits(one.C, other.C));
  // One inexact addition: A = [[1, 2^-9], [0, 0]], B = I. C12 = P3 + P5 with P3 = A11 (B12 - B22) = -1
  // and P5 = T3 B22, T3 = A11 + A12 = 1 + 2^-9, a quarter of bf16's ulp at 1: T3 rounds up to
  // 1 + 2^-7 with probability 1/4, and everything else is exact, so C12 is 2^-7 or 0. Over 4000
  // seeds the fraction of 2^-7 lies within 5 sigma of 1/4.
  const double a[] = {1, 0x1p-9, 0, 0}, b[] = {1, 0, 0, 1};
  int up = 0;
  const int n = 4000;
  for (int s = 0; s < n; ++s) {
    acc.acc_rounding.seed = static_cast<std::uint64_t>(s);
    const auto r = floatscope::strassen_gemm(acc, 1, 2, 2, 2, a, b, 1);
    REQUIRE((r.C[1] == 0 || r.C[1] == 0x1p-7));
    if (r.C[1] != 0) ++up;
  }
  CHECK(std::fabs(up / static_cast<double>(n) - 0.25) < 5 * std::sqrt(0.25 * 0.75 / n));
}
