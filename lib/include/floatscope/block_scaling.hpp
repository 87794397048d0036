// Block-scaled formats: OCP MX, NVFP4 and the FP8 scaling recipes used in training.
//
// A scheme groups the elements of a tensor into blocks that share one scale. Quantising divides
// each element by its block's dequantisation scale and rounds the exact quotient once onto the
// element format (saturating by default, as the recipes' casts do); dequantising multiplies back.
// The rules follow docs/references.md s.4: E8M0 scales for MX (rules FLOOR, CEIL, RCEIL, EVEN),
// an E4M3 block scale times an fp32 tensor scale for NVFP4, fp32 scales from the amax of a
// tensor, row, 1x128 tile or 128x128 block for FP8.
//
// Geometry: a quantised tensor is a row-major rows x cols matrix whose blocks run along cols
// (the K dimension of a GEMM operand). A GEMM's B (K x N) is quantised as its transpose.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "floatscope/format.hpp"
#include "floatscope/rounding.hpp"

namespace floatscope {

enum class SchemeKind : std::uint8_t {
  mx,                // OCP MX v1.0: E8M0 scale per block of `block` elements
  nvfp4,             // E2M1 elements, E4M3 scale per 16 elements, fp32 tensor scale
  fp8_tensor,        // one fp32 scale from the current tensor's amax
  fp8_delayed,       // one fp32 scale from an amax history (Transformer Engine's delayed scaling)
  fp8_row,           // one scale per row (per output row of A, per output column of B)
  fp8_tile1x128,     // one scale per 1 x 128 tile along K (DeepSeek-V3 activations)
  fp8_block128x128,  // one scale per 128 x 128 block (DeepSeek-V3 weights)
  // BitNet b1.58 (arXiv 2402.17764; docs/references.md s.6). Integer elements, fp32 scales; the
  // elements follow the paper's formulas in exact arithmetic (block_bitnet.cpp):
  bitnet_ternary,    // weights: RoundClip(W / (gamma + eps), -1, 1), gamma = mean|W| of the tensor
  bitnet_int8,       // activations per row: Clip(round(x * 127 / gamma), -128, 127), gamma = max|x|
};

// BitNet's epsilon (the double nearest 1e-5): added to the weights' absmean as the paper's
// RoundClip(W / (gamma + eps)) writes it; the activations' absmax is clamped to at least eps, as
// the authors' released training code does (the paper leaves both the value and the activation
// case open).
inline constexpr double kBitnetEps = 1e-5;
// The element formats of the BitNet schemes, as value sets: {-1, 0, 1}, and the integers
// -127..127 (sign-magnitude; the activation clip's -128 is never reached, since |x| <= gamma).
inline constexpr std::string_view kTernaryFormat = "e1m0:bias=1,specials=none";
inline constexpr std::string_view kInt8IntegerFormat = "e1m6:bias=-5,specials=none";

// The traits of one scheme, all in one table (block_schemes()).
struct SchemeInfo {
  std::string_view name;       // "mxfp8-e4m3"
  SchemeKind kind;
  std::string_view element;    // element format preset; "" = chosen with --format (e4m3 or e5m2)
  int block;                   // elements per scale along K; 0 = the whole row
  int block_rows;              // rows per scale: 1, 128, or 0 = every row (one scale per tensor)
  std::string_view scale;      // what a scale is
  std::string_view summary;
};

// True for schemes whose elements are integers (BitNet): their products are integers, which
// block GEMMs must accumulate exactly (emulate_block_gemm refuses an accumulator that cannot).
bool integer_scheme(SchemeKind k);

const std::vector<SchemeInfo>& block_schemes();
const SchemeInfo* find_scheme(std::string_view name);  // case-insensitive; nullptr when unknown
std::string scheme_names();                            // comma-separated, for messages

// E8M0 scale rules of docs/references.md s.4 (names as torchao's ScaleCalculationMode).
enum class ScaleRule : std::uint8_t {
  floor,  // OCP MX v1.0: 2^(floor(log2 amax) - emax_elem)
  ceil,   // 2^(ceil(log2 amax) - emax_elem)
  rceil,  // amax / max_elem rounded up to a power of two (cuBLAS, Transformer Engine)
  even,   // amax rounded to the element precision (to nearest) first, then FLOOR
};
std::string_view scale_rule_name(ScaleRule r);
ScaleRule parse_scale_rule(std::string_view name);  // throws std::invalid_argument listing them

// emax_elem of docs/references.md s.4: the exponent of the element format's largest normal
// (8 for E4M3, 15 for E5M2, 4 for E3M2, 2 for E2M3 and E2M1, 0 for MXINT8).
int mx_emax_elem(const Format& element);

// The E8M0 scale exponent of a block whose largest magnitude is amax (finite, >= 0), clamped to
// [-127, 127]; amax = 0 gives -127 (scale byte 0). NaN or Inf in a block is handled by quantise
// (the scale is then NaN, byte 0xFF), not here.
int mx_scale_exponent(double amax, const Format& element, ScaleRule rule);

// Everything a quantisation needs, resolved from names once (resolve_block_scheme).
struct BlockScheme {
  const SchemeInfo* info = nullptr;
  Format element;
  int block = 0;        // elements per scale along cols (0 = the whole row)
  int block_rows = 1;   // rows per scale (0 = all rows)
  ScaleRule rule = ScaleRule::floor;  // MX
  Rounding rounding{Mode::rne, Overflow::saturate};  // elements: any mode, saturating by default
  // NVFP4: fp32 tensor scale; unset = amax / (448 * 6) rounded to fp32 (1 when amax is 0).
  std::optional<double> tensor_scale;
  Mode block_scale_mode = Mode::rne;  // NVFP4 E4M3 block scale: rne (torchao) or rup (cuDNN)
  // FP8: dequantisation scale = RN32(amax * 2^margin / max_elem); delayed scaling takes amax as
  // the largest of the last history_len entries of amax_history (the current tensor's amax when
  // the history is empty).
  double margin = 0;
  int history_len = 1024;
  std::vector<double> amax_history;
  bool pad = false;  // pad cols (and rows for 128x128) with zeros to whole blocks; else an error
};

struct BlockSchemeOptions {
  std::string scheme;
  std::string format;        // fp8 schemes: e4m3 (default) or e5m2; others: "" or their element
  int block = 0;             // 0 = the scheme's default
  std::string scale_rule = "floor";
  Rounding rounding{Mode::rne, Overflow::saturate};
  std::optional<double> tensor_scale;
  std::string block_scale_rounding = "rne";
  double margin = 0;
  int history_len = 1024;
  std::vector<double> amax_history;
  bool pad = false;
};
// Throws std::invalid_argument naming the option and the valid values.
BlockScheme resolve_block_scheme(const BlockSchemeOptions& o);

// What quantisation did, counted over the real (not padded) elements.
struct BlockStats {
  std::uint64_t elements = 0;
  std::uint64_t clamped = 0;   // finite |x / scale| beyond the element maximum (saturated)
  std::uint64_t flushed = 0;   // nonzero x whose element became zero
  std::uint64_t nan = 0;       // elements of NaN blocks (their dequantised value is NaN)
  std::uint64_t padded = 0;    // zeros added by --pad
  std::uint64_t scales = 0;    // finite nonzero scales counted in the exponent statistics
  double scale_exp_sum = 0;    // sum of floor(log2(scale)) over those scales
  int scale_exp_max = 0;       // the largest (meaningful when scales > 0)
  double clamped_frac() const;
  double flushed_frac() const;
  double mean_scale_exp() const;  // NaN when no scale counted
  BlockStats& operator+=(const BlockStats& o);
};

struct QuantizedTensor {
  std::size_t rows = 0, cols = 0;  // the quantised (padded) shape; blocks along cols
  std::size_t orig_rows = 0, orig_cols = 0;
  std::vector<double> elements;    // rows * cols values on the element grid (NaN in NaN blocks)
  std::size_t scale_rows = 0, scale_cols = 0;
  // Per-block dequantisation scales, scale_rows x scale_cols row-major: E8M0 values for MX
  // (powers of two, or NaN), E4M3 values for NVFP4, fp32 values for FP8.
  std::vector<double> scales;
  double tensor_scale = 1.0;       // NVFP4's fp32 tensor scale (1 for the others)
  BlockStats stats;

  std::size_t block_cols() const { return cols / scale_cols; }
  std::size_t block_rows() const { return rows / scale_rows; }
  double scale_at(std::size_t r, std::size_t c) const {
    return scales[(r / block_rows()) * scale_cols + c / block_cols()];
  }
};

// Quantises a row-major rows x cols matrix. Stochastic rounding of element (r, c) draws
// CounterRng(rounding.seed, rounding.stream).bits(r * padded_cols + c). Throws std::invalid_argument when
// cols (or rows, for 128x128 blocks) is not a multiple of the block without pad, or a NaN meets an
// element format without NaN outside an MX block (NVFP4, FP8 have no NaN-carrying scale).
QuantizedTensor quantize_blocks(const BlockScheme& s, const double* x, std::size_t rows,
                                std::size_t cols);

// element * scale (* tensor_scale) for every element, in the original (unpadded) shape. Exact in
// double: elements have at most 7 significant bits (MXINT8), block scales 4 (E4M3), fp32 scales 24.
std::vector<double> dequantize_blocks(const QuantizedTensor& q);

// Checks operands quantised elsewhere (gemm --a-scales): every element on the element grid, every
// scale a value of the scheme's scale format (E8M0: a power of two in [2^-127, 2^127] or NaN; E4M3
// for NVFP4; a positive finite fp32 for FP8). Throws std::invalid_argument naming `what`, the index
// and the value.
void check_quantized(const BlockScheme& s, const QuantizedTensor& q, std::string_view what);

// A QuantizedTensor from operands quantised elsewhere: elements rows x cols (rows are padded with
// zero rows to whole blocks of block_rows), per-block scales scale_rows x scale_cols as
// scale_shape() gives them, and NVFP4's tensor scale (1 for the others). Checks shapes and values
// (check_quantized); the stats count the elements and the scales' exponents (nothing was clamped
// or flushed here). Throws std::invalid_argument naming `what`.
QuantizedTensor make_quantized(const BlockScheme& s, std::vector<double> elements, std::size_t rows,
                               std::size_t cols, std::vector<double> scales, double tensor_scale,
                               std::string_view what);

// The shape of the scale array of a rows x cols operand (blocks along cols).
void scale_shape(const BlockScheme& s, std::size_t rows, std::size_t cols, std::size_t& scale_rows,
                 std::size_t& scale_cols);

}  // namespace floatscope
