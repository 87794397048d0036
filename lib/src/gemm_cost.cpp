// Storage and operation cost of a GEMM's operands (gemm_cost.hpp).
#include "floatscope/gemm_cost.hpp"

#include <cmath>

namespace floatscope {

std::string_view inner_op_name(InnerOp op) {
  switch (op) {
    case InnerOp::int_add: return "int-add";
    case InnerOp::int_mac: return "int-mac";
    case InnerOp::fp_fma: return "fp-fma";
  }
  return "?";
}

bool integer_valued(const Format& f) {
  // The finest spacing of a binary format is 2^(emin - man_bits) (subnormals, or the lowest binade
  // without them); MXINT8's fixed point has 1/64.
  return f.encoding == Encoding::binary && std::ldexp(1.0, f.emin - f.man_bits) >= 1.0;
}

bool ternary_valued(const Format& f) {
  return integer_valued(f) && f.is_signed && f.has_zero && f.max_finite == 1.0;
}

InnerOp inner_op(const Format& a, const Format& b) {
  if (!integer_valued(a) || !integer_valued(b)) return InnerOp::fp_fma;
  return ternary_valued(a) || ternary_valued(b) ? InnerOp::int_add : InnerOp::int_mac;
}

double element_storage_bits(const Format& f) { return ternary_valued(f) ? 8.0 / 5.0 : f.width; }

double scale_storage_bits(SchemeKind k) {
  switch (k) {
    case SchemeKind::mx: return 8;     // E8M0
    case SchemeKind::nvfp4: return 8;  // E4M3
    default: return 32;                // fp32
  }
}

double tensor_scale_storage_bits(SchemeKind k) { return k == SchemeKind::nvfp4 ? 32 : 0; }

double bits_per_element(const BlockScheme& s, const QuantizedTensor& q) {
  const double n = static_cast<double>(q.orig_rows * q.orig_cols);
  const double scale_bits = static_cast<double>(q.scales.size()) * scale_storage_bits(s.info->kind) +
                            tensor_scale_storage_bits(s.info->kind);
  return element_storage_bits(s.element) + scale_bits / n;
}

double bits_per_element(const Format& f, bool scaled, std::size_t elements) {
  return element_storage_bits(f) + (scaled ? 32.0 / static_cast<double>(elements) : 0.0);
}

}  // namespace floatscope
