// gemm(): one experiment on given or generated inputs, with the options of `floatscope gemm`
// (snake_case keywords) and its metrics under the names of `gemm --json`.
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "floatscope/experiment.hpp"
#include "floatscope/names.hpp"
#include "floatscope/parallel.hpp"
#include "floatscope/strassen.hpp"

namespace nb = nanobind;

namespace floatscope::python {

// Sets one ExperimentSpec field from a keyword; the types are those of the CLI's options.
void set_spec_field(ExperimentSpec& s, const std::string& key, nb::handle v, const std::string& fn) {
  auto str = [&](std::string& field) {
    if (!nb::isinstance<nb::str>(v))
      throw nb::type_error((fn + ": " + key + " must be a string, got " +
                            nb::cast<std::string>(nb::str(v.type().attr("__name__")))).c_str());
    field = to_lower(nb::cast<std::string>(v));  // names are case-insensitive, recorded lower-case
  };
  auto integer = [&](auto& field) {
    if (!nb::isinstance<nb::int_>(v) || nb::isinstance<nb::bool_>(v))
      throw nb::type_error((fn + ": " + key + " must be an integer").c_str());
    try {
      field = nb::cast<std::remove_reference_t<decltype(field)>>(v);
    } catch (const nb::cast_error&) {
      throw std::invalid_argument(fn + ": " + key + " = " + nb::cast<std::string>(nb::str(v)) +
                                  " is out of range");
    }
  };
  auto real = [&](double& field) {
    if (!(nb::isinstance<nb::float_>(v) || nb::isinstance<nb::int_>(v)) || nb::isinstance<nb::bool_>(v))
      throw nb::type_error((fn + ": " + key + " must be a number").c_str());
    field = nb::cast<double>(v);
  };
  auto boolean = [&](bool& field) {
    if (!nb::isinstance<nb::bool_>(v)) throw nb::type_error((fn + ": " + key + " must be True or False").c_str());
    field = nb::cast<bool>(v);
  };
  if (key == "model") str(s.model);
  else if (key == "a_format") str(s.a_format);
  else if (key == "b_format") str(s.b_format);
  else if (key == "acc_format") str(s.acc_format);
  else if (key == "rounding") str(s.rounding);
  else if (key == "sr_bits") integer(s.sr_bits);
  else if (key == "order") str(s.order);
  else if (key == "product_format") str(s.product_format);
  else if (key == "output_format") str(s.output_format);
  else if (key == "output_rounding") str(s.output_rounding);
  else if (key == "output_scale") real(s.output_scale);
  else if (key == "output_scale_mode") str(s.output_scale_mode);
  else if (key == "compensation") str(s.compensation);
  else if (key == "block_fma") str(s.block_fma);
  else if (key == "promote") integer(s.promote);
  else if (key == "c_format") str(s.c_format);
  else if (key == "c_rounding") str(s.c_rounding);
  else if (key == "outer_format") str(s.outer_format);
  else if (key == "outer_rounding") str(s.outer_rounding);
  else if (key == "align") str(s.align);
  else if (key == "normalised_products") boolean(s.normalised_products);
  else if (key == "interleaved_pairs") boolean(s.interleaved_pairs);
  else if (key == "subnormals") str(s.subnormals);
  else if (key == "unit_overflow") str(s.unit_overflow);
  else if (key == "zero_sign") str(s.zero_sign);
  else if (key == "scale_a") real(s.scale_a);
  else if (key == "scale_b") real(s.scale_b);
  else if (key == "input_rounding") str(s.input_rounding);
  else if (key == "backend") str(s.backend);
  else if (key == "scheme") str(s.scheme);
  else if (key == "scale_rule") str(s.scale_rule);
  else if (key == "input_overflow") str(s.input_overflow);
  else if (key == "dist") str(s.dist);
  else if (key == "b_dist") str(s.b_dist);
  else if (key == "M") integer(s.M);
  else if (key == "N") integer(s.N);
  else if (key == "K") integer(s.K);
  else if (key == "seed") integer(s.seed);
  else if (key == "reference") str(s.reference);
  else if (key == "permutations") integer(s.permutations);
  else if (key == "algorithm") str(s.algorithm);
  else if (key == "reference_of") str(s.reference_of);
  else if (key == "amax_history_len") integer(s.amax_history_len);
  else if (key == "outlier_growth") real(s.outlier_growth);
  else throw nb::type_error((fn + ": unknown option '" + key + "'").c_str());
}

namespace {

using Matrix = nb::ndarray<const double, nb::ndim<2>, nb::c_contig, nb::device::cpu>;

int dim(std::size_t n, const char* what) {
  if (n == 0 || n > static_cast<std::size_t>(INT32_MAX))
    throw std::invalid_argument(std::string("gemm: ") + what + " = " + std::to_string(n) +
                                " (must be 1 to 2^31-1)");
  return static_cast<int>(n);
}

// `gemm --json`'s object: Inf stays a float (JSON needs a string for it, Python does not);
// values the run did not measure are None.
nb::dict metrics_dict(const ExperimentSpec& s, const ExperimentResult& r) {
  nb::dict out;
  out["model"] = s.model.empty() ? std::string("custom") : s.model;
  out["backend"] = s.backend;
  out["scheme"] = s.scheme.empty() ? std::string("none") : s.scheme;
  out["accumulator"] = r.accumulator;
  out["acc_format"] = r.acc_format;
  out["M"] = s.M;
  out["N"] = s.N;
  out["K"] = s.K;
  out["dist"] = s.dist;
  out["seed"] = s.seed;
  out["reference"] = s.reference;
  out["permutations"] = s.permutations;
  out["algorithm"] = parse_gemm_algorithm(s.algorithm).describe();  // valid: the run resolved it
  out["reference_of"] = s.reference_of;
  if (s.amax_history_len > 0) {  // as `gemm --json`: only for delayed scaling with a history
    out["amax_history_len"] = s.amax_history_len;
    out["outlier_growth"] = s.outlier_growth;
  }
  for (const auto& [name, v, counted] : result_values(r))
    out[nb::str(name.data(), name.size())] = counted ? nb::object(nb::float_(v)) : nb::none();
  out["seconds"] = r.seconds;
  if (!r.backend_info.empty()) out["backend_info"] = r.backend_info;
  return out;
}

nb::tuple gemm(std::optional<Matrix> A, std::optional<Matrix> B, std::optional<Matrix> C,
               const nb::dict& options, int threads) {
  ExperimentSpec s;
  for (auto [k, v] : options) set_spec_field(s, nb::cast<std::string>(k), v, "gemm");
  check_threads(threads, "threads");
  if (A.has_value() != B.has_value())
    throw std::invalid_argument("gemm: give both A and B, or neither (then M, N, K and dist generate inputs)");
  ExperimentResult r;
  if (A) {
    if (A->shape(1) != B->shape(0))
      throw std::invalid_argument("gemm: shapes do not chain: A is " + std::to_string(A->shape(0)) + "x" +
                                  std::to_string(A->shape(1)) + ", B is " + std::to_string(B->shape(0)) + "x" +
                                  std::to_string(B->shape(1)) + " (need A's columns == B's rows)");
    s.M = dim(A->shape(0), "M");
    s.K = dim(A->shape(1), "K");
    s.N = dim(B->shape(1), "N");
    s.dist.clear();
    if (C && (C->shape(0) != A->shape(0) || C->shape(1) != B->shape(1)))
      throw std::invalid_argument("gemm: C is " + std::to_string(C->shape(0)) + "x" + std::to_string(C->shape(1)) +
                                  ", expected " + std::to_string(s.M) + "x" + std::to_string(s.N));
    const double* c0 = C ? C->data() : nullptr;
    nb::gil_scoped_release unlocked;
    r = run_experiment_on(s, A->data(), B->data(), c0, threads, true);
  } else {
    if (C) throw std::invalid_argument("gemm: C needs A and B");
    nb::gil_scoped_release unlocked;
    r = run_experiment(s, threads, true);
  }
  auto* d = new std::vector<double>(std::move(r.C));
  nb::capsule owner(d, [](void* p) noexcept { delete static_cast<std::vector<double>*>(p); });
  nb::ndarray<nb::numpy, double, nb::ndim<2>> D(
      d->data(), {static_cast<std::size_t>(s.M), static_cast<std::size_t>(s.N)}, owner);
  return nb::make_tuple(D, metrics_dict(s, r));
}

}  // namespace

void bind_gemm(nb::module_& m) {
  m.def("gemm", &gemm, nb::arg("A").none(), nb::arg("B").none(), nb::arg("C").none(), nb::arg("options"),
        nb::arg("threads"));
}

}  // namespace floatscope::python
