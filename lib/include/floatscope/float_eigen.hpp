// Eigen support for the scalar types of float_type.hpp: Eigen::NumTraits, so that
// Eigen::Matrix<floatscope::bf16, Eigen::Dynamic, Eigen::Dynamic> runs Eigen's products and
// decompositions (PartialPivLU, HouseholderQR, LLT, ...) with every operation rounded once onto
// the format. Eigen's generic (non-vectorised) kernels form a multiply-add as a product and a sum,
// two roundings, as scalar code written with the operators would.
//
// Include this header (after or instead of float_type.hpp) and link Eigen3::Eigen; the library
// itself does not depend on Eigen.
#pragma once

#include <Eigen/Core>

#include "floatscope/float_type.hpp"

namespace Eigen {

template <class F, floatscope::Mode M, floatscope::Overflow OV>
struct NumTraits<floatscope::Float<F, M, OV>> : GenericNumTraits<floatscope::Float<F, M, OV>> {
  using T = floatscope::Float<F, M, OV>;
  using Real = T;
  using NonInteger = T;
  using Literal = T;
  using Nested = T;
  enum {
    IsComplex = 0,
    IsInteger = 0,
    IsSigned = F::spec.is_signed ? 1 : 0,
    RequireInitialization = 0,
    ReadCost = 1,
    // One double operation plus the rounding's few integer operations.
    AddCost = 3,
    MulCost = 3,
  };
  static inline int digits10() { return std::numeric_limits<T>::digits10; }
  static inline T epsilon() { return std::numeric_limits<T>::epsilon(); }
  // Eigen's default tolerance for isApprox and rank decisions: a few ulps of the format.
  static inline T dummy_precision() { return T::from_exact(8 * std::numeric_limits<T>::epsilon().value()); }
  static inline T highest() { return std::numeric_limits<T>::max(); }
  static inline T lowest() { return std::numeric_limits<T>::lowest(); }
  static inline T infinity() { return std::numeric_limits<T>::infinity(); }
  static inline T quiet_NaN() { return std::numeric_limits<T>::quiet_NaN(); }
};

}  // namespace Eigen
