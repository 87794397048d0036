// cuBLASLt matmuls for the gpu-cublaslt backend. cuBLASLt is column-major: the row-major M x K
// matrix A is the column-major K x M matrix A^T, so D (M x N, column-major) = op_T(A^T) * B with B
// stored column by column (K x N) -- the "TN" layout FP8 requires. D comes back column-major and
// is turned row-major here.
//
// libcublasLt is opened with dlopen on first use, not linked: loading it costs every floatscope
// process about 200 MB and a second at start, and most never touch a GPU.
#include <cublasLt.h>
#include <dlfcn.h>
#include <cuda_runtime.h>
#include <fmt/format.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "cublaslt.hpp"
#include "device_buffer.hpp"
#include "floatscope/codec.hpp"

namespace floatscope::cuda {
namespace {

// The cuBLASLt entry points used here, resolved from the shared library once.
struct Lt {
#define FS_LT_FN(name) decltype(&::name) name = nullptr;
  FS_LT_FN(cublasLtCreate)
  FS_LT_FN(cublasLtDestroy)
  FS_LT_FN(cublasLtGetVersion)
  FS_LT_FN(cublasLtMatmulDescCreate)
  FS_LT_FN(cublasLtMatmulDescDestroy)
  FS_LT_FN(cublasLtMatmulDescSetAttribute)
  FS_LT_FN(cublasLtMatrixLayoutCreate)
  FS_LT_FN(cublasLtMatrixLayoutDestroy)
  FS_LT_FN(cublasLtMatmulPreferenceCreate)
  FS_LT_FN(cublasLtMatmulPreferenceDestroy)
  FS_LT_FN(cublasLtMatmulPreferenceSetAttribute)
  FS_LT_FN(cublasLtMatmulAlgoGetHeuristic)
  FS_LT_FN(cublasLtMatmulAlgoConfigGetAttribute)
  FS_LT_FN(cublasLtMatmul)
#undef FS_LT_FN
};

const Lt& lt() {
  static const Lt fns = [] {
    const std::string soname = "libcublasLt.so." + std::to_string(CUBLAS_VER_MAJOR);
    void* h = dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) h = dlopen("libcublasLt.so", RTLD_NOW | RTLD_LOCAL);
    if (!h) throw std::runtime_error("backend gpu-cublaslt: cannot load " + soname + ": " + dlerror());
    Lt f;
    auto get = [h](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(h, name));
      if (!fn) throw std::runtime_error(std::string("backend gpu-cublaslt: libcublasLt has no ") + name);
    };
#define FS_LT_GET(name) get(f.name, #name);
    FS_LT_GET(cublasLtCreate)
    FS_LT_GET(cublasLtDestroy)
    FS_LT_GET(cublasLtGetVersion)
    FS_LT_GET(cublasLtMatmulDescCreate)
    FS_LT_GET(cublasLtMatmulDescDestroy)
    FS_LT_GET(cublasLtMatmulDescSetAttribute)
    FS_LT_GET(cublasLtMatrixLayoutCreate)
    FS_LT_GET(cublasLtMatrixLayoutDestroy)
    FS_LT_GET(cublasLtMatmulPreferenceCreate)
    FS_LT_GET(cublasLtMatmulPreferenceDestroy)
    FS_LT_GET(cublasLtMatmulPreferenceSetAttribute)
    FS_LT_GET(cublasLtMatmulAlgoGetHeuristic)
    FS_LT_GET(cublasLtMatmulAlgoConfigGetAttribute)
    FS_LT_GET(cublasLtMatmul)
#undef FS_LT_GET
    return f;
  }();
  return fns;
}

void lt_check(cublasStatus_t s, const char* what) {
  if (s != CUBLAS_STATUS_SUCCESS)
    throw std::runtime_error(fmt::format("cuBLASLt: {}: status {}", what, static_cast<int>(s)));
}

struct Types {
  cudaDataType_t a, b, cd;
  cublasComputeType_t compute;
  cudaDataType_t scale;
  int a_bytes, b_bytes, cd_bytes;
  bool fp8;
  const char* text;
};

cudaDataType_t fp8_type(const std::string& name) { return name == "e4m3" ? CUDA_R_8F_E4M3 : CUDA_R_8F_E5M2; }

Types types_for(const Accumulator& acc) {
  const std::string a = acc.a_format.name, b = acc.b_format.name;
  const bool fp16_compute = !acc.fused && acc.acc_format.name == "fp16";
  if (a == "fp16" && b == "fp16") {
    if (fp16_compute) return {CUDA_R_16F, CUDA_R_16F, CUDA_R_16F, CUBLAS_COMPUTE_16F, CUDA_R_16F, 2, 2, 2, false, "fp16 x fp16, fp16 compute"};
    return {CUDA_R_16F, CUDA_R_16F, CUDA_R_32F, CUBLAS_COMPUTE_32F, CUDA_R_32F, 2, 2, 4, false, "fp16 x fp16, fp32 compute"};
  }
  if (a == "bf16" && b == "bf16")
    return {CUDA_R_16BF, CUDA_R_16BF, CUDA_R_32F, CUBLAS_COMPUTE_32F, CUDA_R_32F, 2, 2, 4, false, "bf16 x bf16, fp32 compute"};
  if (a == "tf32" && b == "tf32")
    return {CUDA_R_32F, CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F_FAST_TF32, CUDA_R_32F, 4, 4, 4, false, "tf32 x tf32 (COMPUTE_32F_FAST_TF32)"};
  const bool f8a = a == "e4m3" || a == "e5m2", f8b = b == "e4m3" || b == "e5m2";
  if (f8a && f8b) {
    if (a == "e5m2" && b == "e5m2")
      throw std::invalid_argument("backend gpu-cublaslt: cuBLASLt takes E4M3xE4M3, E4M3xE5M2 and E5M2xE4M3, not E5M2xE5M2");
    return {fp8_type(a), fp8_type(b), CUDA_R_32F, CUBLAS_COMPUTE_32F, CUDA_R_32F, 1, 1, 4, true, "fp8, fp32 compute"};
  }
  throw std::invalid_argument(fmt::format(
      "backend gpu-cublaslt: no cuBLASLt matmul for {} x {} (fp16, bf16, tf32, e4m3/e5m2 pairs)", a, b));
}

// The element's bits in `bytes` bytes (tf32 and fp32 C: an fp32 value).
void put(std::uint8_t* dst, int bytes, double v, const Format& f) {
  static const Format fp32 = parse_format("fp32");
  const std::uint64_t code = encode(v, bytes == 4 ? fp32 : f);
  std::memcpy(dst, &code, static_cast<std::size_t>(bytes));
}

double get(const std::uint8_t* src, int bytes, const Format& f) {
  static const Format fp32 = parse_format("fp32");
  std::uint64_t code = 0;
  std::memcpy(&code, src, static_cast<std::size_t>(bytes));
  return decode(code, bytes == 4 ? fp32 : f);
}

template <class T>
void set_attr(cublasLtMatmulDesc_t d, cublasLtMatmulDescAttributes_t a, const T& v, const char* what) {
  lt_check(lt().cublasLtMatmulDescSetAttribute(d, a, &v, sizeof(v)), what);
}

}  // namespace

std::size_t cublaslt_version() { return lt().cublasLtGetVersion(); }

LtResult cublaslt_gemm(const Accumulator& acc, int M, int N, int K, const double* A, const double* B,
                       const double* C0) {
  const Types t = types_for(acc);
  const Format cd_format = parse_format(t.cd_bytes == 2 ? "fp16" : "fp32");
  const std::size_t m = static_cast<std::size_t>(M), n = static_cast<std::size_t>(N), k = static_cast<std::size_t>(K);
  std::vector<std::uint8_t> a(m * k * t.a_bytes), b(k * n * t.b_bytes), c(m * n * t.cd_bytes, 0);
  for (std::size_t i = 0; i < m * k; ++i) put(&a[i * t.a_bytes], t.a_bytes, A[i], acc.a_format);  // (k, i) at i*K + k
  for (std::size_t kk = 0; kk < k; ++kk)
    for (std::size_t j = 0; j < n; ++j) put(&b[(j * k + kk) * t.b_bytes], t.b_bytes, B[kk * n + j], acc.b_format);
  if (C0)
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) put(&c[(j * m + i) * t.cd_bytes], t.cd_bytes, C0[i * n + j], cd_format);

  cublasLtHandle_t handle;
  lt_check(lt().cublasLtCreate(&handle), "cublasLtCreate");
  struct Cleanup {
    cublasLtHandle_t h;
    cublasLtMatmulDesc_t op = nullptr;
    cublasLtMatrixLayout_t la = nullptr, lb = nullptr, lc = nullptr;
    cublasLtMatmulPreference_t pref = nullptr;
    ~Cleanup() {
      if (pref) lt().cublasLtMatmulPreferenceDestroy(pref);
      if (lc) lt().cublasLtMatrixLayoutDestroy(lc);
      if (lb) lt().cublasLtMatrixLayoutDestroy(lb);
      if (la) lt().cublasLtMatrixLayoutDestroy(la);
      if (op) lt().cublasLtMatmulDescDestroy(op);
      lt().cublasLtDestroy(h);
    }
  } cl{handle};
  lt_check(lt().cublasLtMatmulDescCreate(&cl.op, t.compute, t.scale), "matmul descriptor");
  set_attr(cl.op, CUBLASLT_MATMUL_DESC_TRANSA, CUBLAS_OP_T, "TRANSA");
  set_attr(cl.op, CUBLASLT_MATMUL_DESC_TRANSB, CUBLAS_OP_N, "TRANSB");
  const bool fast_accum = t.fp8 && acc.promote == 0;
  const DeviceBuffer<float> scales(std::vector<float>{static_cast<float>(acc.scale_a), static_cast<float>(acc.scale_b)});
  if (t.fp8) {
    set_attr(cl.op, CUBLASLT_MATMUL_DESC_FAST_ACCUM, static_cast<std::int8_t>(fast_accum ? 1 : 0), "FAST_ACCUM");
    const float* sa = scales.get();
    const float* sb = scales.get() + 1;
    set_attr(cl.op, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, sa, "A_SCALE_POINTER");
    set_attr(cl.op, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, sb, "B_SCALE_POINTER");
  }
  lt_check(lt().cublasLtMatrixLayoutCreate(&cl.la, t.a, k, m, static_cast<std::int64_t>(k)), "layout A");
  lt_check(lt().cublasLtMatrixLayoutCreate(&cl.lb, t.b, k, n, static_cast<std::int64_t>(k)), "layout B");
  lt_check(lt().cublasLtMatrixLayoutCreate(&cl.lc, t.cd, m, n, static_cast<std::int64_t>(m)), "layout C/D");
  const std::size_t workspace_bytes = 32u << 20;
  lt_check(lt().cublasLtMatmulPreferenceCreate(&cl.pref), "preference");
  lt_check(lt().cublasLtMatmulPreferenceSetAttribute(cl.pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace_bytes,
                                                sizeof(workspace_bytes)),
           "workspace preference");
  cublasLtMatmulHeuristicResult_t heur{};
  int found = 0;
  lt_check(lt().cublasLtMatmulAlgoGetHeuristic(handle, cl.op, cl.la, cl.lb, cl.lc, cl.lc, cl.pref, 1, &heur, &found),
           "algorithm heuristic");
  if (found == 0)
    throw std::invalid_argument(fmt::format("backend gpu-cublaslt: cuBLASLt offers no algorithm for {} at M={} N={} K={} "
                                            "(FP8 needs M, N, K multiples of 16)", t.text, M, N, K));
  int algo_id = 0, tile = 0, splitk = 0, reduction = 0;
  std::size_t written = 0;
  lt().cublasLtMatmulAlgoConfigGetAttribute(&heur.algo, CUBLASLT_ALGO_CONFIG_ID, &algo_id, sizeof(algo_id), &written);
  lt().cublasLtMatmulAlgoConfigGetAttribute(&heur.algo, CUBLASLT_ALGO_CONFIG_TILE_ID, &tile, sizeof(tile), &written);
  lt().cublasLtMatmulAlgoConfigGetAttribute(&heur.algo, CUBLASLT_ALGO_CONFIG_SPLITK_NUM, &splitk, sizeof(splitk), &written);
  lt().cublasLtMatmulAlgoConfigGetAttribute(&heur.algo, CUBLASLT_ALGO_CONFIG_REDUCTION_SCHEME, &reduction, sizeof(reduction),
                                       &written);

  const DeviceBuffer<std::uint8_t> da(a), db(b), dc(c), dd(c.size()), ws(workspace_bytes);
  // alpha multiplies A*B; C0 is scaled like it (the emulation returns scale_a*scale_b*(A*B + C0));
  // FP8's scales come through the scale pointers instead.
  const double s = acc.scale_a * acc.scale_b;
  const float alpha32 = t.fp8 ? 1.0f : static_cast<float>(s), beta32 = C0 ? static_cast<float>(s) : 0.0f;
  const std::uint16_t alpha16 = static_cast<std::uint16_t>(encode(t.fp8 ? 1.0 : s, cd_format)),
                      beta16 = static_cast<std::uint16_t>(encode(C0 ? s : 0.0, cd_format));
  const void* alpha = t.scale == CUDA_R_16F ? static_cast<const void*>(&alpha16) : &alpha32;
  const void* beta = t.scale == CUDA_R_16F ? static_cast<const void*>(&beta16) : &beta32;
  lt_check(lt().cublasLtMatmul(handle, cl.op, alpha, da.get(), cl.la, db.get(), cl.lb, beta, dc.get(), cl.lc, dd.get(),
                          cl.lc, &heur.algo, ws.get(), workspace_bytes, nullptr),
           "cublasLtMatmul");
  check(cudaDeviceSynchronize(), "cublasLtMatmul");
  const std::vector<std::uint8_t> d = dd.to_host();
  LtResult r;
  r.D.resize(m * n);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) r.D[i * n + j] = get(&d[(j * m + i) * t.cd_bytes], t.cd_bytes, cd_format);
  r.info = fmt::format("cublasLt={}; types={}; fast_accum={}; algo_id={}; tile_id={}; splitk={}; reduction_scheme={}",
                       cublaslt_version(), t.text, t.fp8 ? (fast_accum ? "on" : "off") : "n/a", algo_id, tile,
                       splitk, reduction);
  return r;
}

}  // namespace floatscope::cuda
