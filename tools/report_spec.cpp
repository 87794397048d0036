// Reading and checking an experiment config's [report] table (report_spec.hpp).
#include "report_spec.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include "floatscope/sweep.hpp"
#include "report_data.hpp"

namespace floatscope::cli::report {
namespace {

std::string where_of(std::string_view source, const toml::source_region& r) {
  return fmt::format("{}:{}", source, r.begin.line);
}

// Reads one table's keys, each once, refusing any key not in `known` (typos must not pass silently).
class Fields {
 public:
  Fields(const toml::table& t, std::string_view source, std::string_view what,
         std::initializer_list<std::string_view> known)
      : t_(t), source_(source), what_(what) {
    for (auto&& [k, v] : t) {
      if (std::find(known.begin(), known.end(), k.str()) == known.end()) {
        std::string list;
        for (auto n : known) list += (list.empty() ? "" : ", ") + std::string(n);
        throw std::invalid_argument(fmt::format("{}: {}: unknown key '{}' (known: {})", where_of(source, k.source()),
                                                what, k.str(), list));
      }
    }
  }
  std::string at() const { return where_of(source_, t_.source()); }
  std::string at(std::string_view key) const {
    const toml::node* n = t_.get(key);
    return n ? where_of(source_, n->source()) : at();
  }
  [[noreturn]] void bad(std::string_view key, const std::string& why) const {
    throw std::invalid_argument(fmt::format("{}: {} '{}': {}", at(key), what_, key, why));
  }
  std::optional<std::string> text(std::string_view key) const {
    const toml::node* n = t_.get(key);
    if (!n) return std::nullopt;
    if (!n->is_string()) bad(key, "expected a string");
    return std::string(n->as_string()->get());
  }
  std::optional<double> number(std::string_view key) const {
    const toml::node* n = t_.get(key);
    if (!n) return std::nullopt;
    if (n->is_integer()) return static_cast<double>(n->as_integer()->get());
    if (n->is_floating_point()) return n->as_floating_point()->get();
    bad(key, "expected a number");
  }
  bool flag(std::string_view key) const {
    const toml::node* n = t_.get(key);
    if (!n) return false;
    if (!n->is_boolean()) bad(key, "expected true or false");
    return n->as_boolean()->get();
  }
  // A string or an array of strings.
  std::vector<std::string> texts(std::string_view key) const {
    const toml::node* n = t_.get(key);
    if (!n) return {};
    if (n->is_string()) return {std::string(n->as_string()->get())};
    std::vector<std::string> out;
    if (const auto* a = n->as_array())
      for (const auto& item : *a) {
        if (!item.is_string()) bad(key, "expected a string or an array of strings");
        out.emplace_back(item.as_string()->get());
      }
    else
      bad(key, "expected a string or an array of strings");
    return out;
  }
  Expr expr(std::string_view key) const {  // a required expression
    auto t = text(key);
    if (!t) bad(key, "missing");
    try {
      return Expr::parse(*t);
    } catch (const std::invalid_argument& e) {
      bad(key, e.what());
    }
  }
  std::string stat(std::string_view key, std::string_view fallback) const {
    const std::string s = text(key).value_or(std::string(fallback));
    if (!is_stat(s)) bad(key, "'" + s + "' is not one of median mean max min std count distinct");
    return s;
  }
  RowFilter filter(std::string_view key) const {
    RowFilter f;
    const toml::node* n = t_.get(key);
    if (!n) return f;
    const auto* table = n->as_table();
    if (!table) bad(key, "expected an inline table such as { model = \"h100-fp8\", K = 4096 }");
    for (auto&& [k, v] : *table) {
      const std::string column(k.str());
      std::vector<std::string> values;
      auto one = [&](const toml::node& item) {
        if (item.is_string()) values.emplace_back(item.as_string()->get());
        else if (item.is_integer()) values.push_back(std::to_string(item.as_integer()->get()));
        else if (item.is_floating_point()) values.push_back(sweep::format_double(item.as_floating_point()->get()));
        else bad(key, "value of '" + column + "' must be a string, a number or an array of them");
      };
      if (const auto* arr = v.as_array()) {
        for (const auto& item : *arr) one(item);
      } else {
        one(v);
      }
      // Sweep keys are written in canonical form; so must the values they are compared with.
      if (const auto* info = sweep::find_key(column); info && info->name == column)
        for (auto& value : values) {
          try {
            value = sweep::canonical_value(*info, value);
          } catch (const std::invalid_argument& e) {
            bad(key, e.what());
          }
        }
      f.equals.emplace_back(column, std::move(values));
    }
    return f;
  }
  Measurement measurement(std::string_view metric_key) const {
    return Measurement{filter("where"), expr(metric_key), stat("stat", "median")};
  }

 private:
  const toml::table& t_;
  std::string_view source_, what_;
};

const toml::table* sub_table(const toml::table& parent, std::string_view key, std::string_view source) {
  const toml::node* n = parent.get(key);
  if (!n) return nullptr;
  if (!n->is_table())
    throw std::invalid_argument(fmt::format("{}: '{}' must be a table", where_of(source, n->source()), key));
  return n->as_table();
}

template <class F>
void each_table(const toml::table& parent, std::string_view key, std::string_view source, F&& f) {
  const toml::node* n = parent.get(key);
  if (!n) return;
  const auto* arr = n->as_array();
  if (!arr || !arr->is_array_of_tables())
    throw std::invalid_argument(fmt::format("{}: '{}' must be an array of tables ([[report.{}]])",
                                            where_of(source, n->source()), key, key));
  for (const auto& t : *arr) f(*t.as_table());
}

ClaimSpec read_claim(const toml::table& t, std::string_view source) {
  const Fields f(t, source, "[[report.claim]]",
                 {"claim", "source", "where", "metric", "stat", "published", "expect", "factor", "tol", "than"});
  ClaimSpec c{f.text("claim").value_or(""), f.text("source").value_or(""), f.measurement("metric"), f.number("published"),
              std::nullopt, f.text("expect").value_or("near"), 0, f.number("tol").value_or(0), f.at()};
  if (c.claim.empty()) f.bad("claim", "missing: say in one sentence what is claimed");
  if (const auto* than = sub_table(t, "than", source)) {
    const Fields g(*than, source, "claim 'than'", {"where", "metric", "stat"});
    c.than = g.measurement("metric");
  }
  static const std::set<std::string> expects = {"near", "equal", "below", "above", "none"};
  if (!expects.count(c.expect)) f.bad("expect", "'" + c.expect + "' is not one of near equal below above none");
  if (c.expect != "none" && !c.published && !c.than)
    f.bad("expect", "'" + c.expect + "' needs `published` or `than` to compare with (or expect = \"none\")");
  if (c.published && c.than) f.bad("than", "give `published` or `than`, not both");
  c.factor = f.number("factor").value_or(c.expect == "near" ? 2.0 : 1.0);
  if (!(c.factor >= 1)) f.bad("factor", "must be >= 1");
  if (!(c.tol >= 0)) f.bad("tol", "must be >= 0");
  return c;
}

FigureSpec read_figure(const toml::table& t, std::string_view source) {
  const Fields f(t, source, "[[report.figure]]",
                 {"title", "x", "y", "series", "where", "stat", "logx", "logy", "x_label", "y_label"});
  FigureSpec fig;
  fig.title = f.text("title").value_or("");
  if (fig.title.empty()) f.bad("title", "missing");
  fig.x = f.expr("x");
  for (const auto& y : f.texts("y")) {
    try {
      fig.y.push_back(Expr::parse(y));
    } catch (const std::invalid_argument& e) {
      f.bad("y", e.what());
    }
  }
  if (fig.y.empty()) f.bad("y", "missing: one expression or an array of them");
  fig.series = f.texts("series");
  fig.where = f.filter("where");
  fig.stat = f.stat("stat", "median");
  if (fig.stat == "count" || fig.stat == "distinct") f.bad("stat", "a figure draws median mean max min or std");
  fig.logx = f.flag("logx");
  fig.logy = f.flag("logy");
  fig.x_label = f.text("x_label").value_or(fig.x.text());
  fig.y_label = f.text("y_label").value_or("");
  fig.at = f.at();
  return fig;
}

}  // namespace

std::string RowFilter::text() const {
  std::string s;
  for (const auto& [column, values] : equals) {
    std::string v;
    for (const auto& x : values) v += (v.empty() ? "" : "|") + x;
    s += (s.empty() ? "" : ", ") + column + "=" + v;
  }
  return s.empty() ? "all rows" : s;
}

bool is_stat(std::string_view stat) {
  for (const char* s : {"median", "mean", "max", "min", "std", "count", "distinct"})
    if (stat == s) return true;
  return false;
}

double apply_stat(std::string_view stat, std::vector<double> v) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }), v.end());
  if (v.empty()) return NAN;
  if (stat == "median") return median(v);
  if (stat == "mean") return mean(v);
  if (stat == "max") return *std::max_element(v.begin(), v.end());
  if (stat == "min") return *std::min_element(v.begin(), v.end());
  if (stat == "std") {  // sample standard deviation: the spread over seeds of a stochastic result
    if (v.size() < 2) return NAN;
    const double m = mean(v);
    double ss = 0;
    for (double x : v) ss += (x - m) * (x - m);
    return std::sqrt(ss / static_cast<double>(v.size() - 1));
  }
  throw std::logic_error("apply_stat: " + std::string(stat));
}

ReportSpec parse_report_spec(std::string_view text, std::string_view source) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    throw std::invalid_argument(where_of(source, e.source()) + ": TOML syntax error: " + std::string(e.description()));
  }
  ReportSpec spec;
  const toml::table* r = sub_table(root, "report", source);
  if (!r) return spec;
  const Fields f(*r, source, "[report]", {"question", "conclusion", "generic_figures", "figure", "claim"});
  spec.question = f.text("question").value_or("");
  if (r->get("generic_figures")) spec.generic_figures = f.flag("generic_figures");
  spec.conclusion = f.text("conclusion").value_or("");
  each_table(*r, "figure", source, [&](const toml::table& t) { spec.figures.push_back(read_figure(t, source)); });
  each_table(*r, "claim", source, [&](const toml::table& t) { spec.claims.push_back(read_claim(t, source)); });
  return spec;
}

void check_report_columns(const ReportSpec& spec, const std::vector<std::string>& columns) {
  auto check = [&](const std::string& at, const std::string& what, const std::string& column) {
    if (std::find(columns.begin(), columns.end(), column) == columns.end())
      throw std::invalid_argument(fmt::format("{}: {} reads column '{}', which results.csv does not have", at, what,
                                              column));
  };
  auto check_expr = [&](const std::string& at, const std::string& what, const Expr& e) {
    for (const auto& c : e.columns()) check(at, what + " '" + e.text() + "'", c);
  };
  auto check_filter = [&](const std::string& at, const RowFilter& w) {
    for (const auto& [c, v] : w.equals) check(at, "where", c);
  };
  for (const auto& fig : spec.figures) {
    check_expr(fig.at, "figure x", fig.x);
    for (const auto& y : fig.y) check_expr(fig.at, "figure y", y);
    for (const auto& s : fig.series) check(fig.at, "figure series", s);
    check_filter(fig.at, fig.where);
  }
  for (const auto& c : spec.claims) {
    check_expr(c.at, "claim metric", c.measured.metric);
    check_filter(c.at, c.measured.where);
    if (c.than) {
      check_expr(c.at, "claim 'than' metric", c.than->metric);
      check_filter(c.at, c.than->where);
    }
  }
}

}  // namespace floatscope::cli::report
