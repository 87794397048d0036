// Arithmetic over the columns of one results.csv row, for the figures and claims an experiment
// config declares ([[report.figure]] x/y, [[report.claim]] metric): column names, numbers,
// + - * / ^, unary minus, parentheses, comparisons < <= > >= (1 or 0), log2() log10() abs() sqrt(),
// and field(column, i): the i-th ':'-separated part of a text cell as a number ("outliers:0.01:100"
// -> field(dist, 2) = 100). "1/scale_a" puts a loss scale on an axis; "K - stagnation_count + 1"
// is the term where a running sum stopped growing; "(a_flushed_frac < 0.01) * (a_overflow_frac <= 0)"
// is 1 for a good loss scale.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace floatscope::cli::report {

class Expr {
 public:
  // Throws std::invalid_argument naming the expression and the position of the problem.
  static Expr parse(std::string_view text);
  // `cell(name)` gives a cell's text; empty or non-numeric cells are NaN, and NaN propagates
  // (a comparison with NaN is NaN too, so a row without the value stays "not measured").
  using CellText = std::function<std::string_view(std::string_view)>;
  double eval(const CellText& cell) const;
  // The column names it reads, each once, in order of first use.
  std::vector<std::string> columns() const;
  // A bare column name ("output_hash"): `stat = "distinct"` then counts distinct cell texts.
  bool is_column() const { return nodes_.size() == 1 && nodes_[0].op == Op::column; }
  const std::string& text() const { return text_; }

 private:
  enum class Op { number, column, field, add, sub, mul, div, pow, neg, log2, log10, abs, sqrt, lt, le, gt, ge };
  struct Node {
    Op op;
    double value = 0;   // number; field: the part's index
    std::string name;   // column, field
    int lhs = -1, rhs = -1;
  };
  std::string text_;
  std::vector<Node> nodes_;  // nodes_.back() is the root
  int root_ = -1;
  double eval_node(int i, const CellText& cell) const;
  friend class ExprParser;
};

}  // namespace floatscope::cli::report
