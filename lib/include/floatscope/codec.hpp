// Bit codes: values of a Format <-> their encodings.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "floatscope/format.hpp"

namespace floatscope {

// Encodes a value of the format (already rounded onto its grid) into its code, right-aligned in
// the returned word (fp32 gives its fp32 word, fp64 its 64-bit word, tf32 its 19-bit code, the top
// 19 bits of the fp32 word). NaN keeps its sign where the format can (IEEE, fn); FNUZ NaN is
// 100...0. -0 encodes as +0 where the format has no -0. Throws std::domain_error naming the value
// if it is not representable (off-grid, out of range, NaN for a format without NaN).
std::uint64_t encode(double value, const Format& f);

// Decodes a code (only the low f.width bits are used; higher bits must be zero, else throws).
// Formats without subnormals read exponent-field-0 codes (other than zero) as zero. MXINT8's code
// 0x80 (-128) is not a value of the format: std::domain_error (encode never produces it).
double decode(std::uint64_t code, const Format& f);

// decode() of every code 0 .. 2^width-1, for formats of at most 16 bits (NaN at int8's unused 0x80).
std::vector<double> decode_table(const Format& f);

// "0x" + lowercase hex zero-padded to the format's width (0x7e, 0x3c00, 0x3f800000).
std::string format_code(std::uint64_t code, const Format& f);

}  // namespace floatscope
