// gpu-emulated: the accumulation models as CUDA kernels, one thread per output. Every addition,
// multiplication and fused step is the engine's (detail/accumulate_step.hpp: add_step, mul_step,
// fused_step_t over round_core), with the Rounders and constants the engine builds (DotEngine), and
// the same random bits: CounterRng(acc_rounding.seed, stream_of(row, col)).bits(step), step
// counting the stochastic roundings in the engine's order. What is here is the order of the steps
// for the supported models (check_emulable), as DotEngine::run_scalar / run_fused / finish walk
// them.
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#include "accumulator_engine.hpp"
#include "device_buffer.hpp"
#include "emulate.hpp"
#include "floatscope/detail/accumulate_step.hpp"
#include "floatscope/random.hpp"
#include "floatscope/rounding.hpp"

namespace floatscope::cuda {
namespace {

using detail::Rounder;

// A Rounder's parts that device code reads.
struct DevRounder {
  detail::RoundParams p{};
  Mode mode = Mode::rne;
  bool native = false;
  bool stochastic = false;
};

DevRounder dev(const Rounder& r) { return {r.params, r.rounding.mode, r.native_double, r.stochastic}; }

struct DevModel {
  bool fused = false;
  DevRounder acc, outer, c_add, output;
  detail::FusedConsts unit{};
  bool fused_sr = false;  // the unit's output rounding is stochastic: one draw per step
  bool c_outside = false;
  int promote = 0;
  bool scales = false;
  double scale_a = 1, scale_b = 1;
  bool has_output = false;
  double output_scale = 1;
  bool rescale_after = false;  // OutputScaleMode::after: store, then an fp32 multiply, store again
  DevRounder rescale;
  double scale32 = 1;
  std::uint64_t seed = 0;
};

// DotCtx's arithmetic with this output's random stream.
struct DevCtx {
  CounterRng rng;
  std::uint64_t step = 0;
  __device__ std::uint64_t draw(bool stochastic) { return stochastic ? rng.bits(step++) : 0; }
  __device__ double add(const DevRounder& r, double s, double t) {
    const std::uint64_t bits = draw(r.stochastic);
    return detail::with_mode(r.mode, [&](auto mc) {
      return detail::add_step<decltype(mc)::value>(r.p, r.native, s, t, bits);
    });
  }
  __device__ double mul(const DevRounder& r, double x, double y) {
    const std::uint64_t bits = draw(r.stochastic);
    return detail::with_mode(r.mode, [&](auto mc) {
      return detail::mul_step<decltype(mc)::value>(r.p, r.native, x, y, bits);
    });
  }
  __device__ double round(const DevRounder& r, double x) {
    const std::uint64_t bits = draw(r.stochastic);
    return detail::with_mode(r.mode, [&](auto mc) {
      return detail::round_scaled<decltype(mc)::value>(detail::ScaledDD{x, 0.0, 0}, r.p, bits);
    });
  }
};

// DotEngine::run_fused: chains of steps of L products (c inside, or added after with c_add), with
// promotion into `outer` every `promote` elements.
__device__ double run_fused(const DevModel& m, const double* a, const double* b, int K, double c, DevCtx& ctx) {
  const detail::FusedConsts& u = m.unit;
  const bool sr_out = m.fused_sr;
  auto steps = [&](int k0, int k1, double start) {
    double acc = start;
    for (int k = k0; k < k1; k += u.L) {
      const int n = k1 - k < u.L ? k1 - k : u.L;
      const std::uint64_t bits = ctx.draw(sr_out);
      const double s = detail::with_mode(u.out_mode, [&](auto mc) {
        return detail::fused_step_t<decltype(mc)::value>(u, a + k, b + k, n, m.c_outside ? 0.0 : acc, bits);
      });
      acc = m.c_outside ? ctx.add(m.c_add, acc, s) : s;
    }
    return acc;
  };
  if (m.promote > 0) {
    double outer = ctx.round(m.outer, c);
    for (int k0 = 0; k0 < K; k0 += m.promote) {
      const int k1 = K < k0 + m.promote ? K : k0 + m.promote;
      outer = ctx.add(m.outer, outer, steps(k0, k1, 0.0));
    }
    return outer;
  }
  return steps(0, K, c);
}

// DotEngine::run_scalar for exact products in sequential order, with promotion.
__device__ double run_scalar(const DevModel& m, const double* a, const double* b, int K, double c, DevCtx& ctx) {
  if (m.promote > 0) {
    double outer = ctx.round(m.outer, c);
    for (int k0 = 0; k0 < K; k0 += m.promote) {
      const int k1 = K < k0 + m.promote ? K : k0 + m.promote;
      double part = 0.0;
      for (int k = k0; k < k1; ++k) part = ctx.add(m.acc, part, a[k] * b[k]);
      outer = ctx.add(m.outer, outer, part);
    }
    return outer;
  }
  double s = ctx.round(m.acc, c);
  for (int k = 0; k < K; ++k) s = ctx.add(m.acc, s, a[k] * b[k]);  // products exact (validate)
  return s;
}

__global__ void emulate_kernel(DevModel m, const double* A, const double* Bt, const double* C, double* D, int M,
                               int N, int K) {
  const long long idx = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (idx >= static_cast<long long>(M) * N) return;
  const int i = static_cast<int>(idx / N), j = static_cast<int>(idx % N);
  DevCtx ctx{CounterRng(m.seed, stream_of(static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(j))), 0};
  const double c = C ? C[idx] : 0.0;
  const double* a = A + static_cast<long long>(i) * K;
  const double* b = Bt + static_cast<long long>(j) * K;
  double v = m.fused ? run_fused(m, a, b, K, c, ctx) : run_scalar(m, a, b, K, c, ctx);
  // DotEngine::finish.
  if (m.scales) v = ctx.mul(m.outer, ctx.mul(m.outer, m.scale_a, m.scale_b), v);
  if (m.has_output) {
    if (m.rescale_after) {
      const double stored = ctx.mul(m.output, v, 1.0);
      v = ctx.mul(m.output, ctx.mul(m.rescale, stored, m.scale32), 1.0);
    } else {
      v = ctx.mul(m.output, v, m.output_scale);
    }
  }
  D[idx] = v;
}

}  // namespace

void check_emulable(const Accumulator& acc) {
  acc.validate();
  auto no = [](const char* what) {
    throw std::invalid_argument(std::string("backend gpu-emulated: ") + what +
                                " is not emulated on the GPU (use --backend cpu)");
  };
  if (acc.quantize) no("quantising inside the GEMM");
  if (acc.fused && acc.fused->pair_interleave) no("the interleaved-pairs schedule (FP8 with fp16 D)");
  if (acc.fused) return;
  if (acc.product_format) no("a product format");
  if (acc.order.kind != OrderKind::sequential) no("an order other than sequential");
  if (acc.compensation != Compensation::none) no("compensated summation");
}

std::vector<double> emulate_on_device(const Accumulator& acc, int M, int N, int K, const double* A,
                                      const double* B, const double* C0) {
  check_emulable(acc);
  const detail::DotEngine engine(acc);
  DevModel m;
  m.fused = acc.fused.has_value();
  m.acc = dev(engine.acc_rounder());
  m.outer = dev(engine.outer_rounder());
  m.output = dev(engine.output_rounder());
  if (m.fused) {
    m.unit = engine.fused_consts();
    m.fused_sr = is_stochastic(acc.fused->out_mode);
    m.c_outside = acc.fused->c_outside;
    if (m.c_outside) m.c_add = dev(engine.c_add_rounder());
  }
  m.promote = acc.promote;
  m.scales = acc.scale_a != 1.0 || acc.scale_b != 1.0;
  m.scale_a = acc.scale_a;
  m.scale_b = acc.scale_b;
  m.has_output = acc.output_format.has_value();
  m.output_scale = acc.output_scale;
  m.rescale_after = m.has_output && acc.output_scale_mode == OutputScaleMode::after;
  if (m.rescale_after) {
    m.rescale = dev(engine.rescale_rounder());
    m.scale32 = engine.rescale_factor();
  }
  m.seed = acc.acc_rounding.seed;

  const std::size_t mk = static_cast<std::size_t>(M) * K, nk = static_cast<std::size_t>(N) * K;
  std::vector<double> a(A, A + mk), bt(nk);
  for (int k = 0; k < K; ++k)
    for (int j = 0; j < N; ++j) bt[static_cast<std::size_t>(j) * K + k] = B[static_cast<std::size_t>(k) * N + j];
  const std::size_t mn = static_cast<std::size_t>(M) * N;
  const DeviceBuffer<double> da(a), db(bt), dd(mn);
  std::vector<double> c_host = C0 ? std::vector<double>(C0, C0 + mn) : std::vector<double>{};
  if (acc.c_format)  // C read in D's type, converted once on the host as the CPU engine does
    for (double& c : c_host) c = floatscope::round(c, *acc.c_format, acc.c_rounding);
  const DeviceBuffer<double> dc(c_host);
  const unsigned threads = 128;
  const unsigned blocks = static_cast<unsigned>((mn + threads - 1) / threads);
  if (mn) emulate_kernel<<<blocks, threads>>>(m, da.get(), db.get(), C0 ? dc.get() : nullptr, dd.get(), M, N, K);
  check(cudaGetLastError(), "emulate_kernel launch");
  check(cudaDeviceSynchronize(), "emulate_kernel");
  return dd.to_host();
}

}  // namespace floatscope::cuda
