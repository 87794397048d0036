// The accumulation model: how an emulated dot product turns inputs into one output value.
//
// One Accumulator value describes every part, and the parts compose:
//   inputs    A and B formats (may differ); values either already on the grid or quantised on
//             the way in with a chosen rounding;
//   products  exact, or rounded once to a product format;
//   sum       a scalar accumulator (any format and mode, SR included) in a chosen order, optionally
//             compensated (Kahan, Neumaier) -- or the fused block-FMA unit of docs/references.md s.5
//             (L products per step, F fraction bits kept below the step's largest exponent,
//             truncation toward zero, one rounding per step);
//   C         the initial value, optionally rounded onto a format first (C read in D's type);
//   promotion every `promote` elements of K the partial sum is added into an outer accumulator;
//   scales    FP8 scale_a*scale_b applied after accumulation, as cuBLASLt does;
//   output    a final conversion to a format (optionally multiplied by output_scale first, or
//             after it: OutputScaleMode).
//
// Every operation rounds once from the exact value (error-free transformations carry what a
// double cannot hold). Stochastic roundings inside a dot product for output (row, col) draw
// CounterRng(acc_rounding.seed, stream_of(row, col)).bits(step), where step counts the
// stochastic roundings of that dot product in evaluation order (products, sums, conversions),
// so results do not depend on threads or scheduling.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "floatscope/format.hpp"
#include "floatscope/rounding.hpp"

namespace floatscope {

enum class OrderKind : std::uint8_t {
  sequential,  // c + p0 + p1 + ... (left to right)
  reverse,     // c + p(K-1) + ... + p0
  pairwise,    // recursive halving tree over the products (split at n/2), then c + tree
  blocked,     // blocks of `param` products summed from 0, block results added to c in order
  splitk,      // K cut into `param` contiguous chunks (sizes differ by at most one), each summed
               // from 0 in the accumulator; chunk results reduced in order into c in reduce_format
  random,      // one permutation of 0..K-1 (Fisher-Yates keyed by `seed`), then sequential
};

struct Order {
  OrderKind kind = OrderKind::sequential;
  int param = 0;           // B for blocked, S for splitk
  std::uint64_t seed = 0;  // random
  std::string describe() const;  // the text parse_accumulator_order accepts
};

// "sequential", "reverse", "pairwise", "blocked:64", "splitk:4", "random:7". Throws
// std::invalid_argument naming the bad text and listing the accepted forms.
Order parse_accumulator_order(std::string_view text);

enum class Compensation : std::uint8_t { none, kahan, neumaier };
std::string_view compensation_name(Compensation c);
Compensation parse_compensation(std::string_view text);  // "none", "kahan", "neumaier"

// What the fused unit does at the ends of its range (special-value rules). The defaults are the
// measured NVIDIA rules (docs/references.md s.5); the others describe units that flush
// subnormals (Intel AMX-BF16 and AVX512-BF16 document DAZ inputs and FTZ results; AMD MI200
// matrix cores flush fp16/bf16 subnormals) or follow IEEE 754 at overflow and for zero signs.
// `floatscope fit` searches them.
enum class UnitOverflow : std::uint8_t {
  exact_sum,  // a step gives +-Inf only when its exact sum reaches 2^(emax+1) of the output
              // format, under every mode (round-toward-zero too); below that the mode rounds
              // (rtz: the largest finite value). NVIDIA.
  ieee,       // IEEE 754 overflow of the rounded sum: rtz never gives Inf (largest finite value),
              // rne gives Inf from max + half an ulp, rup/rdn by direction
  saturate,   // a finite exact sum never gives Inf: beyond the range it is +-max (Inf inputs still
              // give Inf, NaN inputs NaN)
};
enum class ZeroSign : std::uint8_t {
  positive,  // an exact zero sum (cancellation, or only zero terms) is +0 (NVIDIA)
  ieee,      // IEEE 754 sum of zeros: -0 when every term is -0, or under rdn when one is or
             // the terms cancel; +0 otherwise
};
struct UnitSpecials {
  bool flush_inputs = false;   // subnormal A and B elements are read as zeros of their sign (DAZ);
                               // C and the running value are not
  bool flush_results = false;  // a step result whose rounded magnitude is below the output format's
                               // smallest normal becomes a zero of its sign (FTZ, after rounding)
  UnitOverflow overflow = UnitOverflow::exact_sum;
  ZeroSign zero_sign = ZeroSign::positive;
  bool is_default() const {
    return !flush_inputs && !flush_results && overflow == UnitOverflow::exact_sum && zero_sign == ZeroSign::positive;
  }
  // "" for the defaults, else the non-default rules: "flush=inputs,results overflow=saturate zero=ieee".
  std::string describe() const;
  friend bool operator==(const UnitSpecials&, const UnitSpecials&) = default;
};
// Names as the command line and sweep keys take them (case-insensitive); parse_* throw
// std::invalid_argument naming the text and the accepted values.
//   subnormals: keep, flush-inputs, flush-results, flush (both)
//   unit overflow: exact-sum, ieee, saturate
//   zero sign: positive, ieee
std::string_view subnormals_name(const UnitSpecials& s);
void parse_subnormals(std::string_view text, UnitSpecials& s);
std::string_view unit_overflow_name(UnitOverflow o);
UnitOverflow parse_unit_overflow(std::string_view text);
std::string_view zero_sign_name(ZeroSign z);
ZeroSign parse_zero_sign(std::string_view text);

// The fused block-FMA step of docs/references.md s.5: L exact products (not renormalised) plus the
// running value c; E = largest exponent among nonzero terms; every term truncated toward zero to
// a multiple of 2^(E-F); exact sum; one rounding to `out` with `out_mode`. Two variants that no
// measured NVIDIA unit uses but a fit must be able to tell apart: terms rounded to nearest (even)
// instead of truncated, and products normalised before E is taken.
struct FusedUnit {
  int L = 16;
  int F = 25;
  Format out;              // step result format (fp32, or e8m13 for H100 FP8)
  Mode out_mode = Mode::rtz;
  Mode align_mode = Mode::rtz;       // terms cut to 2^(E-F): rtz (truncated) or rne (rounded)
  bool normalized_products = false;  // product exponent floor(log2|ab|) instead of e(a) + e(b)
  // FP8 mma.sync with fp16 C/D on the fp16 datapath (H100, H200, B200 d_fp16 recordings): each
  // instruction of 2L products runs as two steps of L over interleaved pairs of k, first those with
  // k mod 4 in {0, 1}, then {2, 3} (k counted within the instruction). C then enters at the end of
  // the instruction: promotion every 2L into an fp16 outer sum (models.cpp, *-fp8-acc16).
  bool pair_interleave = false;
  int out_sr_bits = 64;    // random bits of a stochastic out_mode (its seed: acc_rounding.seed)
  // B200 FP8: the step sums the L products only (c outside the alignment), rounds with out_mode,
  // then adds the running value with c_add (fp32 round-to-nearest on B200).
  bool c_outside = false;
  Format c_add_format;
  Rounding c_add_rounding;
  UnitSpecials specials;  // special-value rules (defaults: NVIDIA's)
};

// Where output_scale enters the output conversion.
//   fused  output = round(value * output_scale): one rounding, as an epilogue that scales before it
//          stores (cuBLASLt's alpha, a fused dropout kernel).
//   after  the value is stored first, y = round(value), and rescaled by a separate kernel that
//          computes in fp32, as frameworks' unfused dropout does on an fp16/bf16/fp8 tensor
//          (PyTorch: the fp32 product of the element and an fp32 scale, stored back):
//          output = round(RN32(y * RN32(output_scale))). Two roundings into the output format with
//          an fp32 rounding between them; needs an output format whose values are fp32 values.
enum class OutputScaleMode : std::uint8_t { fused, after };
std::string_view output_scale_mode_name(OutputScaleMode m);
OutputScaleMode parse_output_scale_mode(std::string_view text);  // "fused", "after"; throws naming it

struct Accumulator {
  Format a_format;
  Format b_format;
  // Set: inputs are rounded onto a_format / b_format with this rounding (SR draws
  // CounterRng(seed, stream_of(0, i)).bits(k) for A[i][k] and CounterRng(seed, stream_of(1, j))
  // .bits(k) for B[k][j], so a GEMM and emulate_dot(row=i, col=j) quantise alike).
  // Unset: inputs must already be on the grid (emulate_* throws naming the first offender).
  std::optional<Rounding> quantize;

  std::optional<Format> product_format;  // unset: exact products
  Rounding product_rounding;

  Format acc_format;  // scalar accumulator (ignored by fused models except as a description)
  Rounding acc_rounding;
  Order order;
  Compensation compensation = Compensation::none;
  std::optional<Format> reduce_format;  // splitk reduction; unset: acc_format / acc_rounding
  Rounding reduce_rounding;

  std::optional<FusedUnit> fused;  // set: the block-FMA unit replaces products + scalar sum

  // Set: C is rounded onto c_format before anything else, as an instruction whose C operand has
  // D's type reads it (mma ... .f16.f16 with fp16 accumulation: the fp32 C of a recording becomes
  // fp16 with round-to-nearest; Khattak & Mikaitis, GEMM.m). Deterministic modes only.
  std::optional<Format> c_format;
  Rounding c_rounding;

  int promote = 0;  // >0: every `promote` elements of K the partial is added into the outer sum
  Format outer_format;
  Rounding outer_rounding;

  double scale_a = 1.0;  // applied after accumulation: acc * RN_outer(scale_a*scale_b), rounded
  double scale_b = 1.0;  // once to outer_format (only when not both 1)

  std::optional<Format> output_format;  // final conversion; unset: the accumulator's value
  Rounding output_rounding;
  double output_scale = 1.0;  // output = round(value * output_scale) (fp8 output with a scale)
  OutputScaleMode output_scale_mode = OutputScaleMode::fused;  // or rescaled after storing

  // Throws std::invalid_argument when the parts cannot be emulated exactly (names the part).
  void validate() const;
  // One line naming every part, e.g. "a=fp16 b=fp16 products=exact acc=fp16/rne order=sequential".
  std::string describe() const;
};

// A plain scalar model: inputs in `in`, exact products, accumulator `acc` with `r`, sequential.
Accumulator make_scalar_accumulator(const Format& in, const Format& acc, const Rounding& r = {});

}  // namespace floatscope
