// The named hardware models carry the parameters docs/references.md s.5 publishes, list their sources,
// and reject bad names and formats with messages that name the valid choices.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "floatscope/gemm.hpp"
#include "floatscope/models.hpp"

using namespace floatscope;

TEST_CASE("every model the issue names exists with the published parameters", "[models]") {
  struct Row { const char* name; int L; int F; int out_precision; int promote; bool c_outside; };
  // docs/references.md s.5 table and hwdata/README.md.
  const Row rows[] = {
      {"v100-fp16", 4, 23, 24, 0, false},  {"a100-fp16", 8, 24, 24, 0, false},
      {"a100-bf16", 8, 24, 24, 0, false},  {"a100-tf32", 4, 24, 24, 0, false},
      {"h100-fp16", 16, 25, 24, 0, false}, {"h100-bf16", 16, 25, 24, 0, false},
      {"h100-tf32", 8, 25, 24, 0, false},  {"h100-fp8", 32, 13, 14, 0, false},
      {"h100-fp8-promote128", 32, 13, 14, 128, false},
      {"b200-fp16", 16, 25, 24, 0, false}, {"b200-bf16", 16, 25, 24, 0, false},
      {"b200-fp8", 32, 25, 24, 0, true},   {"ada-fp8", 16, 13, 14, 0, false},
      {"h200-fp8", 32, 13, 14, 0, false},  {"a2-fp16", 8, 24, 24, 0, false},
      {"l40s-fp8", 16, 13, 14, 0, false},
  };
  for (const Row& r : rows) {
    INFO(r.name);
    const ModelInfo* m = find_model(r.name);
    REQUIRE(m != nullptr);
    REQUIRE(m->acc.fused);
    CHECK(m->acc.fused->L == r.L);
    CHECK(m->acc.fused->F == r.F);
    CHECK(m->acc.fused->out.precision == r.out_precision);
    CHECK(m->acc.fused->out.emax == 127);
    CHECK(m->acc.fused->out_mode == Mode::rtz);
    CHECK(m->acc.promote == r.promote);
    CHECK(m->acc.fused->c_outside == r.c_outside);
    CHECK(!m->source.empty());
    CHECK(!m->c_note.empty());
    CHECK(!m->summary.empty());
  }
  for (const auto& m : hardware_models()) CHECK_NOTHROW(m.acc.validate());
}

TEST_CASE("model_accumulator picks formats and promotion, and names valid choices", "[models]") {
  const Format e4m3 = parse_format("e4m3"), e5m2 = parse_format("e5m2");
  const Accumulator a = model_accumulator("h100-fp8", e5m2, e4m3);
  CHECK(a.a_format.name == "e5m2");
  CHECK(a.b_format.name == "e4m3");
  CHECK(model_accumulator("h100-fp8-promote128", e4m3, e4m3, 256).promote == 256);
  CHECK(model_accumulator("h100-fp8-promote128").promote == 128);
  CHECK_THROWS_WITH(model_accumulator("h100-fp7"), Catch::Contains("h100-fp7") &&
                                                       Catch::Contains("h100-fp8-promote128"));
  CHECK_THROWS_WITH(model_accumulator("h100-fp8", parse_format("fp16")),
                    Catch::Contains("fp16") && Catch::Contains("e4m3, e5m2"));
  CHECK_THROWS_WITH(model_accumulator("h100-fp8", e4m3, e4m3, 100), Catch::Contains("multiple"));
  // TF32 units ignore the low 13 bits of the fp32 pattern.
  const Accumulator tf = model_accumulator("h100-tf32");
  const double x = 1 + std::ldexp(1.0, -20);  // fp32, not tf32
  CHECK(emulate_dot(tf, &x, &x, 1) == 1.0);
}

TEST_CASE("FP8 scales apply after accumulation as cuBLASLt does", "[models]") {
  Accumulator acc = model_accumulator("h100-fp8");
  // acc = 3 (exact); scale = RN32(0.1f * 3) computed independently in float, then RN32(scale * 3).
  const float sa = 0.1f, sb = 3.0f;
  acc.scale_a = sa;
  acc.scale_b = sb;
  const double a[] = {1.5, 1.5}, b[] = {1, 1};
  const float s = sa * sb;  // one fp32 rounding (FLT_EVAL_METHOD 0 on x86-64)
  const float want = s * 3.0f;
  CHECK(emulate_dot(acc, a, b, 2) == static_cast<double>(want));
  // The 14-bit accumulator over all of K versus fp32 promotion every 128: c = 1 plus 256 products
  // of 2^-14 each; with the running value 1 in the unit (E = 0, F = 13) each product lies below
  // the alignment quantum 2^-13 and is truncated away, so the fast-accumulation chain stagnates
  // at 1, while the promoted chain restarts each 128-block from 0 and adds it to fp32 exactly.
  std::vector<double> av(256, std::ldexp(1.0, -7)), bv(256, std::ldexp(1.0, -7));
  const Accumulator fast = model_accumulator("h100-fp8");
  const Accumulator prom = model_accumulator("h100-fp8-promote128");
  CHECK(emulate_dot(fast, av.data(), bv.data(), 256, 1.0) == 1.0);
  CHECK(emulate_dot(prom, av.data(), bv.data(), 256, 1.0) == 1.0 + 256 * std::ldexp(1.0, -14));
}

TEST_CASE("accumulation orders parse and name bad text", "[models]") {
  CHECK(parse_accumulator_order("blocked:64").param == 64);
  CHECK(parse_accumulator_order("splitk:4").kind == OrderKind::splitk);
  CHECK(parse_accumulator_order("random:7").seed == 7);
  CHECK(parse_accumulator_order("pairwise").describe() == "pairwise");
  CHECK_THROWS_WITH(parse_accumulator_order("blocked:x4"), Catch::Contains("x4"));
  CHECK_THROWS_WITH(parse_accumulator_order("blocked"), Catch::Contains("blocked:64"));
  CHECK_THROWS_WITH(parse_accumulator_order("splitk:0"), Catch::Contains("splitk:0"));
  CHECK_THROWS_WITH(parse_accumulator_order("zigzag"), Catch::Contains("zigzag") &&
                                                          Catch::Contains("sequential"));
  CHECK_THROWS_WITH(parse_accumulator_order("reverse:2"), Catch::Contains("no parameter"));
}

TEST_CASE("an Accumulator with unset formats is rejected by name", "[models]") {
  Accumulator acc;
  CHECK_THROWS_WITH(acc.validate(), Catch::Contains("input A"));
  acc = make_scalar_accumulator(parse_format("fp16"), parse_format("fp32"));
  acc.acc_format = Format{};
  CHECK_THROWS_WITH(acc.validate(), Catch::Contains("accumulator format"));
  acc = make_scalar_accumulator(parse_format("fp16"), parse_format("fp32"));
  acc.compensation = Compensation::kahan;
  acc.order = parse_accumulator_order("pairwise");
  CHECK_THROWS_WITH(acc.validate(), Catch::Contains("pairwise"));
  acc = make_scalar_accumulator(parse_format("fp32"), parse_format("fp32"));
  acc.a_format = parse_format("fp64");  // fp64 x fp32 products are not exact doubles
  CHECK_THROWS_WITH(acc.validate(), Catch::Contains("product format"));
}

// The fp16-accumulating models read C in fp16: a GEMM (whose column kernels get C converted once)
// and the per-output dot product agree, and C's bits below fp16 never reach the result. The
// oracle for C's conversion is fp16's grid: C = 1 + 2^-11 + (i+1) 2^-20, above the tie, rounds to 1 + 2^-10.
TEST_CASE("fp16-accumulating models read C in fp16, in GEMMs and dot products alike", "[models]") {
  const int M = 3, N = 4, K = 64;
  std::vector<double> A(static_cast<std::size_t>(M) * K), B(static_cast<std::size_t>(K) * N),
      C(static_cast<std::size_t>(M) * N);
  for (std::size_t i = 0; i < A.size(); ++i) A[i] = std::ldexp(static_cast<double>(i % 7) - 3, -4);
  for (std::size_t i = 0; i < B.size(); ++i) B[i] = std::ldexp(static_cast<double>(i % 5) - 2, -3);
  for (std::size_t i = 0; i < C.size(); ++i) C[i] = 1 + std::ldexp(1.0, -11) + std::ldexp(static_cast<double>(i + 1), -20);
  const Format e4m3 = parse_format("e4m3");
  for (const char* name : {"h100-fp16-acc16", "ada-fp8-acc16", "h100-fp8-acc16"}) {
    INFO(name);
    const bool fp8 = std::string(name).find("fp8") != std::string::npos;
    const Accumulator acc = fp8 ? model_accumulator(name, e4m3, e4m3) : model_accumulator(name);
    REQUIRE(acc.c_format);
    const GemmResult g = emulate_gemm(acc, M, N, K, A.data(), B.data(), C.data(), 1);
    std::vector<double> col(static_cast<std::size_t>(K));
    for (int i = 0; i < M; ++i)
      for (int j = 0; j < N; ++j) {
        for (int k = 0; k < K; ++k) col[static_cast<std::size_t>(k)] = B[static_cast<std::size_t>(k) * N + j];
        const double c = C[static_cast<std::size_t>(i) * N + j];
        const double d = emulate_dot(acc, &A[static_cast<std::size_t>(i) * K], col.data(), K, c);
        CHECK(g.C[static_cast<std::size_t>(i) * N + j] == d);
        // The same with C already on fp16's grid: identical.
        CHECK(emulate_dot(acc, &A[static_cast<std::size_t>(i) * K], col.data(), K, 1 + std::ldexp(1.0, -10)) == d);
      }
  }
}
