// wgmma.mma_async kernels for sm_90a (compiled for that architecture only). PTX ISA, "Asynchronous
// Warpgroup Level Matrix Multiply-Accumulate": with A in registers each warp w of the warpgroup
// holds rows 16w..16w+15 of A in mma.m16n8k16 / m16n8k32's A fragment layout, and D in the
// m16n8 C layout; B is read from shared memory through a matrix descriptor, here in the
// no-swizzle K-major layout: core matrices of 8 rows (n) x 16 bytes (k), 128 bytes each, the
// core matrices along K 128 bytes apart (leading byte offset), groups of 8 rows 256 bytes apart
// (stride byte offset; one group for n8).
#include <cuda_runtime.h>

#include <cstdint>
#include <cstring>

#include "device_buffer.hpp"
#include "padded_tiles.hpp"
#include "floatscope/codec.hpp"
#include "floatscope/format.hpp"
#include "wgmma.hpp"

namespace floatscope::cuda {
namespace {

constexpr int kWarpgroup = 128;

__host__ __device__ constexpr int elem_bytes(int kind) { return kind == 0 ? 2 : 1; }
__host__ __device__ constexpr int kdim(int kind) { return kind == 0 ? 16 : 32; }

// Shared-memory matrix descriptor: start address, leading and stride byte offsets (>> 4 each),
// no swizzle.
__device__ std::uint64_t descriptor(const void* smem, std::uint32_t lbo, std::uint32_t sbo) {
  const std::uint32_t addr = static_cast<std::uint32_t>(__cvta_generic_to_shared(smem));
  return (static_cast<std::uint64_t>((addr >> 4) & 0x3FFF)) | (static_cast<std::uint64_t>((lbo >> 4) & 0x3FFF) << 16) |
         (static_cast<std::uint64_t>((sbo >> 4) & 0x3FFF) << 32);
}

template <int Kind>
__device__ void wgmma_step(float (&d)[4], const std::uint32_t (&a)[4], std::uint64_t desc) {
  (void)d;
  (void)a;
  (void)desc;
#if defined(__CUDA_ARCH__) && defined(__CUDA_ARCH_FEAT_SM90_ALL)
  asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
  if constexpr (Kind == 0)
    asm volatile(
        "{\n.reg .pred p;\nsetp.ne.b32 p, 1, 0;\n"
        "wgmma.mma_async.sync.aligned.m64n8k16.f32.f16.f16 {%0,%1,%2,%3}, {%4,%5,%6,%7}, %8, p, 1, 1, 0;\n}\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(desc));
  else
    asm volatile(
        "{\n.reg .pred p;\nsetp.ne.b32 p, 1, 0;\n"
        "wgmma.mma_async.sync.aligned.m64n8k32.f32.e4m3.e4m3 {%0,%1,%2,%3}, {%4,%5,%6,%7}, %8, p, 1, 1;\n}\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(desc));
  asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
  asm volatile("wgmma.wait_group.sync.aligned 0;\n" ::: "memory");
#else
  __trap();  // the host runs these kernels on sm_90 only
#endif
}

// One warpgroup per 64x8 tile; blockIdx.x = tile, blockIdx.y = batch. A: Mp x Kp, Bt: Np x Kp
// (elements of `s` bytes), C, D: Mp x Np.
template <int Kind>
__global__ void wgmma_chain(const std::uint8_t* A, const std::uint8_t* Bt, const float* C, float* D, int Mp, int Np,
                            int Kp) {
  constexpr int s = elem_bytes(Kind), k = kdim(Kind);
  __shared__ alignas(128) std::uint8_t smem[8 * 32];  // n8 x k bytes: 8 x 32 = 2 core matrices
  const int tiles_n = Np / 8;
  const int tm = static_cast<int>(blockIdx.x) / tiles_n, tn = static_cast<int>(blockIdx.x) % tiles_n;
  const long long b = blockIdx.y;
  const int tid = static_cast<int>(threadIdx.x), warp = tid / 32, lane = tid % 32, g = lane / 4, t = lane % 4;
  const std::uint8_t* Ab = A + (b * Mp * Kp + static_cast<long long>(tm) * 64 * Kp) * s;
  const std::uint8_t* Bb = Bt + (b * Np * Kp + static_cast<long long>(tn) * 8 * Kp) * s;
  float d[4];
  for (int r = 0; r < 4; ++r) {
    const int row = tm * 64 + warp * 16 + g + 8 * (r >> 1), col = tn * 8 + t * 2 + (r & 1);
    d[r] = C[b * Mp * Np + static_cast<long long>(row) * Np + col];
  }
  constexpr int row_bytes = 16, per_core = 16 / s;  // k elements per core-matrix row
  for (int kk = 0; kk < Kp; kk += k) {
    // B chunk (8 x k) into the core-matrix layout: element (n, kq) at (kq / per_core) * 128 + n * 16 + (kq % per_core) * s.
    for (int i = tid; i < 8 * k; i += kWarpgroup) {
      const int n = i / k, kq = i % k;
      for (int byte = 0; byte < s; ++byte)
        smem[(kq / per_core) * 128 + n * row_bytes + (kq % per_core) * s + byte] =
            Bb[(static_cast<long long>(n) * Kp + kk + kq) * s + byte];
    }
    asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
    __syncthreads();
    std::uint32_t a[4];
    for (int r = 0; r < 4; ++r) {
      std::uint32_t v = 0;
      const int row = warp * 16 + g + 8 * (r & 1);
      for (int e = 0; e < 4 / s; ++e) {
        const int col = kk + (s == 2 ? t * 2 + e + 8 * (r >> 1) : t * 4 + e + 16 * (r >> 1));
        std::uint32_t x = 0;
        memcpy(&x, Ab + (static_cast<long long>(row) * Kp + col) * s, s);
        v |= x << (8 * s * e);
      }
      a[r] = v;
    }
    wgmma_step<Kind>(d, a, descriptor(smem, 128, 256));
    __syncthreads();
  }
  for (int r = 0; r < 4; ++r) {
    const int row = tm * 64 + warp * 16 + g + 8 * (r >> 1), col = tn * 8 + t * 2 + (r & 1);
    D[b * Mp * Np + static_cast<long long>(row) * Np + col] = d[r];
  }
}

int round_up(int x, int m) { return (x + m - 1) / m * m; }

}  // namespace

const std::vector<WgmmaInfo>& wgmma_instructions() {
  static const std::vector<WgmmaInfo> v = {
      {0, "wgmma.mma_async.sync.aligned.m64n8k16.f32.f16.f16", 16, "fp16", "fp16"},
      {1, "wgmma.mma_async.sync.aligned.m64n8k32.f32.e4m3.e4m3", 32, "e4m3", "e4m3"},
  };
  return v;
}

std::vector<double> wgmma_gemm(const WgmmaInfo& w, int batch, int M, int N, int K, const double* A,
                               const double* B, const double* C0) {
  const int s = elem_bytes(w.kind);
  const int Mp = round_up(M, 64), Np = round_up(N, 8), Kp = round_up(K, w.k);
  const PaddedTiles tiles(static_cast<std::size_t>(batch), M, N, K, Mp, Np, Kp, s, A, B, C0, parse_format(w.a),
                          parse_format(w.b));
  const DeviceBuffer<std::uint8_t> da(tiles.a), dbt(tiles.bt);
  const DeviceBuffer<float> dc(tiles.c), dd(tiles.c.size());
  const dim3 grid(static_cast<unsigned>((Mp / 64) * (Np / 8)), static_cast<unsigned>(batch));
  if (w.kind == 0) wgmma_chain<0><<<grid, kWarpgroup>>>(da.get(), dbt.get(), dc.get(), dd.get(), Mp, Np, Kp);
  else wgmma_chain<1><<<grid, kWarpgroup>>>(da.get(), dbt.get(), dc.get(), dd.get(), Mp, Np, Kp);
  check(cudaGetLastError(), "wgmma_chain launch");
  check(cudaDeviceSynchronize(), "wgmma_chain");
  return tiles.unpack(dd.to_host());
}

}  // namespace floatscope::cuda
