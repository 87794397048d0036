// Report figures drawn with gnuplot, chosen from the columns present in results.csv.
#include "report_figures.hpp"

#include "command.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace floatscope::cli::report {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxSeries = 12;  // beyond this a figure stops being readable
constexpr std::size_t kMaxPanels = 24;

std::string num(double v) { return std::isfinite(v) ? fmt::format("{:.17g}", v) : "NaN"; }
std::string pos(double v) { return std::isfinite(v) && v > 0 ? fmt::format("{:.17g}", v) : "NaN"; }

std::string quote(std::string s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string slug(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c))) out += c;
    else if (!out.empty() && out.back() != '_') out += '_';
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out.empty() ? "all" : out;
}

// The script draws the same plot into an SVG and a PNG; `body` sets the axes and plots.
std::string script(const std::string& name, const std::string& caption, const std::string& body, int w = 960,
                   int h = 600) {
  return fmt::format(
      "# floatscope report figure: {caption}\n"
      "# Data: {name}.dat (blocks separated by two blank lines; columns described there).\n"
      "# Redraw after editing: cd figures && gnuplot {name}.gp\n"
      "set terminal svg size {w},{h} dynamic noenhanced font \"sans,12\" background rgb \"white\"\n"
      "set output '{name}.svg'\n"
      "set title {title}\n"
      "set grid\n"
      "{body}\n"
      "if (strstrt(GPVAL_TERMINALS, \"pngcairo\") > 0) {{\n"
      "  set terminal pngcairo size {w},{h} noenhanced font \"sans,11\" background rgb \"white\"\n"
      "}} else {{\n"
      "  set terminal png size {w},{h} noenhanced\n"
      "}}\n"
      "set output '{name}.png'\n"
      "replot\n"
      "unset output\n",
      fmt::arg("caption", caption), fmt::arg("name", name), fmt::arg("w", w), fmt::arg("h", h),
      fmt::arg("title", quote(caption)), fmt::arg("body", body));
}

struct Writer {
  const fs::path& dir;
  std::vector<Figure>& figures;
  void add(const std::string& name, const std::string& caption, const std::string& data, const std::string& body,
           int w = 960, int h = 600) {
    write_text_file(dir / (name + ".dat"), data);
    write_text_file(dir / (name + ".gp"), script(name, caption, body, w, h));
    figures.push_back({name, caption, false, ""});
  }
};

// Figure height grows with the legend, which sits below the plot (labels can be long).
int height_for(const std::string& plots) {
  int n = 1;
  for (std::size_t p = plots.find("title"); p != std::string::npos; p = plots.find("title", p + 1)) ++n;
  return 480 + 20 * n;
}

std::vector<std::string> sorted_values(const Table& t, const std::vector<const std::vector<std::string>*>& rows,
                                       const std::string& key) {
  std::set<std::string> s;
  for (const auto* r : rows) s.insert(t.str(*r, key));
  std::vector<std::string> v(s.begin(), s.end());
  std::sort(v.begin(), v.end(), value_less);
  return v;
}

// Distinct colours and point shapes for up to kMaxSeries curves (gnuplot's default cycle has 8).
std::string style(int i) {
  static const char* colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
                                  "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#000000", "#393b79"};
  static const int points[] = {7, 5, 9, 11, 13, 15};
  return fmt::format("lc rgb \"{}\" pt {}", colours[i % 12], points[i % 6]);
}

// "2^-11" when u is a power of two, else the number.
std::string u_text(double u) {
  int e = 0;
  if (std::isfinite(u) && u > 0 && std::frexp(u, &e) == 0.5) return fmt::format("2^{}", e - 1);
  return fmt::format("{:.3g}", u);
}

// Error against K on log-log axes, one figure per model/format, with the two bound curves.
void error_vs_k(const Table& t, Writer& w, std::vector<std::string>& notes) {
  if (!t.has("K") || t.distinct("K").size() < 2) return;
  const auto swept = swept_keys(t);
  const auto has = [&](const char* k) { return std::find(swept.begin(), swept.end(), k) != swept.end(); };
  std::vector<std::string> panel_keys;
  for (const char* k : {"model", "a_format", "b_format"})
    if (has(k)) panel_keys.emplace_back(k);
  auto series_keys = without(swept, {"K", "seed", "model", "a_format", "b_format"});
  // Too many curves in one panel: give each distribution its own figure.
  std::size_t most = 0;
  for (const auto& [panel, rows] : group_by(t, panel_keys)) {
    Table sub{t.header, {}};
    for (const auto* r : rows) sub.rows.push_back(*r);
    most = std::max(most, group_by(sub, series_keys).size());
  }
  if (most > 6 && has("dist")) {
    panel_keys.emplace_back("dist");
    series_keys = without(series_keys, {"dist"});
  }
  const std::string metric = "max_err_over_absprod";
  auto panels = group_by(t, panel_keys);
  if (panels.size() > kMaxPanels) {
    notes.push_back(fmt::format("error against K: {} model/format panels, only the first {} are drawn",
                                panels.size(), kMaxPanels));
    panels.resize(kMaxPanels);
  }
  for (const auto& [panel, rows] : panels) {
    Table sub{t.header, {}};
    for (const auto* r : rows) sub.rows.push_back(*r);
    auto series = group_by(sub, series_keys);
    if (series.size() > kMaxSeries) {
      notes.push_back(fmt::format("error against K ({}): {} series, only the first {} are drawn", panel,
                                  series.size(), kMaxSeries));
      series.resize(kMaxSeries);
    }
    const std::string name = panel_keys.empty() ? "error_vs_K" : "error_vs_K_" + slug(panel);
    const std::string file = "'" + name + ".dat'";
    const std::string sep = ", \\\n     ";
    std::string data, plots;
    // Bound curves depend on the accumulator, not on the data: series whose bounds agree at every
    // common K share one curve.
    struct Bound {
      std::map<double, std::pair<double, double>> at;  // K -> (gamma_K, sqrt(K) u)
      double u;
    };
    std::vector<Bound> bounds;
    int index = 0;
    for (const auto& [slabel, srows] : series) {
      data += fmt::format("# block {}: {}\n# K  median_{} (median over repeats)\n", index, slabel, metric);
      Bound mine{{}, NAN};
      std::vector<double> us;
      bool any = false;
      for (const auto& k : sorted_values(sub, srows, "K")) {
        std::vector<double> m, bd, bp;
        for (const auto* r : srows)
          if (sub.str(*r, "K") == k) {
            m.push_back(sub.num(*r, metric));
            bd.push_back(sub.num(*r, "bound_det"));
            bp.push_back(sub.num(*r, "bound_prob"));
            us.push_back(sub.num(*r, "unit_roundoff"));
          }
        const double med = median(m);
        any |= std::isfinite(med) && med > 0;
        data += fmt::format("{} {}\n", k, pos(med));
        mine.at[std::strtod(k.c_str(), nullptr)] = {median(bd), median(bp)};
      }
      mine.u = median(us);
      data += "\n\n";
      if (any) {
        plots += fmt::format("{}{} index {} using 1:2 with linespoints lw 2 {} title {}", plots.empty() ? "" : sep,
                             file, index, style(index), quote(series_keys.empty() ? "measured" : slabel));
      } else {
        notes.push_back(fmt::format("error against K ({}; {}): zero error at every K, nothing to draw on log axes",
                                    panel, slabel));
      }
      ++index;
      auto same = [](double x, double y) { return x == y || (std::isnan(x) && std::isnan(y)); };
      bool merged = false;
      for (auto& b : bounds) {
        bool agree = true;
        for (const auto& [k, v] : mine.at)
          if (auto it = b.at.find(k); it != b.at.end())
            agree &= same(it->second.first, v.first) && same(it->second.second, v.second);
        if (agree) {
          b.at.insert(mine.at.begin(), mine.at.end());
          merged = true;
          break;
        }
      }
      if (!merged) bounds.push_back(std::move(mine));
    }
    if (plots.empty()) continue;
    for (std::size_t i = 0; i < bounds.size(); ++i) {
      const std::string u = bounds.size() > 1 || std::isfinite(bounds[i].u) ? ", u=" + u_text(bounds[i].u) : "";
      data += fmt::format("# block {}: bounds for u = {}\n# K  gamma_K  sqrt(K)*u\n", index, u_text(bounds[i].u));
      for (const auto& [k, v] : bounds[i].at) data += fmt::format("{} {} {}\n", num(k), pos(v.first), pos(v.second));
      data += "\n\n";
      const std::string colour = bounds.size() > 1 ? style(static_cast<int>(i) + 6) : "lc rgb \"#555555\"";
      plots += fmt::format("{}{} index {} using 1:2 with lines dt 2 lw 1.5 {} title {}", sep, file, index, colour,
                           quote("deterministic bound gamma_K = Ku/(1-Ku)" + u));
      plots += fmt::format("{}{} index {} using 1:3 with lines dt 3 lw 1.5 {} title {}", sep, file, index, colour,
                           quote("probabilistic bound sqrt(K) u" + u));
      ++index;
    }
    std::string body = fmt::format(
        "set logscale xy 2\nset logscale y 10\nset format y \"%.0e\"\n"
        "set xlabel \"K (terms per dot product, log scale)\"\n"
        "set ylabel \"max |C - C_exact| / (|A||B|)  (dimensionless, log scale)\"\n"
        "set key below left Left reverse maxcols 1\n"
        "plot {}\n",
        plots);
    w.add(name, "Error against K" + (panel_keys.empty() ? "" : ": " + panel), data, body, 900, height_for(plots));
  }
}

// Heat map of the median error over the two swept dimensions with the most values.
void heatmap(const Table& t, Writer& w, std::vector<std::string>& notes) {
  auto dims = without(swept_keys(t), {"seed"});
  if (dims.size() < 2 || !t.has("median_rel_err")) return;
  std::stable_sort(dims.begin(), dims.end(), [&](const std::string& a, const std::string& b) {
    if ((a == "K") != (b == "K")) return a == "K";
    return t.distinct(a).size() > t.distinct(b).size();
  });
  const std::string xk = dims[0], yk = dims[1];
  const std::string name = "heatmap_" + slug(yk) + "_vs_" + slug(xk);
  auto xs = t.distinct(xk), ys = t.distinct(yk);
  std::sort(xs.begin(), xs.end(), value_less);
  std::sort(ys.begin(), ys.end(), value_less);
  if (xs.size() * ys.size() > 2500) {
    notes.push_back("heat map skipped: more than 2500 cells");
    return;
  }
  std::string data = fmt::format("# x_index y_index log10(median of median_rel_err) x={} y={}\n", xk, yk);
  int cells = 0;
  for (std::size_t i = 0; i < xs.size(); ++i)
    for (std::size_t j = 0; j < ys.size(); ++j) {
      std::vector<double> v;
      for (const auto& r : t.rows)
        if (t.str(r, xk) == xs[i] && t.str(r, yk) == ys[j]) v.push_back(t.num(r, "median_rel_err"));
      double m = median(v);
      if (std::isfinite(m) && m > 0) {
        data += fmt::format("{} {} {}\n", i, j, std::log10(m));
        ++cells;
      }
    }
  if (cells == 0) return;
  auto tics = [](const std::vector<std::string>& v) {
    std::string s;
    for (std::size_t i = 0; i < v.size(); ++i) s += fmt::format("{}\"{}\" {}", i ? ", " : "", v[i], i);
    return s;
  };
  const bool labels = xs.size() * ys.size() <= 144;
  std::string body = fmt::format(
      "set xtics ({}) rotate by -30\nset ytics ({})\nset xrange [-0.5:{}.5]\nset yrange [-0.5:{}.5]\n"
      "set xlabel \"{}\"\nset ylabel \"{}\"\nunset grid\n"
      "set cblabel \"log10(median relative error)\"\n"
      "set palette rgbformulae 33,13,10\n"
      "plot '{}.dat' using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder lc palette notitle{}\n",
      tics(xs), tics(ys), xs.size() - 1, ys.size() - 1, xk, yk, name,
      labels ? ", \\\n     '' using 1:2:(sprintf(\"%.1e\", 10**$3)) with labels font \",8\" notitle" : "");
  w.add(name, "Median relative error over " + xk + " and " + yk, data, body,
        static_cast<int>(std::max<std::size_t>(700, 120 + 70 * xs.size())),
        static_cast<int>(std::max<std::size_t>(450, 120 + 35 * ys.size())));
  (void)notes;
}

// Empirical CDF of the per-row maximum ulp error, one curve per configuration.
void ulp_cdf(const Table& t, Writer& w, std::vector<std::string>& notes) {
  if (!t.has("max_ulp_err")) return;
  auto keys = without(swept_keys(t), {"seed", "K"});
  auto series = group_by(t, keys);
  if (series.size() > kMaxSeries) {
    keys.clear();
    for (const char* k : {"model", "a_format", "acc_format", "rounding"})
      if (t.distinct(k).size() > 1) keys.emplace_back(k);
    series = group_by(t, keys);
    if (series.size() > kMaxSeries) {
      notes.push_back(
          fmt::format("ulp CDF: {} configurations, only the first {} are drawn", series.size(), kMaxSeries));
      series.resize(kMaxSeries);
    }
  }
  std::string data, plots;
  double xmax = 0;
  int index = 0;
  for (const auto& [lab, rows] : series) {
    std::vector<double> v;
    for (const auto* r : rows) {
      double x = t.num(*r, "max_ulp_err");
      if (std::isfinite(x)) v.push_back(x);
    }
    if (v.empty()) continue;
    std::sort(v.begin(), v.end());
    data += "# " + lab + "\n# max_ulp_err  fraction of rows <= it\n";
    for (std::size_t i = 0; i < v.size(); ++i) {
      data += fmt::format("{} {}\n", num(v[i]), static_cast<double>(i + 1) / static_cast<double>(v.size()));
      xmax = std::max(xmax, v[i]);
    }
    data += "\n\n";
    plots += fmt::format("{}'' index {} using 1:2 with steps lw 2 {} title {}", plots.empty() ? "" : ", \\\n     ",
                         index, style(index), quote(lab));
    ++index;
  }
  if (index == 0) return;
  plots.replace(plots.find("''"), 2, "'ulp_cdf.dat'");
  std::string body = fmt::format(
      "{}set xlabel \"largest error of a row, in ulps of the output format{}\"\n"
      "set ylabel \"fraction of rows (CDF)\"\nset yrange [0:1.02]\nset key below left Left reverse maxcols 1\nplot "
      "{}\n",
      xmax > 64 ? "set logscale x 2\n" : "", xmax > 64 ? " (log scale; rows with 0 ulps not shown)" : "", plots);
  w.add("ulp_cdf", "Distribution of the maximum ulp error per row", data, body, 900, height_for(plots));
}

// Underflow and overflow fractions against the input scale.
void range_vs_scale(const Table& t, Writer& w, std::vector<std::string>& notes) {
  const bool sa = t.has("scale_a") && t.distinct("scale_a").size() > 1;
  const bool sb = t.has("scale_b") && t.distinct("scale_b").size() > 1;
  if (!sa && !sb) return;
  auto keys = without(swept_keys(t), {"seed", "scale_a", "scale_b"});
  auto series = group_by(t, keys);
  if (series.size() > kMaxSeries / 2) {
    notes.push_back(fmt::format("underflow/overflow against scale: {} configurations, only the first {} are drawn",
                                series.size(), kMaxSeries / 2));
    series.resize(kMaxSeries / 2);
  }
  std::string data, plots;
  int index = 0;
  for (const auto& [lab, rows] : series) {
    std::map<double, std::pair<std::vector<double>, std::vector<double>>> by;
    for (const auto* r : rows) {
      double s = t.num(*r, "scale_a") * t.num(*r, "scale_b");
      by[s].first.push_back(t.num(*r, "underflow_frac"));
      by[s].second.push_back(t.num(*r, "overflow_frac"));
    }
    data += "# " + lab + "\n# scale_a*scale_b  underflow_frac  overflow_frac (medians)\n";
    for (const auto& [s, v] : by)
      data += fmt::format("{} {} {}\n", num(s), num(median(v.first)), num(median(v.second)));
    data += "\n\n";
    const std::string sep = plots.empty() ? "" : ", \\\n     ";
    plots += fmt::format("{}'' index {} using 1:2 with linespoints lw 2 {} title {}, \\\n     '' index {} "
                         "using 1:3 with linespoints lw 2 dt 2 {} title {}",
                         sep, index, style(index), quote("underflow: " + lab), index, style(index),
                         quote("overflow: " + lab));
    ++index;
  }
  plots.replace(plots.find("''"), 2, "'range_vs_scale.dat'");
  std::string body = fmt::format(
      "set logscale x 2\nset xlabel \"input scale (scale_a x scale_b, log scale)\"\n"
      "set ylabel \"fraction of events (products/partial sums that under- or overflowed)\"\n"
      "set yrange [0:1.02]\nset key below left Left reverse maxcols 1\nplot {}\n",
      plots);
  w.add("range_vs_scale", "Underflow (solid) and overflow (dashed) fraction against the input scale", data, body,
        900, height_for(plots));
}

// Distinct results of the same product summed in different random orders, against K.
void distinct_vs_k(const Table& t, Writer& w, std::vector<std::string>& notes) {
  if (!t.has("order") || !t.has("output_hash") || !t.has("K")) return;
  std::size_t random_orders = 0;
  for (const auto& o : t.distinct("order")) random_orders += o.rfind("random:", 0) == 0;
  if (random_orders < 2) return;
  Table perm{t.header, {}};
  for (const auto& r : t.rows)
    if (t.str(r, "order").rfind("random:", 0) == 0 && !t.str(r, "output_hash").empty()) perm.rows.push_back(r);
  if (perm.rows.empty()) return;
  // Same inputs = every parameter but the order, and the same repeat.
  std::vector<std::string> same_inputs;
  for (const auto& k : sweep::sweep_keys())
    if (k.dimension && k.name != "order") same_inputs.emplace_back(k.name);
  same_inputs.push_back("repeat");
  auto keys = without(swept_keys(perm), {"seed", "K", "order"});
  auto series = group_by(perm, keys);
  if (series.size() > kMaxSeries) {
    notes.push_back(fmt::format("distinct results: {} series, only the first {} drawn", series.size(), kMaxSeries));
    series.resize(kMaxSeries);
  }
  std::string data, plots;
  int index = 0;
  for (const auto& [lab, rows] : series) {
    Table sub{perm.header, {}};
    for (const auto* r : rows) sub.rows.push_back(*r);
    std::map<double, std::vector<double>> counts;  // K -> distinct counts per input set
    for (const auto& [g, grows] : group_by(sub, same_inputs)) {
      std::set<std::string> hashes;
      for (const auto* r : grows) hashes.insert(sub.str(*r, "output_hash"));
      counts[sub.num(*grows.front(), "K")].push_back(static_cast<double>(hashes.size()));
    }
    data += "# " + lab + "\n# K  median number of distinct C over the random orders\n";
    for (const auto& [k, c] : counts) data += fmt::format("{} {}\n", num(k), num(median(c)));
    data += "\n\n";
    plots += fmt::format("{}'' index {} using 1:2 with linespoints lw 2 {} title {}",
                         plots.empty() ? "" : ", \\\n     ", index, style(index), quote(lab));
    ++index;
  }
  plots.replace(plots.find("''"), 2, "'distinct_vs_K.dat'");
  std::string body = fmt::format(
      "set logscale x 2\nset xlabel \"K (terms per dot product, log scale)\"\n"
      "set ylabel \"distinct results among {} random orders (count)\"\nset yrange [0:{}]\n"
      "set key below left Left reverse maxcols 1\nplot {}\n",
      random_orders, random_orders + 1, plots);
  w.add("distinct_vs_K", fmt::format("Distinct results of {} random summation orders against K", random_orders),
        data, body, 900, height_for(plots));
}


// Runs with permutations > 0: the spread (ulps of the output format) of one product summed in P
// random orders, and how many distinct results those orders gave, against K (medians over the
// repeats; the CSV's values are the maxima over the outputs of each run).
void spread_vs_k(const Table& t, Writer& w, std::vector<std::string>& notes) {
  if (!t.has("spread_ulps") || !t.has("distinct_results") || !t.has("K")) return;
  Table perm{t.header, {}};
  for (const auto& r : t.rows)
    if (std::isfinite(t.num(r, "spread_ulps"))) perm.rows.push_back(r);
  if (perm.rows.empty() || perm.distinct("K").size() < 2) return;
  auto series = group_by(perm, without(swept_keys(perm), {"seed", "K"}));
  if (series.size() > kMaxSeries) {
    notes.push_back(fmt::format("spread: {} series, only the first {} drawn", series.size(), kMaxSeries));
    series.resize(kMaxSeries);
  }
  std::string data, plots;
  int index = 0;
  for (const auto& [lab, rows] : series) {
    data += "# " + lab + "\n# K  median spread_ulps  median distinct_results\n";
    for (const auto& k : sorted_values(perm, rows, "K")) {
      std::vector<double> sp, dr;
      for (const auto* r : rows)
        if (perm.str(*r, "K") == k) {
          sp.push_back(perm.num(*r, "spread_ulps"));
          dr.push_back(perm.num(*r, "distinct_results"));
        }
      data += fmt::format("{} {} {}\n", k, pos(median(sp)), num(median(dr)));
    }
    data += "\n\n";
    const std::string sep = plots.empty() ? "" : ", \\\n     ";
    plots += fmt::format("{}'' index {} using 1:2 with linespoints lw 2 {} title {}", sep, index,
                         style(index), quote("spread (ulps), " + lab));
    plots += fmt::format(", \\\n     '' index {} using 1:3 axes x1y2 with linespoints lw 1 dt 2 {} title {}",
                         index, style(index), quote("distinct results, " + lab));
    ++index;
  }
  plots.replace(plots.find("''"), 2, "'spread_vs_K.dat'");
  const std::string body = fmt::format(
      "set logscale x 2\nset logscale y 10\nset xlabel \"K (terms per dot product, log scale)\"\n"
      "set ylabel \"spread over random orders (ulps, log scale)\"\n"
      "set y2label \"distinct results (count)\"\nset y2tics\nset ytics nomirror\n"
      "set key below left Left reverse maxcols 1\nplot {}\n",
      plots);
  w.add("spread_vs_K", "Spread (solid) and number of distinct results (dashed) over random summation orders",
        data, body, 900, height_for(plots));
}
}  // namespace

std::string find_gnuplot(const std::string& requested) {
  std::string g = requested;
  if (g.empty())
    if (const char* e = std::getenv("FLOATSCOPE_GNUPLOT")) g = e;
  if (g.empty()) g = "gnuplot";
  const std::string probe = "'" + g + "' -e 'exit' >/dev/null 2>&1";
  return std::system(probe.c_str()) == 0 ? g : "";
}

std::vector<Figure> make_figures(const Table& t, const fs::path& figdir, const std::string& gnuplot,
                                 std::vector<std::string>& notes) {
  fs::create_directories(figdir);
  std::vector<Figure> figures;
  Writer w{figdir, figures};
  error_vs_k(t, w, notes);
  heatmap(t, w, notes);
  ulp_cdf(t, w, notes);
  range_vs_scale(t, w, notes);
  distinct_vs_k(t, w, notes);
  spread_vs_k(t, w, notes);
  if (gnuplot.empty()) return figures;
  for (auto& f : figures) {
    const std::string cmd = "cd '" + figdir.string() + "' && '" + gnuplot + "' '" + f.name + ".gp' > '" + f.name +
                            ".log' 2>&1";
    const int rc = std::system(cmd.c_str());
    f.drawn = rc == 0 && fs::exists(figdir / (f.name + ".svg")) && fs::exists(figdir / (f.name + ".png")) &&
              fs::file_size(figdir / (f.name + ".png")) > 0;
    if (!f.drawn) {
      std::ifstream in(figdir / (f.name + ".log"));
      std::stringstream ss;
      ss << in.rdbuf();
      f.problem = "gnuplot failed: " + ss.str();
    } else {
      fs::remove(figdir / (f.name + ".log"));
    }
  }
  return figures;
}

}  // namespace floatscope::cli::report
