// Input arrays and reports shared by `floatscope check` and `floatscope fit`.
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "command.hpp"
#include "floatscope/codec.hpp"
#include "floatscope/format.hpp"
#include "floatscope/npy.hpp"

namespace floatscope::cli::checkio {

struct Array {
  std::vector<double> v;
  std::vector<std::size_t> shape;
  std::string path;
  std::size_t rows = 0, cols = 0;  // NpyArray's matrix view (1-D: n x 1)
};

// A .npy file of values: float16/32/64 as they are; uint8/uint16 as codes of `codes_format`
// (required, named by `codes_flag` in the message when missing; an empty codes_flag refuses codes);
// uint32 as fp32 bit patterns (how recorded hardware data store them). `what` names the array in
// messages ("A", "--got").
inline Array read_values(const std::string& path, std::string_view what, const std::string& codes_format,
                         std::string_view codes_flag) {
  NpyArray arr;
  try {
    arr = read_npy(path);
  } catch (const NpyError& e) {
    throw UsageError(e.what());
  }
  Array out;
  out.path = path;
  out.shape = arr.shape;
  out.rows = arr.rows();
  out.cols = arr.cols();
  try {
    if (arr.descr == "<f2" || arr.descr == "<f4" || arr.descr == "<f8") {
      out.v = npy_to_doubles(arr);
    } else if (arr.descr == "|u1" || arr.descr == "<u2") {
      if (codes_flag.empty())
        throw UsageError(fmt::format("{}: {} holds integer codes ({}); it takes values here (float16/32/64)",
                                     path, what, arr.descr));
      if (codes_format.empty())
        throw UsageError(fmt::format("{}: {} holds integer codes ({}); give their format with {}", path,
                                     what, arr.descr, codes_flag));
      out.v = npy_codes_to_doubles(arr, parse_format(codes_format));
    } else if (arr.descr == "<u4") {
      out.v = npy_codes_to_doubles(arr, parse_format("fp32"));
    } else {
      throw UsageError(fmt::format("{}: {} has dtype {}; expected float16/32/64, uint8/uint16 codes, "
                                   "or uint32 fp32 bit patterns", path, what, arr.descr));
    }
  } catch (const NpyError& e) {
    throw UsageError(e.what());
  }
  return out;
}

inline std::string hex_float(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[48];
  std::snprintf(buf, sizeof buf, "%a", v);
  return buf;
}

// "0x7e (448)": the code in the format and the value; "off-grid 0x1.01p+0" when the value has no
// code there (a result that is not a value of the format at all).
inline std::string code_and_value(double v, const Format& f) {
  std::string code;
  try {
    code = format_code(encode(v, f), f);
  } catch (const std::exception&) {
    return "off-grid " + hex_float(v);
  }
  return fmt::format("{} ({})", code, std::isnan(v) ? std::string("nan") : fmt::format("{:.9g}", v));
}

inline std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// One JUnit <testcase>: passed, failed (with message and detail text) or skipped (with message).
struct JunitCase {
  std::string name;
  bool failed = false, skipped = false;
  std::string message, detail;
};

// The JUnit XML CI systems read: one <testsuite> of `cases`.
inline std::string junit_xml(const std::string& suite, const std::string& classname,
                             const std::vector<JunitCase>& cases) {
  std::size_t failures = 0, skipped = 0;
  for (const auto& c : cases) {
    failures += c.failed;
    skipped += c.skipped;
  }
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += fmt::format("<testsuites name=\"floatscope\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">\n",
                   cases.size(), failures, skipped);
  x += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">\n",
                   xml_escape(suite), cases.size(), failures, skipped);
  for (const auto& c : cases) {
    x += fmt::format("    <testcase classname=\"{}\" name=\"{}\"", xml_escape(classname), xml_escape(c.name));
    if (c.failed)
      x += fmt::format(">\n      <failure type=\"mismatch\" message=\"{}\">{}</failure>\n    </testcase>\n",
                       xml_escape(c.message), xml_escape(c.detail));
    else if (c.skipped)
      x += fmt::format(">\n      <skipped message=\"{}\"/>\n    </testcase>\n", xml_escape(c.message));
    else
      x += "/>\n";
  }
  x += "  </testsuite>\n</testsuites>\n";
  return x;
}

// Writes path + ".tmp" and renames it over path: no half-written report looks complete.
inline void write_file_atomically(const std::string& path, std::string_view text) {
  const std::string tmp = path + ".tmp";
  write_text_file(tmp, text);
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw std::runtime_error("cannot write " + path + ": rename failed");
  }
}

// --max-mismatch: a fraction of the checked values in [0, 1].
inline void check_max_mismatch(double m) {
  if (!(m >= 0 && m <= 1))
    throw UsageError(fmt::format("--max-mismatch: {} is not a fraction in [0, 1] (0.001 = 0.1%)", m));
}

}  // namespace floatscope::cli::checkio
