// floatscope._core: the nanobind extension behind the `floatscope` Python package.
//
// C++ exceptions become Python ones by nanobind's standard translation: std::invalid_argument and
// std::domain_error -> ValueError (bad names and values; the message is the one the CLI prints
// after "floatscope: "), nb::type_error -> TypeError, anything else -> RuntimeError.
#include "bindings.hpp"
#include "command.hpp"  // cli::UsageError: bad input found by code shared with the CLI

NB_MODULE(_core, m) {
  m.doc() = "floatscope C++ core (use the floatscope package, not this module)";
  nanobind::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const floatscope::cli::UsageError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
  floatscope::python::bind_tables(m);
  floatscope::python::bind_round(m);
  floatscope::python::bind_gemm(m);
  floatscope::python::bind_quantize(m);
  floatscope::python::bind_sweep(m);
  floatscope::python::bind_check(m);
}
