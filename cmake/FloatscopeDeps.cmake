# Finds the Debian-packaged dependencies (scripts/install-deps.sh installs them). Each REQUIRED
# package is required only by the parts that use it:
#   library     MPFR, GMP (reference.hpp includes mpfr.h), OpenMP, fmt (linked publicly),
#               Highway (headers only, private: the SIMD loops),
#               toml++ (the public header sweep_toml.hpp includes it)
#   tools       CLI11, nlohmann_json
#   python      CLI11, nlohmann_json (the module writes meta.json with tools/sweep_meta.cpp)
#   tests       Catch2 v2 (tests/CMakeLists.txt stops with an error when it is missing),
#               nlohmann_json, Eigen (test_gemm_eigen: a double GEMM oracle), Boost
#               (test_reference: Boost.Multiprecision exact sums)
#   bench       Google Benchmark (optional: bench/ is skipped without it)
#   MPI         Open MPI (optional: `mpirun -n N floatscope sweep` and its tests; without it the
#               program runs sweeps in one process and the MPI tests report Skipped)
find_package(PkgConfig REQUIRED)
pkg_check_modules(MPFR REQUIRED IMPORTED_TARGET mpfr)
pkg_check_modules(GMP REQUIRED IMPORTED_TARGET gmp)
find_package(OpenMP REQUIRED COMPONENTS CXX)
find_package(fmt REQUIRED)
find_package(tomlplusplus QUIET)
if(NOT tomlplusplus_FOUND)
  find_path(TOMLPP_INCLUDE toml++/toml.h REQUIRED)
  add_library(tomlplusplus::tomlplusplus INTERFACE IMPORTED)
  target_include_directories(tomlplusplus::tomlplusplus INTERFACE ${TOMLPP_INCLUDE})
endif()
# Highway (libhwy-dev), used header-only for the runtime-dispatched SIMD loops of the library.
find_path(HWY_INCLUDE_DIR hwy/foreach_target.h REQUIRED)
# Visible to a project that add_subdirectory()s floatscope, like the installed config provides it
# (the library does not link toml++; code that includes sweep_toml.hpp links this target).
set_target_properties(tomlplusplus::tomlplusplus PROPERTIES IMPORTED_GLOBAL TRUE)
if(FLOATSCOPE_BUILD_TOOLS OR FLOATSCOPE_BUILD_TESTS OR FLOATSCOPE_BUILD_PYTHON)
  find_package(nlohmann_json 3 REQUIRED)
endif()
if(FLOATSCOPE_BUILD_TOOLS OR FLOATSCOPE_BUILD_PYTHON)
  find_package(CLI11 REQUIRED)
endif()
if(FLOATSCOPE_BUILD_TESTS)
  find_package(Catch2 2 QUIET)
  find_package(Eigen3 3.3 REQUIRED NO_MODULE)
  find_package(Boost 1.74 REQUIRED)
endif()
find_package(benchmark QUIET)
if(FLOATSCOPE_BUILD_TOOLS)
  find_package(MPI COMPONENTS CXX QUIET)
  if(MPI_CXX_FOUND)
    message(STATUS "MPI found (${MPIEXEC_EXECUTABLE}): `mpirun -n N floatscope sweep` is built")
  else()
    message(STATUS "MPI not found: floatscope sweep runs in one process only (scripts/install-deps.sh "
                   "installs Open MPI); the MPI tests will report Skipped")
  endif()
endif()
find_program(GNUPLOT_EXECUTABLE gnuplot)
# md4c (libmd4c-dev, libmd4c-html0-dev): renders report.md's Markdown into report.html (the program only).
if(FLOATSCOPE_BUILD_TOOLS)
  pkg_check_modules(MD4C_HTML REQUIRED IMPORTED_TARGET md4c-html)
endif()
