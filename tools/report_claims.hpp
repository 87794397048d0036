// The "published vs measured" table of an experiment report: each [[report.claim]] of the config
// evaluated on results.csv, with a verdict.
#pragma once

#include <string>
#include <vector>

#include "report_data.hpp"
#include "report_spec.hpp"

namespace floatscope::cli::report {

struct MeasuredValue {
  double value = NAN;
  std::size_t rows = 0;  // rows the filter selected
};

struct ClaimResult {
  const ClaimSpec* spec = nullptr;
  MeasuredValue measured;
  MeasuredValue reference;  // the published number (rows = 0) or the `than` measurement
  double ratio = NAN;       // measured / reference
  std::string verdict;      // held, not held, not measured, measured (expect = none)
};

// Rows of `t` that `filter` keeps.
std::vector<const std::vector<std::string>*> select_rows(const Table& t, const RowFilter& filter);
MeasuredValue measure(const Table& t, const Measurement& m);
std::vector<ClaimResult> evaluate_claims(const Table& t, const ReportSpec& spec);

// "median of max_rel_err over 3 rows with model=h100-fp8, K=4096"
std::string describe(const Measurement& m, std::size_t rows);
// "near 0.02 (within 4x)", "below the measurement ... / 10", ...
std::string expectation_text(const ClaimSpec& c);

// claims.csv: one row per claim, the numbers unrounded, for reports/README.md and scripts.
std::string claims_csv(const std::vector<ClaimResult>& results);
const std::vector<std::string>& claims_csv_columns();

}  // namespace floatscope::cli::report
