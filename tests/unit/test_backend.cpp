// The backend seam (backend.hpp): registry, the cpu backend, and a backend that cannot count
// events, whose event cells must be empty (CSV) / null (JSON), never zero.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>

#include "floatscope/backend.hpp"
#include "floatscope/experiment.hpp"
#include "floatscope/sweep.hpp"

using namespace floatscope;

namespace {

std::atomic<int> fake_calls{0};

// Computes D with the cpu backend but, like a real tensor core, reports no events.
class NoEventsBackend final : public Backend {
 public:
  std::string_view name() const override { return "test-no-events"; }
  bool counts_events() const override { return false; }
  BackendResult run(const GemmRequest& req) const override {
    ++fake_calls;
    BackendResult r = get_backend("cpu").run(req);
    r.events.reset();
    return r;
  }
};

void register_fake_once() {
  if (!find_backend("test-no-events")) register_backend(std::make_unique<NoEventsBackend>());
}

}  // namespace

TEST_CASE("backend registry: cpu is built in, unknown names list the valid ones", "[backend]") {
  const Backend* cpu = find_backend("cpu");
  REQUIRE(cpu != nullptr);
  CHECK(cpu->name() == "cpu");
  CHECK(cpu->counts_events());
  const auto names = backend_names();
  REQUIRE(!names.empty());
  CHECK(names.front() == "cpu");
  CHECK(find_backend("tpu") == nullptr);
  CHECK_THROWS_WITH(get_backend("tpu"), Catch::Contains("backend") && Catch::Contains("'tpu'") &&
                                            Catch::Contains("cpu"));
  ExperimentSpec s;
  s.backend = "tpu";
  CHECK_THROWS_WITH(run_experiment(s, 1), Catch::Contains("backend") && Catch::Contains("cpu"));
  register_fake_once();
  CHECK_THROWS_WITH(register_backend(std::make_unique<NoEventsBackend>()),
                    Catch::Contains("registered already"));
  const auto after = backend_names();
  CHECK(std::find(after.begin(), after.end(), "test-no-events") != after.end());
}

TEST_CASE("the cpu backend runs one GEMM from typed values and counts its events", "[backend]") {
  const Accumulator acc = make_scalar_accumulator(parse_format("fp16"), parse_format("fp16"));
  const double A[] = {1, 2, 3, 4}, B[] = {5, 6, 7, 8}, C0[] = {1, 1, 1, 1};
  const BackendResult r = get_backend("cpu").run(GemmRequest{&acc, 2, 2, 2, A, B, C0, 1});
  CHECK(r.D == std::vector<double>{20, 23, 44, 51});
  REQUIRE(r.events.has_value());
  CHECK(r.events->products == 8);
}

TEST_CASE("experiments run through the named backend; without event counts the cells are empty",
          "[backend]") {
  register_fake_once();
  ExperimentSpec s;
  s.a_format = "fp16";
  s.acc_format = "fp16";
  s.M = s.N = 4;
  s.K = 64;
  s.dist = "uniform01";
  const ExperimentResult cpu = run_experiment(s, 1, true);
  s.backend = "test-no-events";
  s.permutations = 3;
  const int before = fake_calls.load();
  const ExperimentResult fake = run_experiment(s, 1, true);
  CHECK(fake_calls.load() - before == 1 + 3);  // the GEMM and each permutation
  CHECK(fake.C == cpu.C);
  CHECK(!fake.events_counted);
  CHECK(cpu.events_counted);

  const std::vector<std::string> event_values = {
      "underflow_frac", "overflow_frac", "product_underflow_frac", "partial_underflow_frac",
      "saturated_frac", "stagnation_count", "products", "partials"};
  // Block-scaling values are measured only with a block scheme (none here).
  const std::vector<std::string> block_values = {"clamped_frac", "flushed_frac", "mean_scale_exp", "max_scale_exp"};
  // Output-conversion values are measured only with an output_format (none here).
  const std::vector<std::string> output_values = {"output_overflow_frac", "output_underflow_frac",
                                                  "output_subnormal_frac", "output_mode_differ_frac"};
  const auto not_measured_here = [&](std::string_view name) {
    return std::find(block_values.begin(), block_values.end(), name) != block_values.end() ||
           std::find(output_values.begin(), output_values.end(), name) != output_values.end();
  };
  for (const auto& v : result_values(fake)) {
    const bool is_event = std::find(event_values.begin(), event_values.end(), v.name) != event_values.end();
    INFO(v.name);
    CHECK(v.counted == !(is_event || not_measured_here(v.name)));
  }
  // The cpu run had no permutations: those three values were not measured (empty, not nan).
  const std::vector<std::string> permutation_values = {"distinct_results", "mean_distinct_results",
                                                       "spread_ulps"};
  for (const auto& v : result_values(cpu)) {
    INFO(v.name);
    CHECK(v.counted == (std::find(permutation_values.begin(), permutation_values.end(), v.name) ==
                        permutation_values.end() && !not_measured_here(v.name)));
  }

  // In a sweep row: event cells empty, the rest numbers; the backend column is its name.
  sweep::SweepConfig config;
  config.set("backend", {"test-no-events"});
  config.set("a_format", {"fp16"});
  config.set("K", {"64"});
  config.set("M", {"4"});
  config.set("N", {"4"});
  const auto points = sweep::expand(config);
  REQUIRE(points.size() == 1);
  const auto row = sweep::result_row(points[0], run_experiment(points[0].spec, 1));
  CHECK(row[sweep::csv_column("backend")] == "test-no-events");
  for (const auto& name : event_values) CHECK(row[sweep::csv_column(name)].empty());
  CHECK(!row[sweep::csv_column("max_rel_err")].empty());
  CHECK(row[sweep::csv_column("nan_count")] == "0");  // counted from the outputs, not events
}
