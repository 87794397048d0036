// round / encode / decode over NumPy buffers: the library's array functions run directly on the
// caller's contiguous memory (no copy) with the GIL released. Element i (flat, C order) draws the
// stochastic-rounding index i, as line i+1 of `floatscope round` does, so the bits match the CLI.
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "bindings.hpp"
#include "floatscope/codec.hpp"
#include "floatscope/format.hpp"
#include "floatscope/parallel.hpp"
#include "floatscope/rounding.hpp"
#include "result_pool.hpp"

namespace nb = nanobind;

namespace floatscope::python {
namespace {

template <class T>
using In = nb::ndarray<const T, nb::c_contig, nb::device::cpu>;
template <class T>
using Out = nb::ndarray<T, nb::c_contig, nb::device::cpu>;

// Values are converted through a double buffer of this many elements where a float array cannot
// be rounded in place (formats whose values are not all floats) and for encoding.
constexpr std::size_t kChunk = 1 << 16;

// The CLI's option checks, with the keyword names of the Python API.
Rounding make_rounding(const std::string& rounding, bool saturate, std::uint64_t seed, int sr_bits) {
  if (sr_bits < 1 || sr_bits > 64)
    throw std::invalid_argument("sr_bits: " + std::to_string(sr_bits) +
                                " is out of range: expected an integer from 1 to 64");
  Rounding r;
  r.mode = parse_mode(rounding);
  r.overflow = saturate ? Overflow::saturate : Overflow::spec;
  r.seed = seed;
  r.stream = 0;
  r.sr_bits = sr_bits;
  return r;
}

// `floatscope round` refuses a NaN for a format without NaN; so does the package (the result
// would be a NaN the format cannot hold, and encode has no code for it).
template <class T>
void refuse_unrepresentable_nan(const RoundStats& s, const T* x, std::size_t n, const Format& f,
                                std::size_t offset = 0) {
  if (s.nan_unrepresentable == 0) return;
  std::size_t i = 0;
  while (i < n && !std::isnan(x[i])) ++i;
  throw std::invalid_argument("NaN cannot be rounded to format '" + f.name +
                              "', which has no NaN (input index " + std::to_string(offset + i) + ")");
}

template <class T>
void check_sizes(const In<T>& x, std::size_t out_size, const char* what) {
  if (x.size() != out_size)
    throw std::invalid_argument(std::string(what) + ": output has " + std::to_string(out_size) +
                                " elements, input " + std::to_string(x.size()));
}

// The arguments every round/encode call checks first, parsed once.
struct RoundJob {
  Format f;
  Rounding r;
  std::size_t n;
};
template <class T>
RoundJob prepare(const In<T>& x, std::size_t out_size, const char* what, const std::string& format,
                 const std::string& rounding, bool saturate, std::uint64_t seed, int sr_bits, int threads) {
  RoundJob job{parse_format(format), make_rounding(rounding, saturate, seed, sr_bits), x.size()};
  check_threads(threads, "threads");
  check_sizes(x, out_size, what);
  return job;
}

// Rounds x[0, n) in double, a chunk at a time (round_array on a copy; SR indices are the global
// positions), and hands each rounded chunk to emit(first index, values).
template <class T, class Emit>
void round_chunks(const T* x, std::size_t n, const Format& f, const Rounding& r, int threads, Emit emit) {
  std::vector<double> buf(std::min(n, kChunk));
  for (std::size_t lo = 0; lo < n; lo += kChunk) {
    const std::size_t len = std::min(kChunk, n - lo);
    for (std::size_t i = 0; i < len; ++i) buf[i] = x[lo + i];
    const std::span<double> b(buf.data(), len);
    const RoundStats s = round_array(b, b, f, r, lo, threads);
    refuse_unrepresentable_nan(s, x + lo, len, f, lo);
    emit(lo, std::span<const double>(b));
  }
}

void round_f64(In<double> x, Out<double> out, const std::string& format, const std::string& rounding,
               bool saturate, std::uint64_t seed, int sr_bits, int threads) {
  const auto [f, r, n] = prepare(x, out.size(), "round", format, rounding, saturate, seed, sr_bits, threads);
  nb::gil_scoped_release unlocked;
  const RoundStats s = round_array(std::span(x.data(), n), std::span(out.data(), n), f, r, 0, threads);
  refuse_unrepresentable_nan(s, x.data(), n, f);
}

void round_f32(In<float> x, Out<float> out, const std::string& format, const std::string& rounding,
               bool saturate, std::uint64_t seed, int sr_bits, int threads) {
  const auto [f, r, n] = prepare(x, out.size(), "round", format, rounding, saturate, seed, sr_bits, threads);
  nb::gil_scoped_release unlocked;
  if (f.values_are_floats()) {
    const RoundStats s = round_array(std::span(x.data(), n), std::span(out.data(), n), f, r, 0, threads);
    refuse_unrepresentable_nan(s, x.data(), n, f);
    return;
  }
  // Wider formats (fp64, e8m0's 2^-127, custom ones): round in double, and refuse a result that a
  // float32 array would change rather than round it a second time.
  round_chunks(x.data(), n, f, r, threads, [&](std::size_t lo, std::span<const double> y) {
    for (std::size_t i = 0; i < y.size(); ++i) {
      const float v = static_cast<float>(y[i]);
      if (!std::isnan(y[i]) && static_cast<double>(v) != y[i])
        throw std::invalid_argument("round: the result " + std::to_string(y[i]) + " at index " +
                                    std::to_string(lo + i) + " in format '" + f.name +
                                    "' is not a float32; pass a float64 array");
      out.data()[lo + i] = v;
    }
  });
}

// Rounds and encodes in chunks (round_array then encode): codes[i] = encode(round(x[i])).
template <class T, class C>
void encode_into(In<T> x, Out<C> codes, const std::string& format, const std::string& rounding,
                 bool saturate, std::uint64_t seed, int sr_bits, int threads) {
  const auto [f, r, n] = prepare(x, codes.size(), "encode", format, rounding, saturate, seed, sr_bits, threads);
  if (f.width > 16)
    throw std::invalid_argument("encode: format '" + f.name + "' has " + std::to_string(f.width) +
                                "-bit codes; encode returns uint8/uint16 codes of formats of at most 16 bits "
                                "(use round for this one)");
  if (f.width > static_cast<int>(8 * sizeof(C)))
    throw nb::type_error("encode: codes of this format need uint16");
  nb::gil_scoped_release unlocked;
  round_chunks(x.data(), n, f, r, threads, [&](std::size_t lo, std::span<const double> y) {
    for (std::size_t i = 0; i < y.size(); ++i) codes.data()[lo + i] = static_cast<C>(encode(y[i], f));
  });
}

// The value of every code, with what decode() refuses (bits above the width, MXINT8's 0x80)
// refused here too, naming the index.
template <class C, class T>
void decode_into(In<C> codes, Out<T> out, const std::string& format) {
  const Format f = parse_format(format);
  if (f.width > 16)
    throw std::invalid_argument("decode: format '" + f.name + "' has " + std::to_string(f.width) +
                                "-bit codes; decode takes uint8/uint16 codes of formats of at most 16 bits");
  check_sizes(codes, out.size(), "decode");
  const std::vector<double> table = decode_table(f);
  const std::size_t n = codes.size();
  nb::gil_scoped_release unlocked;
  for (std::size_t i = 0; i < n; ++i) {
    const C c = codes.data()[i];
    if (c >= table.size() || (std::isnan(table[c]) && !f.has_nan()))
      throw std::invalid_argument("decode: code " + format_code(c, f) + " at index " + std::to_string(i) +
                                  (c >= table.size() ? " does not fit the " + std::to_string(f.width) + " bits"
                                                     : " is not a value") +
                                  " of format '" + f.name + "'");
    out.data()[i] = static_cast<T>(table[c]);
  }
}

// Whether every value of the format is a float32 (decode then returns float32).
bool decodes_to_float32(const std::string& format) {
  const Format f = parse_format(format);
  if (f.width > 16) return f.values_are_floats();
  for (double v : decode_table(f))
    if (!std::isnan(v) && static_cast<double>(static_cast<float>(v)) != v) return false;
  return true;
}

// The C++ call the benchmark compares with: round_array on the same buffers, timed in C++ (best
// of `repeats`), so the difference to floatscope.round is what the Python layer costs.
double time_round_f32(In<float> x, Out<float> out, const std::string& format, const std::string& rounding,
                      int repeats, int threads) {
  const Format f = parse_format(format);
  const Rounding r = make_rounding(rounding, false, 0, 64);
  check_sizes(x, out.size(), "time_round_f32");
  const std::size_t n = x.size();
  nb::gil_scoped_release unlocked;
  double best = 1e300;
  for (int k = 0; k < repeats; ++k) {
    const auto t0 = std::chrono::steady_clock::now();
    round_array(std::span(x.data(), n), std::span(out.data(), n), f, r, 0, threads);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

// An uninitialised C-order array of this shape in memory of the result pool (result_pool.hpp):
// the block goes back to the pool when NumPy frees the array.
template <class T>
nb::ndarray<nb::numpy, T, nb::c_contig> pooled_empty(const std::vector<std::size_t>& shape) {
  std::size_t n = 1;
  for (std::size_t s : shape) n *= s;
  auto* block = new ResultPool::Block(ResultPool::instance().acquire(std::max<std::size_t>(n, 1) * sizeof(T)));
  nb::capsule owner(block, [](void* p) noexcept {
    auto* b = static_cast<ResultPool::Block*>(p);
    ResultPool::instance().release(*b);
    delete b;
  });
  return nb::ndarray<nb::numpy, T, nb::c_contig>(block->data, shape.size(), shape.data(), owner);
}

}  // namespace

void bind_round(nb::module_& m) {
  // noconvert: an array of another dtype must not be converted into a temporary (an output
  // written there would be lost); the package passes matching dtypes.
  const auto round_args = [] {
    return std::make_tuple(nb::arg("x").noconvert(), nb::arg("out").noconvert(), nb::arg("format"), nb::arg("rounding"),
                           nb::arg("saturate"), nb::arg("seed"), nb::arg("sr_bits"), nb::arg("threads"));
  };
  std::apply([&](auto... a) { m.def("round_f64", &round_f64, a...); }, round_args());
  std::apply([&](auto... a) { m.def("round_f32", &round_f32, a...); }, round_args());
  std::apply([&](auto... a) { m.def("encode", &encode_into<double, std::uint8_t>, a...); }, round_args());
  std::apply([&](auto... a) { m.def("encode", &encode_into<double, std::uint16_t>, a...); }, round_args());
  std::apply([&](auto... a) { m.def("encode", &encode_into<float, std::uint8_t>, a...); }, round_args());
  std::apply([&](auto... a) { m.def("encode", &encode_into<float, std::uint16_t>, a...); }, round_args());
  m.def("decode", &decode_into<std::uint8_t, float>, nb::arg("codes").noconvert(), nb::arg("out").noconvert(), nb::arg("format"));
  m.def("decode", &decode_into<std::uint8_t, double>, nb::arg("codes").noconvert(), nb::arg("out").noconvert(), nb::arg("format"));
  m.def("decode", &decode_into<std::uint16_t, float>, nb::arg("codes").noconvert(), nb::arg("out").noconvert(), nb::arg("format"));
  m.def("decode", &decode_into<std::uint16_t, double>, nb::arg("codes").noconvert(), nb::arg("out").noconvert(), nb::arg("format"));
  m.def("decodes_to_float32", &decodes_to_float32, nb::arg("format"));
  m.def("pooled_empty_f32", &pooled_empty<float>, nb::arg("shape"));
  m.def("pooled_empty_f64", &pooled_empty<double>, nb::arg("shape"));
  m.attr("pooled_min_bytes") = ResultPool::kMinBytes;
  m.def("pool_cached_bytes", [] { return ResultPool::instance().cached_bytes(); });
  m.def("pool_clear", [] { return ResultPool::instance().clear(); });
  m.def("time_round_f32", &time_round_f32, nb::arg("x").noconvert(), nb::arg("out").noconvert(), nb::arg("format"),
        nb::arg("rounding"), nb::arg("repeats"), nb::arg("threads"));
}

}  // namespace floatscope::python
