// `floatscope bench reference`: ns per multiply-add of the exact (Kulisch) dot product against the
// MPFR oracle on the same data in the same run, and whether their results agree bit for bit (they
// must: reference.hpp promises identical bits; a mismatch is reported and exits 1).
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "floatscope/generators.hpp"
#include "floatscope/random.hpp"
#include "floatscope/reference.hpp"

namespace floatscope::cli::bench {
namespace {

struct ReferenceOptions {
  std::size_t K = 4096;
  std::size_t n = 64;
  int reps = 3;
  bool csv = false;
};

// A timing repeats the n dot products until at least this long has passed, so the fast path is
// not timed over a few microseconds.
constexpr double kMinSeconds = 0.02;

// fp32: N(0,1) rounded to float (the binned front end without TwoProd); double: N(0,1) scaled by
// 2^e, e uniform in [-40, 40] (binned with TwoProd), as in bench/bench_reference.cpp.
std::vector<double> make_data(bool fp32, std::size_t count, std::uint64_t tensor) {
  std::vector<double> v(count);
  generate(parse_distribution("normal"), 7, tensor, 1, count, v.data(), false);
  const CounterRng rng(7, 100 + tensor);
  for (std::size_t i = 0; i < count; ++i) {
    if (fp32) {
      v[i] = static_cast<double>(static_cast<float>(v[i]));
    } else {
      v[i] = std::ldexp(v[i], static_cast<int>(rng.bits(i) % 81) - 40);
    }
  }
  return v;
}

using DotFn = double (*)(const double*, std::ptrdiff_t, const double*, std::ptrdiff_t, std::size_t,
                         double);

// Best over reps of seconds per multiply-add; the last results land in `results`.
double time_per_mac(DotFn f, const ReferenceOptions& o, const std::vector<double>& a,
                    const std::vector<double>& b, std::vector<double>& results) {
  results.assign(o.n, 0.0);
  for (std::size_t j = 0; j < o.n; ++j) results[j] = f(a.data() + j * o.K, 1, b.data() + j * o.K, 1, o.K, 0.0);
  double best = 1e300;
  for (int rep = 0; rep < o.reps; ++rep) {
    std::size_t calls = 0;
    const auto t0 = Clock::now();
    double elapsed = 0;
    do {
      for (std::size_t j = 0; j < o.n; ++j) results[j] = f(a.data() + j * o.K, 1, b.data() + j * o.K, 1, o.K, 0.0);
      calls += o.n;
      elapsed = seconds_since(t0);
    } while (elapsed < kMinSeconds);
    best = std::min(best, elapsed / (static_cast<double>(calls) * static_cast<double>(o.K)));
  }
  return best;
}

int run(const ReferenceOptions& o) {
  if (o.K == 0) throw UsageError("--K must be positive");
  if (o.n == 0) throw UsageError("--n must be positive");
  if (o.reps < 1) throw UsageError("--reps must be at least 1");
  const Printer out("reference",
                    {{"data", "data", -8},
                     {"K", "K", 6},
                     {"n", "n", 5},
                     {"exact_ns_per_mac", "exact ns/MAC", 13, 3},
                     {"mpfr_ns_per_mac", "mpfr ns/MAC", 12, 2},
                     {"mpfr_over_exact", "mpfr/exact", 11, 1},
                     {"mismatches", "mismatches", 11}},
                    o.csv);
  if (!o.csv)
    fmt::print("dot_exact vs dot_mpfr, one thread, {} dot products of length {}, best of {}\n", o.n, o.K,
               o.reps);
  out.header();
  long long total_mismatches = 0;
  for (const bool fp32 : {true, false}) {
    const auto a = make_data(fp32, o.n * o.K, 0), b = make_data(fp32, o.n * o.K, 1);
    std::vector<double> re, rm;
    const double t_exact = time_per_mac(&dot_exact, o, a, b, re);
    const double t_mpfr = time_per_mac(&dot_mpfr, o, a, b, rm);
    long long mismatches = 0;
    for (std::size_t j = 0; j < o.n; ++j) mismatches += std::memcmp(&re[j], &rm[j], sizeof(double)) != 0;
    total_mismatches += mismatches;
    out.row({std::string(fp32 ? "fp32" : "double"), static_cast<long long>(o.K),
             static_cast<long long>(o.n), t_exact * 1e9, t_mpfr * 1e9, t_mpfr / t_exact, mismatches});
  }
  if (total_mismatches > 0) {
    fmt::print(stderr, "floatscope: dot_exact and dot_mpfr differ on {} dot products\n", total_mismatches);
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

Group reference_group() {
  auto o = std::make_shared<ReferenceOptions>();
  return {"reference", "ns per multiply-add of the exact dot product against the MPFR oracle",
          [o](CLI::App& app) -> std::function<int()> {
            app.add_option("--K", o->K, "Length of each dot product")->capture_default_str();
            app.add_option("--n", o->n, "Distinct dot products (pairs of K-vectors) cycled through")
                ->capture_default_str();
            app.add_option("--reps", o->reps, "Repetitions of at least 20 ms each; the best is reported")
                ->capture_default_str();
            app.add_flag("--csv", o->csv, "CSV output instead of a table");
            return [o] { return run(*o); };
          }};
}

}  // namespace floatscope::cli::bench
