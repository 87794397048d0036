// NumPy .npy files: the matrices users export from NumPy / PyTorch, and the recorded hardware data.
//
// Reads format versions 1.0, 2.0 and 3.0 (the header is a Python dict literal with exactly the keys
// 'descr', 'fortran_order' and 'shape'); writes version 1.0 (2.0 only for headers over 64 KiB), as
// numpy.save does. Supported element types: little-endian f2/f4/f8, u1/u2/u4/u8, i1/i2/i4/i8 (and
// their one-byte '|' forms). Everything else (big-endian data, object, complex, strings, structured
// dtypes) is rejected with an NpyError naming the file and the reason; so are truncated files and
// files with bytes after the data, since either means the file is not what its header says.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "floatscope/format.hpp"

namespace floatscope {

// Message names the file and what is wrong with it.
struct NpyError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct NpyArray {
  // numpy dtype descr in canonical form: "<f8", "<f4", "<f2", "<u4", "|u1", "<u2", "|i1", ...
  // (a '=' byte order is stored as '<', and one-byte types always use '|', as numpy writes them).
  std::string descr;
  std::vector<std::size_t> shape;
  bool fortran_order = false;
  std::vector<unsigned char> data;  // raw bytes, little-endian, in the file's (C or Fortran) order
  std::string source;               // the path it was read from; named in conversion errors

  // Product of shape (1 for shape ()).
  std::size_t size() const;
  // Matrix view: 2-D (r, c) -> r, c; 1-D (n,) -> n, 1 (a column vector: one value per row, as the
  // per-case c/d vectors of hwdata); 0-D -> 1, 1; N-D -> shape[0], product of the remaining dims.
  std::size_t rows() const;
  std::size_t cols() const;
  // Bytes per element (from descr).
  std::size_t itemsize() const;
};

// Reads a whole .npy file. Throws NpyError.
NpyArray read_npy(const std::string& path);

// Values as doubles in C (row-major) order, transposing Fortran-order data. Floats f2 (IEEE
// binary16), f4, f8 convert exactly; integer descrs give their integer values (i8/u8 values beyond
// 2^53 in magnitude throw, since they would be rounded).
std::vector<double> npy_to_doubles(const NpyArray& a);

// Element codes (an unsigned descr, |u1 .. <u8, wide enough for the format) decoded with
// floatscope::decode, in C order. Throws NpyError for a code with bits above the format's width.
std::vector<double> npy_codes_to_doubles(const NpyArray& a, const Format& f);

// Raw "<u4" words in C order (hwdata files store fp32 bit patterns as uint32).
std::vector<std::uint32_t> npy_to_u32(const NpyArray& a);

// Writes a C-order "<f8" array, or "<f4" with as_float32. Atomic: writes path + ".tmp" and renames
// it over path, so no half-written file looks complete. With as_float32, a finite value that is not
// exactly a float32 throws NpyError naming its index (NaN and +-Inf are written as float NaN/Inf):
// a silent rounding here would change the data an experiment claims to have used.
void write_npy(const std::string& path, const double* data, const std::vector<std::size_t>& shape,
               bool as_float32 = false);

// Writes a C-order "|u1" array (element codes, packed bytes), atomically as write_npy.
void write_npy_u8(const std::string& path, const std::uint8_t* data, const std::vector<std::size_t>& shape);

}  // namespace floatscope
