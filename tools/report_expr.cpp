// Recursive-descent parser for report expressions (report_expr.hpp).
#include "report_expr.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace floatscope::cli::report {

class ExprParser {
 public:
  ExprParser(std::string_view text, Expr& out) : s_(text), e_(out) {}

  int parse() {
    const int root = sum();
    skip_space();
    if (at_ < s_.size()) fail("unexpected '" + std::string(1, s_[at_]) + "'");
    return root;
  }

 private:
  using Op = Expr::Op;
  std::string_view s_;
  Expr& e_;
  std::size_t at_ = 0;

  [[noreturn]] void fail(const std::string& why) const {
    throw std::invalid_argument(fmt::format("expression '{}': {} at character {}", s_, why, at_ + 1));
  }
  void skip_space() {
    while (at_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[at_]))) ++at_;
  }
  bool take(char c) {
    skip_space();
    if (at_ < s_.size() && s_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }
  int node(Op op, int lhs = -1, int rhs = -1) {
    e_.nodes_.push_back({op, 0, {}, lhs, rhs});
    return static_cast<int>(e_.nodes_.size()) - 1;
  }
  int sum() {
    int lhs = product();
    for (;;) {
      if (take('+')) lhs = node(Op::add, lhs, product());
      else if (take('-')) lhs = node(Op::sub, lhs, product());
      else return lhs;
    }
  }
  int product() {
    int lhs = unary();
    for (;;) {
      if (take('*')) lhs = node(Op::mul, lhs, unary());
      else if (take('/')) lhs = node(Op::div, lhs, unary());
      else return lhs;
    }
  }
  int unary() {
    if (take('-')) return node(Op::neg, unary());
    return power();
  }
  int power() {  // right-associative, binds tighter than unary minus on its left: -2^2 = -4
    const int base = atom();
    if (take('^')) return node(Op::pow, base, unary());
    return base;
  }
  int atom() {
    skip_space();
    if (at_ >= s_.size()) fail("expected a number, a column or '('");
    if (take('(')) {
      const int inner = sum();
      if (!take(')')) fail("expected ')'");
      return inner;
    }
    const char c = s_[at_];
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      double v = 0;
      auto [p, ec] = std::from_chars(s_.data() + at_, s_.data() + s_.size(), v);
      if (ec != std::errc()) fail("bad number");
      at_ = static_cast<std::size_t>(p - s_.data());
      const int n = node(Op::number);
      e_.nodes_[static_cast<std::size_t>(n)].value = v;
      return n;
    }
    if (!std::isalpha(static_cast<unsigned char>(c)) && c != '_') fail("unexpected '" + std::string(1, c) + "'");
    const std::size_t start = at_;
    while (at_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[at_])) || s_[at_] == '_')) ++at_;
    const std::string name(s_.substr(start, at_ - start));
    if (take('(')) {
      static const std::pair<const char*, Op> functions[] = {
          {"log2", Op::log2}, {"log10", Op::log10}, {"abs", Op::abs}, {"sqrt", Op::sqrt}};
      for (const auto& [fname, op] : functions)
        if (name == fname) {
          const int arg = sum();
          if (!take(')')) fail("expected ')' after the argument of " + name);
          return node(op, arg);
        }
      fail("unknown function '" + name + "' (known: log2, log10, abs, sqrt)");
    }
    const int n = node(Op::column);
    e_.nodes_[static_cast<std::size_t>(n)].name = name;
    return n;
  }
};

Expr Expr::parse(std::string_view text) {
  Expr e;
  e.text_ = std::string(text);
  e.root_ = ExprParser(text, e).parse();
  return e;
}

double Expr::eval(const std::function<double(std::string_view)>& column) const { return eval_node(root_, column); }

double Expr::eval_node(int i, const std::function<double(std::string_view)>& column) const {
  const Node& n = nodes_[static_cast<std::size_t>(i)];
  auto l = [&] { return eval_node(n.lhs, column); };
  auto r = [&] { return eval_node(n.rhs, column); };
  switch (n.op) {
    case Op::number: return n.value;
    case Op::column: return column(n.name);
    case Op::add: return l() + r();
    case Op::sub: return l() - r();
    case Op::mul: return l() * r();
    case Op::div: return l() / r();
    case Op::pow: return std::pow(l(), r());
    case Op::neg: return -l();
    case Op::log2: return std::log2(l());
    case Op::log10: return std::log10(l());
    case Op::abs: return std::fabs(l());
    case Op::sqrt: return std::sqrt(l());
  }
  return NAN;
}

std::vector<std::string> Expr::columns() const {
  std::vector<std::string> out;
  for (const auto& n : nodes_)
    if (n.op == Op::column && std::find(out.begin(), out.end(), n.name) == out.end()) out.push_back(n.name);
  return out;
}

}  // namespace floatscope::cli::report
