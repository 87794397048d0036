// `floatscope gemm` replays recorded H100 tensor-core outputs bit for bit, row by row through .npy
// files: the subset shipped in tests/data/hwdata-subset (always there in a clone; its README gives
// the source and licence). Without it this file reports Skipped (skip.hpp).
#include <catch2/catch.hpp>

#include <bit>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "floatscope/npy.hpp"
#include "run_process.hpp"
#include "skip.hpp"

using floatscope::test::ProcResult;
using floatscope::test::run_cli;
namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / "floatscope_cli_hwdata";
  fs::create_directories(dir);
  return dir / name;
}

}  // namespace

TEST_CASE("gemm: replays recorded H100 tensor-core outputs bit for bit") {
  const fs::path hw = fs::path(FLOATSCOPE_SOURCE_DIR) / "tests" / "data" / "hwdata-subset";
  if (!fs::exists(hw)) {
    floatscope::test::skip_test_case(hw.string() + " absent: no recorded-output replay");
    return;
  }
  struct Case {
    const char* folder;
    const char* model;
    const char* format;
    bool use_c;
  };
  for (const Case& cs : {Case{"H100_bf16", "h100-bf16", "bf16", true},
                         Case{"H100_E4M3", "h100-fp8", "e4m3", false},
                         Case{"H100_E5M2", "h100-fp8", "e5m2", false}}) {
    INFO(cs.folder);
    const auto a = floatscope::npy_to_u32(floatscope::read_npy((hw / cs.folder / "a.npy").string()));
    const auto b = floatscope::npy_to_u32(floatscope::read_npy((hw / cs.folder / "b.npy").string()));
    const auto c = floatscope::npy_to_u32(floatscope::read_npy((hw / cs.folder / "c.npy").string()));
    const auto d = floatscope::npy_to_u32(floatscope::read_npy((hw / cs.folder / "d_fp32.npy").string()));
    const std::size_t K = a.size() / d.size();
    for (std::size_t row = 0; row < 25; ++row) {
      std::vector<double> av(K), bv(K);
      for (std::size_t k = 0; k < K; ++k) {
        av[k] = std::bit_cast<float>(a[row * K + k]);
        bv[k] = std::bit_cast<float>(b[row * K + k]);
      }
      const double cv = cs.use_c ? std::bit_cast<float>(c[row]) : 0.0;
      const fs::path pa = scratch("hwA.npy"), pb = scratch("hwB.npy"), pc = scratch("hwC.npy"),
                     pd = scratch("hwD.npy");
      floatscope::write_npy(pa.string(), av.data(), {1, K}, true);
      floatscope::write_npy(pb.string(), bv.data(), {K, 1}, true);
      floatscope::write_npy(pc.string(), &cv, {1, 1}, true);
      const ProcResult r = run_cli({"gemm", "--a", pa.string(), "--b", pb.string(), "--c", pc.string(),
                                    "--model", cs.model, "--a-format", cs.format, "--out",
                                    pd.string(), "--out-float32", "--json"});
      INFO("row " << row << " stderr: " << r.err);
      REQUIRE(r.exit_code == 0);
      const auto out = floatscope::read_npy(pd.string());
      REQUIRE(out.descr == "<f4");
      std::uint32_t bits;
      std::memcpy(&bits, out.data.data(), 4);
      CHECK(bits == d[row]);
    }
  }
}
