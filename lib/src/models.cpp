// Named hardware models (docs/references.md s.5). Sources:
//   [FHMP21] Fasi, Higham, Mikaitis, Pranesh, "Numerical behavior of NVIDIA tensor cores",
//            PeerJ CS 7:e330, 2021 (V100, T4, A100 probes).
//   [KM25]   Khattak & Mikaitis, "Accurate Models of NVIDIA Tensor Cores", arXiv 2512.07004 (models
//            and their recorded outputs: tests/data/hwdata-subset, checked by test_hwdata_subset.cpp;
//            the full sets by test_hwdata.cpp when present).
//   [MMA]    Xie et al., "MMA-Sim", arXiv 2511.10909 (special values, H100 FP8 14-bit accumulator).
//   [cuBLAS] cuBLASLt FP8: FP32 promotion every 128 of K unless CUBLASLT_MATMUL_DESC_FAST_ACCUM;
//            scales applied after accumulation (measured on an H100, docs/references.md s.5).
#include "floatscope/models.hpp"
#include "floatscope/names.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace floatscope {
namespace {

constexpr const char* kCInside = "C is the first step's accumulator (inside the alignment)";
constexpr const char* kCOuter =
    "C is the initial value of the outer FP32 accumulator (added with round-to-nearest)";

// The 14-bit accumulator of the FP8 units: fp32's exponent range with 13 fraction bits.
Format e8m13() { return make_format("e8m13", 8, 13, 127); }

ModelInfo fused_model(std::string name, std::string summary, std::string source,
                      std::vector<std::string> inputs, int L, int F, const Format& out) {
  ModelInfo m;
  m.name = std::move(name);
  m.summary = std::move(summary);
  m.source = std::move(source);
  m.input_formats = std::move(inputs);
  const Format in = parse_format(m.input_formats.front());
  Accumulator& a = m.acc;
  a.a_format = in;
  a.b_format = in;
  // TF32 units read fp32 registers and ignore the low 13 bits: truncation toward zero.
  if (in.name == "tf32") a.quantize = Rounding{Mode::rtz};
  FusedUnit u;
  u.L = L;
  u.F = F;
  u.out = out;
  u.out_mode = Mode::rtz;
  a.fused = u;
  a.acc_format = out;
  a.acc_rounding = Rounding{Mode::rtz};
  a.outer_format = parse_format("fp32");
  a.outer_rounding = Rounding{Mode::rne};
  m.c_note = kCInside;
  return m;
}

std::vector<ModelInfo> build() {
  const Format fp32 = parse_format("fp32");
  const std::vector<std::string> half{"fp16"}, bf{"bf16"}, tf{"tf32"}, f8{"e4m3", "e5m2"};
  const std::string km = "Khattak & Mikaitis, arXiv 2512.07004, recorded outputs hwdata/";
  std::vector<ModelInfo> v;
  auto add = [&](std::string name, std::string gpu_dir, std::string what,
                 const std::vector<std::string>& in, int L, int F, const Format& out,
                 std::string extra = "") {
    std::string src = km + gpu_dir + (extra.empty() ? "" : "; " + extra);
    v.push_back(fused_model(std::move(name), std::move(what), std::move(src), in, L, F, out));
  };
  add("v100-fp16", "V100_fp16", "Volta HMMA: 4 products + C per step, 23 bits below max, fp32 RZ",
      half, 4, 23, fp32, "Fasi et al., PeerJ CS 7:e330 (2021) s.4");
  for (const auto& [gpu, dir, note] :
       {std::tuple{"a100", "A100", "Fasi et al., PeerJ CS 7:e330 (2021) s.5"}, std::tuple{"a2", "A2", ""},
        std::tuple{"ada", "Ada", ""}, std::tuple{"l40s", "L40S", "not fitted by Khattak & Mikaitis: Ada parameters, 100% of rows match"}}) {
    const std::string g = gpu, d = dir, n = note;
    add(g + "-fp16", d + "_fp16", "8 products + C per step, 24 bits below max, fp32 RZ", half, 8, 24,
        fp32, g == "l40s" ? n : (g == "a100" ? n : ""));
    add(g + "-bf16", d + "_bf16", "8 products + C per step, 24 bits below max, fp32 RZ", bf, 8, 24,
        fp32, g == "l40s" ? n : (g == "a100" ? n : ""));
    add(g + "-tf32", d + "_tf32", "4 products + C per step, 24 bits below max, fp32 RZ", tf, 4, 24,
        fp32, (g == "l40s" || g == "a2") ? "not fitted by Khattak & Mikaitis: A100 parameters, 100% of rows match" : n);
  }
  for (const auto& [gpu, dir] : {std::pair{"ada", "Ada"}, std::pair{"l40s", "L40S"}})
    add(std::string(gpu) + "-fp8", std::string(dir) + "_E4M3",
        "16 products + C per step (two steps per k32 instruction), 13 bits below max, "
        "14-bit (e8m13) RZ accumulator", f8, 16, 13, e8m13(), "and _E5M2");
  for (const auto& [gpu, dir] : {std::pair{"h100", "H100"}, std::pair{"h200", "H200"}}) {
    const std::string g = gpu, d = dir;
    add(g + "-fp16", d + "_fp16", "16 products + C per step (mma k16 / wgmma), 25 bits below max, fp32 RZ",
        half, 16, 25, fp32);
    add(g + "-bf16", d + "_bf16", "16 products + C per step (mma k16 / wgmma), 25 bits below max, fp32 RZ",
        bf, 16, 25, fp32);
    add(g + "-tf32", d + "_tf32",
        "8 products + C per step (the k8 instructions cuBLAS uses), 25 bits below max, fp32 RZ", tf, 8,
        25, fp32, "L=8 from docs/references.md s.5 (the K=4 recordings cannot tell 4 from 8)");
    add(g + "-fp8", d + "_E4M3",
        "wgmma k32: 32 products + C per step, 13 bits below max, 14-bit (e8m13) RZ accumulator over "
        "all of K (cuBLASLt fast accumulation)", f8, 32, 13, e8m13(), "and _E5M2; MMA-Sim, arXiv 2511.10909; cuBLASLt FAST_ACCUM");
    v.back().c_note = std::string(kCInside) + "; the recordings used C = 0, so this part is not "
                      "confirmed by hardware data";
    ModelInfo p = fused_model(g + "-fp8-promote128",
                              "as " + g + "-fp8, but the 14-bit partial is added into an fp32 RNE "
                              "accumulator every 128 of K (cuBLASLt default)",
                              "cuBLASLt FP8 without FAST_ACCUM (docs/references.md s.5); DeepSeek-V3 arXiv 2412.19437 s.3.3.2; unit as " + g + "-fp8",
                              f8, 32, 13, e8m13());
    p.acc.promote = 128;
    p.c_note = kCOuter;
    v.push_back(std::move(p));
  }
  add("b200-fp16", "B200_fp16", "16 products + C per step, 25 bits below max, fp32 RZ", half, 16, 25,
      fp32);
  add("b200-bf16", "B200_bf16", "16 products + C per step, 25 bits below max, fp32 RZ", bf, 16, 25,
      fp32);
  add("b200-tf32", "B200_tf32", "4 products + C per step, 25 bits below max, fp32 RZ", tf, 4, 25, fp32);
  add("b200-fp8", "B200_E4M3",
      "32 products per step, 25 bits below their max, fp32 RZ; the running value is added after "
      "with fp32 round-to-nearest", f8, 32, 25, fp32, "and _E5M2 (C inside the block fits 64% only)");
  ModelInfo& b = v.back();
  b.acc.fused->c_outside = true;
  b.acc.fused->c_add_format = fp32;
  b.acc.fused->c_add_rounding = Rounding{Mode::rne};
  b.c_note = "C is added after each 32-product sum, fp32 round-to-nearest (not inside the alignment)";

  // fp16 accumulation (mma ... .f16 with fp16 C and D): the same unit, but each step rounds to
  // fp16 with round-to-nearest-even, and C is read in fp16 (the caller's fp32 C converted with RNE).
  // [KM25] GEMM.m / *TC.m with outformat fp16; fitted to the recorded d_fp16 outputs.
  const Format fp16 = parse_format("fp16");
  auto add16 = [&](const std::string& base, const std::string& dir, const std::string& what,
                   const std::vector<std::string>& in, int L, int F, const std::string& extra) {
    ModelInfo m = fused_model(base + "-acc16", what + "; fp16 accumulation: each step RNE to fp16",
                              km + dir + " d_fp16" + (extra.empty() ? "" : "; " + extra), in, L, F, fp16);
    m.acc.fused->out_mode = Mode::rne;
    m.acc.acc_rounding = Rounding{Mode::rne};
    m.acc.c_format = fp16;
    m.acc.c_rounding = Rounding{Mode::rne};
    m.c_note = "C is read in fp16 (rounded to nearest from fp32), then is the first step's accumulator";
    v.push_back(std::move(m));
  };
  add16("v100-fp16", "V100_fp16", "Volta HMMA: 4 products + C per step, 23 bits below max", half, 4, 23, "");
  for (const auto& [gpu, dir] : {std::pair{"a100", "A100"}, std::pair{"a2", "A2"}, std::pair{"ada", "Ada"},
                                 std::pair{"l40s", "L40S"}})
    add16(std::string(gpu) + "-fp16", std::string(dir) + "_fp16", "8 products + C per step, 24 bits below max",
          half, 8, 24, "");
  for (const auto& [gpu, dir] : {std::pair{"h100", "H100"}, std::pair{"h200", "H200"}, std::pair{"b200", "B200"}})
    add16(std::string(gpu) + "-fp16", std::string(dir) + "_fp16", "16 products + C per step, 25 bits below max",
          half, 16, 25, "");
  add16("ada-fp8", "Ada_E4M3", "16 products + C per step (two steps per k32 instruction), 13 bits below max",
        f8, 16, 13, "and _E5M2");
  // FP8 mma.sync with fp16 C/D on Hopper and Blackwell runs on the fp16 datapath: each k32
  // instruction is two 16-product steps of the fp16 unit (F = 25, from zero) over interleaved pairs
  // of k (0,1,4,5,... then 2,3,6,7,...), and C is added at the end with fp16 RNE ([KM25]
  // Generic_BFMA_TC.m: "fp8 TC access via HMMA (fp16) TC where inter-leaved pattern is to be
  // implemented and c is added at the end with RNE"); fitted to all 5000 rows of each recording.
  for (const auto& [gpu, dir] : {std::pair{"h100", "H100"}, std::pair{"h200", "H200"}, std::pair{"b200", "B200"}}) {
    add16(std::string(gpu) + "-fp8", std::string(dir) + "_E4M3",
          "mma.sync k32 on the fp16 datapath: two 16-product steps over interleaved pairs of k, 25 bits below max",
          f8, 16, 25, "and _E5M2");
    ModelInfo& m = v.back();
    m.acc.fused->pair_interleave = true;
    m.acc.promote = 32;
    m.acc.outer_format = fp16;
    m.acc.outer_rounding = Rounding{Mode::rne};
    m.c_note = "C is read in fp16 (rounded to nearest from fp32) and added after the instruction's two steps, "
               "fp16 round-to-nearest";
  }
  // Not modelled: L40S FP8 with fp16 D (not recorded).
  return v;
}

}  // namespace

const std::vector<ModelInfo>& hardware_models() {
  static const std::vector<ModelInfo> models = build();
  return models;
}

const ModelInfo* find_model(std::string_view name) {
  for (const auto& m : hardware_models())
    if (iequals(m.name, name)) return &m;
  return nullptr;
}

std::string hardware_model_names() {
  std::string s;
  for (const auto& m : hardware_models()) s += (s.empty() ? "" : ", ") + m.name;
  return s;
}

Accumulator model_accumulator(std::string_view name, std::optional<Format> a,
                              std::optional<Format> b, int promote) {
  const ModelInfo* m = find_model(name);
  if (!m)
    throw std::invalid_argument(fmt::format("unknown hardware model '{}' (valid: {})", name,
                                            hardware_model_names()));
  Accumulator acc = m->acc;
  auto pick = [&](const std::optional<Format>& f, Format& slot, const char* which) {
    if (!f) return;
    if (std::find(m->input_formats.begin(), m->input_formats.end(), f->name) ==
        m->input_formats.end()) {
      std::string list;
      for (const auto& s : m->input_formats) list += (list.empty() ? "" : ", ") + s;
      throw std::invalid_argument(fmt::format("model {} does not take {} = {} (valid: {})", name,
                                              which, f->name, list));
    }
    slot = *f;
  };
  pick(a, acc.a_format, "A");
  pick(b, acc.b_format, "B");
  if (promote < -1)
    throw std::invalid_argument(fmt::format("model {}: promotion interval {} is negative (0 = off, -1 = the "
                                            "model's default)", name, promote));
  if (promote >= 0) {
    if (promote > 0 && acc.fused && promote % acc.fused->L != 0)
      throw std::invalid_argument(fmt::format("model {}: promotion interval {} must be a multiple "
                                              "of the unit's L = {}", name, promote, acc.fused->L));
    acc.promote = promote;
  }
  return acc;
}

}  // namespace floatscope
