// The parts of the floatscope._core extension module, one function per file, called by module.cpp.
// The Python package (python/floatscope/__init__.py) is the public face: it checks dtypes, makes
// arrays contiguous and allocates outputs, then calls these with flat, contiguous buffers.
#pragma once

#include <nanobind/nanobind.h>

#include <string>

#include "floatscope/experiment.hpp"

namespace floatscope::python {

void bind_tables(nanobind::module_& m);  // formats(), models(), format_info()
void bind_round(nanobind::module_& m);   // round / encode / decode over NumPy buffers
void bind_gemm(nanobind::module_& m);    // one experiment, as `floatscope gemm`
void bind_quantize(nanobind::module_& m);  // quantize(), as `floatscope quantize`
void bind_sweep(nanobind::module_& m);   // sweep() and the results.csv reader
void bind_check(nanobind::module_& m);   // fit(), check_round(), check_gemm(), as `floatscope fit|check`

// Sets the ExperimentSpec field named by a gemm() keyword (a_format, block_fma, promote, ...) from
// a Python value of the CLI option's type; TypeError/ValueError messages start with "fn: ".
void set_spec_field(ExperimentSpec& s, const std::string& key, nanobind::handle v, const std::string& fn);

}  // namespace floatscope::python
