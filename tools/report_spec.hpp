// The [report] table of an experiment config: the question, the published claims the results are
// checked against, the figures to draw and the conclusion (experiments/README.md shows the
// syntax). `floatscope sweep` checks it before running (so a typo fails in seconds, not after the
// sweep) and copies the config into the sweep directory; `floatscope report` reads it from there.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "report_expr.hpp"

namespace floatscope::cli::report {

// Rows whose cells equal the given values (a list: any of them). Values are compared as the CSV
// writes them: sweep keys in canonical form (formats lower case, numbers shortest round-trip).
struct RowFilter {
  std::vector<std::pair<std::string, std::vector<std::string>>> equals;
  std::string text() const;  // "model=h100-fp8, K=4096"
};

// A number computed from the rows: `stat` of `metric` over the rows `where` selects.
struct Measurement {
  RowFilter where;
  Expr metric;
  std::string stat = "median";  // median mean max min std count distinct
};

struct ClaimSpec {
  std::string claim, source;
  Measurement measured;
  std::optional<double> published;     // the published number
  std::optional<Measurement> than;     // or another measurement to compare with
  std::string expect = "near";         // near equal below above none
  double factor = 0;                   // near: 2, below/above: 1 when not given
  double tol = 0;                      // equal: relative tolerance
  std::string at;                      // file:line, for messages
};

struct FigureSpec {
  std::string title, x_label, y_label;
  Expr x;
  std::vector<Expr> y;
  std::vector<std::string> series;
  RowFilter where;
  std::string stat = "median";
  bool logx = false, logy = false;
  std::string at;
};

struct ReportSpec {
  std::string question, conclusion;
  std::vector<FigureSpec> figures;
  std::vector<ClaimSpec> claims;
  bool empty() const { return question.empty() && conclusion.empty() && figures.empty() && claims.empty(); }
};

// Reads the [report] table of a config's TOML text (empty spec when there is none). Every error
// names source:line and the key. Throws std::invalid_argument.
ReportSpec parse_report_spec(std::string_view toml_text, std::string_view source);

// Checks that every column a figure or claim reads is one of `columns` (results.csv's header).
void check_report_columns(const ReportSpec& spec, const std::vector<std::string>& columns);

bool is_stat(std::string_view stat);
// `stat` of values (NaN skipped; count and distinct are handled by the caller).
double apply_stat(std::string_view stat, std::vector<double> values);

}  // namespace floatscope::cli::report
