// The named hardware models against tensor-core outputs recorded on real GPUs
// (../shared/hwdata, Khattak & Mikaitis, arXiv 2512.07004): every folder, every row, bit for bit.
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>

#include "floatscope/gemm.hpp"
#include "floatscope/models.hpp"
#include "floatscope/npy.hpp"

namespace fs = std::filesystem;
using namespace floatscope;

namespace {

double f32(std::uint32_t w) { return static_cast<double>(std::bit_cast<float>(w)); }

struct Folder {
  std::string gpu, fmt;
};

Folder split(const std::string& name) {
  const auto u = name.find('_');
  return {name.substr(0, u), name.substr(u + 1)};
}

std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// The README lists what its simple model could not fit; everything else must match 100%.
bool fitted(const std::string& folder) {
  return folder != "A2_tf32" && folder != "L40S_fp16" && folder != "L40S_bf16" &&
         folder != "L40S_tf32";
}

}  // namespace

TEST_CASE("hardware models reproduce recorded tensor-core outputs bit for bit", "[hwdata]") {
  const fs::path root = fs::path(FLOATSCOPE_SHARED_DIR) / "hwdata";
  if (!fs::is_directory(root)) {
    WARN("hwdata folder " << root << " absent: hardware comparison skipped");
    return;
  }
  int folders = 0;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (!entry.is_directory()) continue;
    const std::string name = entry.path().filename().string();
    const Folder f = split(name);
    const bool fp8 = f.fmt == "E4M3" || f.fmt == "E5M2";
    const std::string model = lower(f.gpu) + "-" + (fp8 ? "fp8" : f.fmt);
    const auto fmt = fp8 ? std::optional<Format>(parse_format(lower(f.fmt))) : std::nullopt;
    const Accumulator acc = model_accumulator(model, fmt, fmt);
    // H100/H200 FP8 was recorded with wgmma and C = 0 (README): ignore the c file there.
    const bool c_zero = fp8 && (f.gpu == "H100" || f.gpu == "H200");

    const NpyArray A = read_npy((entry.path() / "a.npy").string());
    const auto a = npy_to_u32(A);
    const auto b = npy_to_u32(read_npy((entry.path() / "b.npy").string()));
    const auto c = npy_to_u32(read_npy((entry.path() / "c.npy").string()));
    const auto d = npy_to_u32(read_npy((entry.path() / "d_fp32.npy").string()));
    const std::size_t rows = A.rows(), K = A.cols();
    REQUIRE(a.size() == rows * K);
    REQUIRE(b.size() == rows * K);
    REQUIRE(d.size() == rows);

    std::size_t match = 0, first_bad = rows;
    std::vector<double> av(K), bv(K);
    double got_bad = 0;
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t k = 0; k < K; ++k) {
        av[k] = f32(a[r * K + k]);
        bv[k] = f32(b[r * K + k]);
      }
      const double cv = c_zero ? 0.0 : f32(c[r]);
      const double y = emulate_dot(acc, av.data(), bv.data(), static_cast<int>(K), cv);
      const bool ok = std::isnan(y) ? d[r] == 0x7FFFFFFFu
                                    : std::bit_cast<std::uint32_t>(static_cast<float>(y)) == d[r];
      if (ok) {
        ++match;
      } else if (first_bad == rows) {
        first_bad = r;
        got_bad = y;
      }
    }
    ++folders;
    const double pct = 100.0 * static_cast<double>(match) / static_cast<double>(rows);
    if (fitted(name)) {
      INFO(name << " with " << model << ": " << match << "/" << rows << " rows match; first "
                << "mismatch row " << first_bad << " model " << got_bad << " hardware "
                << (first_bad < rows ? f32(d[first_bad]) : 0.0));
      CHECK(match == rows);
    } else {
      WARN(name << " (not fitted by the data's README) with " << model << ": " << match << "/"
                << rows << " rows match (" << pct << "%)");
    }
  }
  CHECK(folders >= 31);
}
