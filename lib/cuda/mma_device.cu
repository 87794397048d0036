// mma.sync kernels: one warp per 16x8 tile of D, one instruction per k along K, C carried in fp32
// registers. Fragment layouts: PTX ISA, "Matrix fragments for mma.m16n8k16 / m16n8k8 / m16n8k32"
// (groupID = lane / 4, threadID_in_group = lane % 4).
#include <cuda_runtime.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "device_buffer.hpp"
#include "padded_tiles.hpp"
#include "floatscope/codec.hpp"
#include "mma.hpp"

namespace floatscope::cuda {
namespace {

// Bytes per element and k of each kind.
__host__ __device__ constexpr int elem_bytes(MmaKind k) {
  return k == MmaKind::f16 || k == MmaKind::bf16 ? 2 : k == MmaKind::tf32 ? 4 : 1;
}
__host__ __device__ constexpr int kdim(MmaKind k) {
  return k == MmaKind::f16 || k == MmaKind::bf16 ? 16 : k == MmaKind::tf32 ? 8 : 32;
}

// Reads element e of A-register r / B-register r for this lane (row-major A with row length ld,
// B stored column by column, column length ld).
template <MmaKind Kd>
__device__ std::uint32_t a_reg(const std::uint8_t* A, int ld, int r, int g, int t) {
  constexpr int s = elem_bytes(Kd);
  std::uint32_t v = 0;
  if constexpr (s == 2) {
    for (int e = 0; e < 2; ++e) {
      const int row = g + 8 * (r & 1), col = t * 2 + e + 8 * (r >> 1);
      std::uint16_t x;
      memcpy(&x, A + (static_cast<long long>(row) * ld + col) * 2, 2);
      v |= static_cast<std::uint32_t>(x) << (16 * e);
    }
  } else if constexpr (s == 4) {
    const int row = g + 8 * (r & 1), col = t + 4 * (r >> 1);
    memcpy(&v, A + (static_cast<long long>(row) * ld + col) * 4, 4);
  } else {
    for (int e = 0; e < 4; ++e) {
      const int row = g + 8 * (r & 1), col = t * 4 + e + 16 * (r >> 1);
      v |= static_cast<std::uint32_t>(A[static_cast<long long>(row) * ld + col]) << (8 * e);
    }
  }
  return v;
}

template <MmaKind Kd>
__device__ std::uint32_t b_reg(const std::uint8_t* Bt, int ld, int r, int g, int t) {
  constexpr int s = elem_bytes(Kd);
  std::uint32_t v = 0;
  if constexpr (s == 2) {
    for (int e = 0; e < 2; ++e) {
      const int krow = t * 2 + e + 8 * r;
      std::uint16_t x;
      memcpy(&x, Bt + (static_cast<long long>(g) * ld + krow) * 2, 2);
      v |= static_cast<std::uint32_t>(x) << (16 * e);
    }
  } else if constexpr (s == 4) {
    const int krow = t + 4 * r;
    memcpy(&v, Bt + (static_cast<long long>(g) * ld + krow) * 4, 4);
  } else {
    for (int e = 0; e < 4; ++e) {
      const int krow = t * 4 + e + 16 * r;
      v |= static_cast<std::uint32_t>(Bt[static_cast<long long>(g) * ld + krow]) << (8 * e);
    }
  }
  return v;
}

template <MmaKind Kd>
__device__ void mma(float (&d)[4], const std::uint32_t (&a)[4], const std::uint32_t (&b)[2]) {
  (void)d;  // used by the asm only, which the host pass does not see
  (void)a;
  (void)b;
#define FS_MMA_OPERANDS                                                                           \
  : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])                                                \
  : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1])
#define FS_MMA(shape_types) \
  asm volatile("mma.sync.aligned." shape_types " {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};" FS_MMA_OPERANDS)
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  if constexpr (Kd == MmaKind::f16) FS_MMA("m16n8k16.row.col.f32.f16.f16.f32");
  else if constexpr (Kd == MmaKind::bf16) FS_MMA("m16n8k16.row.col.f32.bf16.bf16.f32");
  else if constexpr (Kd == MmaKind::tf32) FS_MMA("m16n8k8.row.col.f32.tf32.tf32.f32");
#if __CUDA_ARCH__ >= 890
  else if constexpr (Kd == MmaKind::e4m3_e4m3) FS_MMA("m16n8k32.row.col.f32.e4m3.e4m3.f32");
  else if constexpr (Kd == MmaKind::e4m3_e5m2) FS_MMA("m16n8k32.row.col.f32.e4m3.e5m2.f32");
  else if constexpr (Kd == MmaKind::e5m2_e4m3) FS_MMA("m16n8k32.row.col.f32.e5m2.e4m3.f32");
  else if constexpr (Kd == MmaKind::e5m2_e5m2) FS_MMA("m16n8k32.row.col.f32.e5m2.e5m2.f32");
#else
  else __trap();  // the host checks the compute capability before launching
#endif
#endif
#undef FS_MMA
#undef FS_MMA_OPERANDS
}

// One warp per 16x8 tile; blockIdx.y = batch. A: Mp x Kp (elements), Bt: Np x Kp, C, D: Mp x Np.
template <MmaKind Kd>
__global__ void mma_chain(const std::uint8_t* A, const std::uint8_t* Bt, const float* C, float* D, int Mp, int Np,
                          int Kp) {
  constexpr int s = elem_bytes(Kd), k = kdim(Kd);
  const int warp = static_cast<int>((blockIdx.x * blockDim.x + threadIdx.x) / 32);
  const int lane = static_cast<int>(threadIdx.x % 32);
  const int tiles_n = Np / 8;
  if (warp >= (Mp / 16) * tiles_n) return;
  const int tm = warp / tiles_n, tn = warp % tiles_n;
  const long long b = blockIdx.y;
  const std::uint8_t* Ab = A + (b * Mp * Kp + static_cast<long long>(tm) * 16 * Kp) * s;
  const std::uint8_t* Bb = Bt + (b * Np * Kp + static_cast<long long>(tn) * 8 * Kp) * s;
  const int g = lane / 4, t = lane % 4;
  float d[4];
  for (int r = 0; r < 4; ++r) {
    const int row = tm * 16 + g + 8 * (r >> 1), col = tn * 8 + t * 2 + (r & 1);
    d[r] = C[b * Mp * Np + static_cast<long long>(row) * Np + col];
  }
  for (int kk = 0; kk < Kp; kk += k) {
    std::uint32_t a[4], bb[2];
    for (int r = 0; r < 4; ++r) a[r] = a_reg<Kd>(Ab + static_cast<long long>(kk) * s, Kp, r, g, t);
    for (int r = 0; r < 2; ++r) bb[r] = b_reg<Kd>(Bb + static_cast<long long>(kk) * s, Kp, r, g, t);
    mma<Kd>(d, a, bb);
  }
  for (int r = 0; r < 4; ++r) {
    const int row = tm * 16 + g + 8 * (r >> 1), col = tn * 8 + t * 2 + (r & 1);
    D[b * Mp * Np + static_cast<long long>(row) * Np + col] = d[r];
  }
}

int round_up(int x, int m) { return (x + m - 1) / m * m; }

}  // namespace

const std::vector<MmaInfo>& mma_instructions() {
  static const std::vector<MmaInfo> v = {
      {MmaKind::f16, "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32", 16, 80, "fp16", "fp16"},
      {MmaKind::bf16, "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32", 16, 80, "bf16", "bf16"},
      {MmaKind::tf32, "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32", 8, 80, "tf32", "tf32"},
      {MmaKind::e4m3_e4m3, "mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e4m3.f32", 32, 89, "e4m3", "e4m3"},
      {MmaKind::e4m3_e5m2, "mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e5m2.f32", 32, 89, "e4m3", "e5m2"},
      {MmaKind::e5m2_e4m3, "mma.sync.aligned.m16n8k32.row.col.f32.e5m2.e4m3.f32", 32, 89, "e5m2", "e4m3"},
      {MmaKind::e5m2_e5m2, "mma.sync.aligned.m16n8k32.row.col.f32.e5m2.e5m2.f32", 32, 89, "e5m2", "e5m2"},
  };
  return v;
}

const MmaInfo* find_mma(const Format& a, const Format& b) {
  for (const MmaInfo& m : mma_instructions())
    if (m.a == a.name && m.b == b.name) return &m;
  return nullptr;
}

std::vector<double> mma_gemm(const MmaInfo& mma, int batch, int M, int N, int K, const double* A,
                             const double* B, const double* C0) {
  const int s = elem_bytes(mma.kind);
  const int Mp = round_up(M, 16), Np = round_up(N, 8), Kp = round_up(K, mma.k);
  const Format fp32 = parse_format("fp32");
  // tf32 elements are read from fp32 registers: their codes are fp32 words.
  const Format fa = s == 4 ? fp32 : parse_format(mma.a), fb = s == 4 ? fp32 : parse_format(mma.b);
  const PaddedTiles tiles(static_cast<std::size_t>(batch), M, N, K, Mp, Np, Kp, s, A, B, C0, fa, fb);
  const DeviceBuffer<std::uint8_t> da(tiles.a), dbt(tiles.bt);
  const DeviceBuffer<float> dc(tiles.c), dd(tiles.c.size());
  const int warps = (Mp / 16) * (Np / 8);
  const dim3 grid(static_cast<unsigned>((warps + 3) / 4), static_cast<unsigned>(batch));
  switch (mma.kind) {
#define FS_LAUNCH(K) \
  case MmaKind::K: mma_chain<MmaKind::K><<<grid, 128>>>(da.get(), dbt.get(), dc.get(), dd.get(), Mp, Np, Kp); break;
    FS_LAUNCH(f16) FS_LAUNCH(bf16) FS_LAUNCH(tf32) FS_LAUNCH(e4m3_e4m3) FS_LAUNCH(e4m3_e5m2) FS_LAUNCH(e5m2_e4m3)
    FS_LAUNCH(e5m2_e5m2)
#undef FS_LAUNCH
  }
  check(cudaGetLastError(), "mma_chain launch");
  check(cudaDeviceSynchronize(), "mma_chain");
  return tiles.unpack(dd.to_host());
}

}  // namespace floatscope::cuda
