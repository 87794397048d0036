// Claim evaluation (report_claims.hpp).
#include "report_claims.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace floatscope::cli::report {

std::vector<const std::vector<std::string>*> select_rows(const Table& t, const RowFilter& filter) {
  std::vector<const std::vector<std::string>*> out;
  for (const auto& r : t.rows) {
    bool keep = true;
    for (const auto& [column, values] : filter.equals)
      keep = keep && std::find(values.begin(), values.end(), t.str(r, column)) != values.end();
    if (keep) out.push_back(&r);
  }
  return out;
}

MeasuredValue measure(const Table& t, const Measurement& m) {
  const auto rows = select_rows(t, m.where);
  MeasuredValue out{NAN, rows.size()};
  if (rows.empty()) return out;
  if (m.stat == "count") {
    out.value = static_cast<double>(rows.size());
    return out;
  }
  if (m.stat == "distinct" && m.metric.is_column()) {  // text columns too (output_hash)
    std::set<std::string> seen;
    for (const auto* r : rows)
      if (const auto& cell = t.str(*r, m.metric.text()); !cell.empty()) seen.insert(cell);
    out.value = static_cast<double>(seen.size());
    return out;
  }
  std::vector<double> values;
  for (const auto* r : rows)
    values.push_back(m.metric.eval([&](std::string_view c) { return t.num(*r, c); }));
  if (m.stat == "distinct") {
    std::set<double> seen;
    for (double v : values)
      if (!std::isnan(v)) seen.insert(v);
    out.value = static_cast<double>(seen.size());
    return out;
  }
  out.value = apply_stat(m.stat, std::move(values));
  return out;
}

namespace {

std::string verdict(const ClaimSpec& c, double m, double ref) {
  if (c.expect == "none") return std::isnan(m) ? "not measured" : "measured";
  if (std::isnan(m) || std::isnan(ref)) return "not measured";
  bool held = false;
  if (c.expect == "near") {
    held = ref == 0 ? m == 0 : (m / ref >= 1 / c.factor && m / ref <= c.factor);
  } else if (c.expect == "equal") {
    held = std::fabs(m - ref) <= c.tol * std::fabs(ref);
  } else if (c.expect == "below") {
    held = m < ref / c.factor;
  } else if (c.expect == "above") {
    held = m > ref * c.factor;
  }
  return held ? "held" : "not held";
}

}  // namespace

std::vector<ClaimResult> evaluate_claims(const Table& t, const ReportSpec& spec) {
  std::vector<ClaimResult> out;
  for (const auto& c : spec.claims) {
    ClaimResult r;
    r.spec = &c;
    r.measured = measure(t, c.measured);
    if (c.published) r.reference.value = *c.published;
    else if (c.than) r.reference = measure(t, *c.than);
    if (c.published || c.than) r.ratio = r.measured.value / r.reference.value;
    r.verdict = verdict(c, r.measured.value, r.reference.value);
    out.push_back(std::move(r));
  }
  return out;
}

std::string describe(const Measurement& m, std::size_t rows) {
  return fmt::format("{} of {} over {} row{} with {}", m.stat, m.metric.text(), rows, rows == 1 ? "" : "s",
                     m.where.text());
}

std::string expectation_text(const ClaimSpec& c) {
  const std::string ref = !c.published ? "the reference"
                          : c.expect == "equal" && c.tol == 0 ? sweep::format_double(*c.published)
                                                              : fmt::format("{:.4g}", *c.published);
  if (c.expect == "near") return fmt::format("within {:g}x of {}", c.factor, ref);
  if (c.expect == "equal") return c.tol == 0 ? "equal to " + ref : fmt::format("within {:g} relative of {}", c.tol, ref);
  if (c.expect == "below") return c.factor == 1 ? "below " + ref : fmt::format("below {} / {:g}", ref, c.factor);
  if (c.expect == "above") return c.factor == 1 ? "above " + ref : fmt::format("above {} x {:g}", ref, c.factor);
  return "reported only";
}

const std::vector<std::string>& claims_csv_columns() {
  static const std::vector<std::string> c = {"claim",    "source",    "conditions", "expect",  "published",
                                             "reference", "reference_conditions",   "measured", "ratio",
                                             "rows",     "verdict"};
  return c;
}

std::string claims_csv(const std::vector<ClaimResult>& results) {
  std::string s = sweep::csv_line(claims_csv_columns());
  for (const auto& r : results) {
    const ClaimSpec& c = *r.spec;
    auto num = [](double v) { return std::isnan(v) ? std::string() : sweep::format_double(v); };
    s += sweep::csv_line({c.claim, c.source, describe(c.measured, r.measured.rows), expectation_text(c),
                          c.published ? sweep::format_double(*c.published) : "", num(r.reference.value),
                          c.than ? describe(*c.than, r.reference.rows) : "", num(r.measured.value), num(r.ratio),
                          std::to_string(r.measured.rows), r.verdict});
  }
  return s;
}

}  // namespace floatscope::cli::report
