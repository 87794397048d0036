// Probing a matrix-unit instruction as a black box (docs/references.md s.5; Fasi, Higham, Mikaitis
// & Pranesh 2021; Khattak & Mikaitis 2025): feed chosen vectors through one instruction step
// d = step(a, b, c), read what the unit computes (exact products, block size L, fraction bits F,
// alignment rounding, output rounding, how C enters, subnormals, carries), find the named model
// with those parameters, and measure how often that model gives the same bits on random steps.
//
// The black box is any function: an mma/wgmma kernel on a GPU (`floatscope probe-gpu`), or a CPU
// model (the unit tests recover docs/references.md s.5's table from the CPU models this way).
// Nothing here assumes what the unit does: a probe that cannot be set up for the formats (a value
// not representable, a block too short) is reported as not measured, and when no named model has
// the measured parameters the findings say so instead of forcing a fit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "floatscope/format.hpp"

namespace floatscope {

// One instruction under test. run() evaluates n independent steps: step i reads a[i*k .. i*k+k)
// (a row of A), b[i*k .. i*k+k) (a column of B), c[i] (the accumulator input, a c_format value)
// and writes d[i]. Inputs are on a_format / b_format's grids.
struct InstructionUnderTest {
  std::string name;  // e.g. "mma.sync.m16n8k16 f16 (sm_90)"
  Format a_format, b_format;
  Format c_format;   // format of the C and D registers (fp32)
  int k = 0;         // products along K in one instruction
  std::function<void(const double* a, const double* b, const double* c, double* d, std::size_t n)> run;
};

struct ProbeOptions {
  std::uint64_t random_steps = 100000;  // random steps compared with the matching model
  std::uint64_t seed = 1;
  // Named models to consider (empty: every hardware model whose input formats include the
  // instruction's formats).
  std::vector<std::string> candidates;
  // > 0: also run `fit` (fit.hpp: the whole space of block-FMA units and scalar accumulators, not
  // only the named models) on the unit: the targeted probe cases of fit.hpp's probe_cases plus this
  // many random steps, all recorded from the instruction. 0 = skip the fit.
  std::size_t fit_random_cases = 2000;
};

// What a probe measured, and whether it could be measured at all.
struct Measured {
  bool measured = false;
  int value = 0;
  bool lower_bound = false;  // value is only a lower bound (the probe ran out of range)
};

struct ProbeFindings {
  std::string instruction;
  bool products_exact = false;
  Measured L;                   // products per hardware step; value == k and lower_bound: no split seen
  Measured F;                   // fraction bits kept below the largest exponent of a step
  Measured P;                   // precision (bits) of a step's result
  std::string alignment;        // "toward zero", "other (...)" or "not measured"
  std::string step_rounding;    // rounding of a step's sum: "rtz", "rne", "rna", "rup", "rdn", "other", "not measured"
  std::string c_entry;          // "inside the block", "added after the products (rne)", ...
  bool subnormal_inputs = false;
  bool subnormal_c = false;     // a subnormal C passes through a step with zero products unchanged
  bool carries_kept = false;    // 1+1.5+1.75+1.875 with c = 1.875 gives exactly 8
  bool nan_propagates = false;  // a NaN input gives a NaN result
  std::vector<std::string> raw; // the probe outputs behind each finding, for the report

  std::string model;                 // the named model with the measured parameters; "" when none fits
  std::vector<std::string> also;     // other models with the same parameters
  // The fit on recorded steps (ProbeOptions::fit_random_cases > 0): cases used, how many candidates
  // reproduce every one, and the best candidates as "label (matched/cases) [= model NAME]".
  bool fitted = false;
  std::size_t fit_cases = 0;
  std::size_t fit_full_matches = 0;
  std::vector<std::string> fit_models;
  std::uint64_t steps_compared = 0;  // random steps run through the black box and the model
  std::uint64_t steps_agreeing = 0;  // ... with the same bits (any NaN equals any NaN)
  double agreement() const {
    return steps_compared ? static_cast<double>(steps_agreeing) / static_cast<double>(steps_compared) : 0.0;
  }
};

ProbeFindings probe_instruction(const InstructionUnderTest& u, const ProbeOptions& options = {});

// Random steps (random bit patterns of the input formats in A and B, of c_format in C) through
// the instruction and the named model (promotion off, one instruction = K of the model), counted
// as agreeing when the bits are equal or both are NaN. Throws std::invalid_argument when the
// model does not take the instruction's formats.
void compare_with_model(const InstructionUnderTest& u, const std::string& model, std::uint64_t steps,
                        std::uint64_t seed, ProbeFindings& out);

// The findings as the lines `floatscope probe-gpu` prints.
std::string describe_findings(const ProbeFindings& f);

}  // namespace floatscope
