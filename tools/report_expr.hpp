// Arithmetic over the columns of one results.csv row, for the figures and claims an experiment
// config declares ([[report.figure]] x/y, [[report.claim]] metric): column names, numbers,
// + - * / ^, unary minus, parentheses and log2() log10() abs() sqrt(). "1/scale_a" puts a loss scale
// on an axis; "K - stagnation_count + 1" is the term where a running sum stopped growing.
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
  // `column(name)` gives a cell as a number (NaN when empty or not a number); NaN propagates.
  double eval(const std::function<double(std::string_view)>& column) const;
  // The column names it reads, each once, in order of first use.
  std::vector<std::string> columns() const;
  // A bare column name ("output_hash"): `stat = "distinct"` then counts distinct cell texts.
  bool is_column() const { return nodes_.size() == 1 && nodes_[0].op == Op::column; }
  const std::string& text() const { return text_; }

 private:
  enum class Op { number, column, add, sub, mul, div, pow, neg, log2, log10, abs, sqrt };
  struct Node {
    Op op;
    double value = 0;   // number
    std::string name;   // column
    int lhs = -1, rhs = -1;
  };
  std::string text_;
  std::vector<Node> nodes_;  // nodes_.back() is the root
  int root_ = -1;
  double eval_node(int i, const std::function<double(std::string_view)>& column) const;
  friend class ExprParser;
};

}  // namespace floatscope::cli::report
