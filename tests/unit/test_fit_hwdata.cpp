// fit() refits every recorded tensor-core set from scratch (Khattak & Mikaitis, arXiv 2512.07004):
// the full 5000-case sets in FLOATSCOPE_SHARED_DIR/hwdata when present, else the 500-case subset
// shipped in tests/data/hwdata-subset. The data are the recorded output words; the oracle is the
// named hardware model's parameters (models.cpp, docs/references.md s.5): the fit must reproduce
// 100% of the rows, and the named model's parameters must be among the 100% fits (block sizes of
// K or more are one, and where C is zero in the recordings, how C enters cannot be seen).
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "floatscope/fit.hpp"
#include "floatscope/models.hpp"
#include "floatscope/npy.hpp"
#include "skip.hpp"

namespace fs = std::filesystem;
using namespace floatscope;

namespace {

double f32(std::uint32_t w) { return static_cast<double>(std::bit_cast<float>(w)); }

std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

DotCases load(const fs::path& dir, bool c_zero, const char* d_file = "d_fp32.npy") {
  const NpyArray A = read_npy((dir / "a.npy").string());
  const auto a = npy_to_u32(A);
  const auto b = npy_to_u32(read_npy((dir / "b.npy").string()));
  const auto c = npy_to_u32(read_npy((dir / "c.npy").string()));
  const auto d = npy_to_u32(read_npy((dir / d_file).string()));
  DotCases cases;
  cases.K = static_cast<int>(A.cols());
  for (auto w : a) cases.a.push_back(f32(w));
  for (auto w : b) cases.b.push_back(f32(w));
  for (auto w : c) cases.c.push_back(c_zero ? 0.0 : f32(w));
  for (auto w : d) cases.d.push_back(f32(w));
  return cases;
}

// The fitted parameters equal the model's, as far as dot products of length K can show them.
bool same_parameters(const Accumulator& fit, const Accumulator& model, int K, bool c_zero) {
  if (!fit.fused || !model.fused) return false;
  const FusedUnit &f = *fit.fused, &m = *model.fused;
  if (std::min(f.L, K) != std::min(m.L, K) || f.F != m.F || f.out.name != m.out.name || f.out_mode != m.out_mode)
    return false;
  if (f.pair_interleave != m.pair_interleave || f.align_mode != m.align_mode ||
      f.normalized_products != m.normalized_products)
    return false;
  if (fit.c_format.has_value() != model.c_format.has_value() ||
      (fit.c_format && (fit.c_format->name != model.c_format->name || fit.c_rounding.mode != model.c_rounding.mode)))
    return false;
  if (c_zero) return true;  // C = 0 recorded: where C enters leaves no trace
  if (f.c_outside != m.c_outside) return false;
  if (f.c_outside && (f.c_add_format.name != m.c_add_format.name || f.c_add_rounding.mode != m.c_add_rounding.mode))
    return false;
  const auto promote = [&](const Accumulator& a) { return a.promote == 0 ? 0 : std::min(a.promote, K); };
  return promote(fit) == promote(model) &&
         (fit.promote == 0 || (fit.outer_rounding.mode == model.outer_rounding.mode &&
                               fit.outer_format.name == model.outer_format.name));
}

// The full recorded sets when ../shared is present, else the shipped subset; ("", "") after
// marking the test case skipped when neither exists.
std::pair<fs::path, std::string> hwdata_root() {
  if (fs::path full = test::shared_dir() / "hwdata"; fs::is_directory(full)) return {full, "full sets"};
  if (fs::path subset = fs::path(FLOATSCOPE_SOURCE_DIR) / "tests" / "data" / "hwdata-subset"; fs::is_directory(subset))
    return {subset, "shipped subset"};
  test::skip_test_case("no hwdata (neither " + (test::shared_dir() / "hwdata").string() + " nor the subset)");
  return {};
}

}  // namespace

TEST_CASE("fit recovers the named model of every recorded tensor-core set", "[fit_hwdata]") {
  const auto [root, which] = hwdata_root();
  if (root.empty()) return;
  int sets = 0;
  double seconds = 0, slowest = 0;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (!entry.is_directory()) continue;
    const std::string name = entry.path().filename().string();
    const auto u = name.find('_');
    const std::string gpu = lower(name.substr(0, u)), fmt_name = lower(name.substr(u + 1));
    const bool fp8 = fmt_name == "e4m3" || fmt_name == "e5m2";
    // H100/H200 FP8 were recorded with wgmma and C = 0 (the data's README).
    const bool c_zero = fp8 && (gpu == "h100" || gpu == "h200");
    const DotCases data = load(entry.path(), c_zero);
    FitSpace space;
    space.a_format = space.b_format = parse_format(fmt_name);
    const FitResult r = fit(data, space, 1);
    const Format in = parse_format(fmt_name);
    const Accumulator model = model_accumulator(gpu + "-" + (fp8 ? "fp8" : fmt_name), in, in);
    std::size_t full = 0;
    bool model_found = false;
    for (const auto& m : r.models)
      if (m.matched == data.size()) {
        ++full;
        const bool same = same_parameters(m.acc, model, data.K, c_zero);
        model_found = model_found || same;
        // Half the E4M3 rows hold a subnormal input that counts: the recordings show that the
        // units read subnormals (no flush); the other rules meet no recorded row.
        if (same && fmt_name == "e4m3") {
          INFO(name << ": " << m.label);
          REQUIRE(m.rules.size() == 4);
          CHECK(m.rules[0].rule == "subnormal inputs");
          CHECK(m.rules[0].options == std::vector<std::string>{"keep"});
          CHECK(m.rules[0].cases > 0);
        }
      }
    INFO(name << ": " << r.space_size << " candidates, " << r.completed << " run on all cases, best "
              << (r.models.empty() ? std::string("none") : r.models.front().label + " " +
                                                               std::to_string(r.models.front().matched)) << "/"
              << data.size() << "; model " << model.describe());
    CHECK(full >= 1);
    CHECK(model_found);
    std::cout << name << ": " << full << " fit(s) reproduce all " << data.size() << " rows, e.g. "
              << (r.models.empty() ? "-" : r.models.front().label) << " (" << r.seconds << " s, "
              << r.evaluations << " dot products)\n";
    seconds += r.seconds;
    slowest = std::max(slowest, r.seconds);
    ++sets;
  }
  std::cout << "fit_hwdata (" << which << "): " << sets << " sets refit in " << seconds << " s, slowest "
            << slowest << " s\n";
  CHECK(sets >= 31);
}

// The fp16-D recordings (d_fp16.npy, where recorded): fit finds fp16 accumulation (steps rounded to
// fp16 with RNE, C read in fp16; for FP8 on H100/H200/B200 the interleaved fp16-datapath schedule)
// with the -acc16 model's parameters among the fits, and reproduces every row.
TEST_CASE("fit recovers fp16 accumulation from every recorded fp16-D set", "[fit_hwdata]") {
  const auto [root, which] = hwdata_root();
  if (root.empty()) return;
  int sets = 0;
  double seconds = 0, slowest = 0;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (!entry.is_directory() || !fs::is_regular_file(entry.path() / "d_fp16.npy")) continue;
    const std::string name = entry.path().filename().string();
    const auto u = name.find('_');
    const std::string gpu = lower(name.substr(0, u)), fmt_name = lower(name.substr(u + 1));
    const bool fp8 = fmt_name == "e4m3" || fmt_name == "e5m2";
    const DotCases data = load(entry.path(), false, "d_fp16.npy");
    FitSpace space;
    space.a_format = space.b_format = parse_format(fmt_name);
    const FitResult r = fit(data, space, 1);
    seconds += r.seconds;
    slowest = std::max(slowest, r.seconds);
    const std::string model_name = gpu + "-" + (fp8 ? "fp8" : fmt_name) + "-acc16";
    const std::string best = r.models.empty() ? std::string("none")
                                              : r.models.front().label + " " + std::to_string(r.models.front().matched);
    INFO(name << " d_fp16: " << r.space_size << " candidates, best " << best << "/" << data.size());
    REQUIRE(find_model(model_name));
    const Format in = parse_format(fmt_name);
    const Accumulator model = model_accumulator(model_name, in, in);
    std::size_t full = 0;
    bool model_found = false;
    for (const auto& m : r.models)
      if (m.matched == data.size()) {
        ++full;
        model_found = model_found || same_parameters(m.acc, model, data.K, false);
      }
    INFO("model " << model.describe());
    CHECK(full >= 1);
    CHECK(model_found);
    std::cout << name << " d_fp16: " << full << " fit(s) reproduce all " << data.size() << " rows, e.g. "
              << (r.models.empty() ? "-" : r.models.front().label) << " (" << r.seconds << " s)\n";
    CHECK(!r.aligner_variants);  // a truncating unit fits: the variants were not needed
    ++sets;
  }
  std::cout << "fit_hwdata d_fp16 (" << which << "): " << sets << " sets refit in " << seconds << " s, slowest "
            << slowest << " s\n";
  CHECK(sets == 16);
}
