// Host-side packing for the instruction kernels (mma.sync, wgmma): a batch of GEMMs laid out in
// zero-padded tiles of the instruction's shape, A as M x K codes, B transposed (N x K codes, the
// "col" operand), C and D as fp32; and D unpacked back to doubles. Private to lib/cuda.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "floatscope/codec.hpp"
#include "floatscope/format.hpp"

namespace floatscope::cuda {

struct PaddedTiles {
  int M, N, K;     // the GEMM's sizes
  int Mp, Np, Kp;  // padded to the instruction's tile
  int bytes;       // per element code (4 for tf32: an fp32 register whose low 13 bits are zero)
  std::size_t batch;
  std::vector<std::uint8_t> a, bt;  // batch x Mp x Kp, batch x Np x Kp
  std::vector<float> c;             // batch x Mp x Np (zeros without C0)

  // A: batch x M x K, B: batch x K x N, C0: batch x M x N or nullptr (row-major doubles on the
  // formats' grids). code_format: the format whose codes the registers hold (fp32 for tf32).
  PaddedTiles(std::size_t nb, int m, int n, int k, int mp, int np, int kp, int elem_bytes, const double* A,
              const double* B, const double* C0, const Format& a_code_format, const Format& b_code_format)
      : M(m), N(n), K(k), Mp(mp), Np(np), Kp(kp), bytes(elem_bytes), batch(nb),
        a(nb * mp * kp * elem_bytes, 0), bt(nb * np * kp * elem_bytes, 0), c(nb * mp * np, 0.0f) {
    for (std::size_t q = 0; q < nb; ++q)
      for (int i = 0; i < M; ++i)
        for (int kk = 0; kk < K; ++kk) put(&a[((q * Mp + i) * Kp + kk) * bytes], A[(q * M + i) * K + kk], a_code_format);
    for (std::size_t q = 0; q < nb; ++q)
      for (int kk = 0; kk < K; ++kk)
        for (int j = 0; j < N; ++j) put(&bt[((q * Np + j) * Kp + kk) * bytes], B[(q * K + kk) * N + j], b_code_format);
    if (C0)
      for (std::size_t q = 0; q < nb; ++q)
        for (int i = 0; i < M; ++i)
          for (int j = 0; j < N; ++j) c[(q * Mp + i) * Np + j] = static_cast<float>(C0[(q * M + i) * N + j]);
  }

  // The batch x M x N doubles of padded fp32 results d (batch x Mp x Np).
  std::vector<double> unpack(const std::vector<float>& d) const {
    std::vector<double> out(batch * M * N);
    for (std::size_t q = 0; q < batch; ++q)
      for (int i = 0; i < M; ++i)
        for (int j = 0; j < N; ++j) out[(q * M + i) * N + j] = d[(q * Mp + i) * Np + j];
    return out;
  }

 private:
  void put(std::uint8_t* dst, double v, const Format& f) const {
    const std::uint64_t code = encode(v, f);
    std::memcpy(dst, &code, static_cast<std::size_t>(bytes));  // little-endian: the low bytes
  }
};

}  // namespace floatscope::cuda
