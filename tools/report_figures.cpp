// Report figures drawn with gnuplot, chosen from the columns present in results.csv.
#include "report_figures.hpp"

#include "command.hpp"
#include "report_claims.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <map>
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
const char* colour_hex(int i) {
  static const char* colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
                                  "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#000000", "#393b79"};
  return colours[i % 12];
}
std::string style(int i) {
  static const int points[] = {7, 5, 9, 11, 13, 15};
  return fmt::format("lc rgb \"{}\" pt {}", colour_hex(i), points[i % 6]);
}

// "2^-11" when u is a power of two, else the number.
std::string u_text(double u) {
  int e = 0;
  if (std::isfinite(u) && u > 0 && std::frexp(u, &e) == 0.5) return fmt::format("2^{}", e - 1);
  return fmt::format("{:.3g}", u);
}

// The input-format keys a figure is split by (one figure per input format): a_format, and
// b_format when it differs from a_format somewhere.
std::vector<std::string> format_keys(const std::vector<std::string>& swept) {
  std::vector<std::string> out;
  for (const char* k : {"a_format", "b_format"})
    if (std::find(swept.begin(), swept.end(), k) != swept.end()) out.emplace_back(k);
  return out;
}

std::string panel_title(const std::string& panel) { return panel == "all" ? "" : panel; }

// Error against K on log-log axes: one figure per input format with every accumulator and model
// of that format on it (colour = setup, line style = distribution), and the bound curves of each
// distinct unit roundoff in the setup's colour.
void error_vs_k(const Table& t, Writer& w, std::vector<std::string>& notes) {
  if (!t.has("K") || t.distinct("K").size() < 2) return;
  const auto swept = swept_keys(t);
  const auto has = [&](const char* k) { return std::find(swept.begin(), swept.end(), k) != swept.end(); };
  std::vector<std::string> panel_keys = format_keys(swept);
  auto setup_keys = without(swept, {"K", "seed", "a_format", "b_format", "dist", "b_dist"});
  std::vector<std::string> data_keys;
  for (const char* k : {"dist", "b_dist"})
    if (has(k)) data_keys.emplace_back(k);
  auto series_keys = setup_keys;
  series_keys.insert(series_keys.end(), data_keys.begin(), data_keys.end());
  // Too many curves in one figure: give each distribution its own figure.
  std::size_t most = 0;
  for (const auto& [panel, rows] : group_by(t, panel_keys)) {
    Table sub{t.header, {}};
    for (const auto* r : rows) sub.rows.push_back(*r);
    most = std::max(most, group_by(sub, series_keys).size());
  }
  if (most > 8 && !data_keys.empty()) {
    panel_keys.insert(panel_keys.end(), data_keys.begin(), data_keys.end());
    series_keys = setup_keys;
    data_keys.clear();
  }
  const std::string metric = "max_err_over_absprod";
  auto panels = group_by(t, panel_keys);
  if (panels.size() > kMaxPanels) {
    notes.push_back(fmt::format("error against K: {} input-format panels, only the first {} are drawn",
                                panels.size(), kMaxPanels));
    panels.resize(kMaxPanels);
  }
  const auto dists = data_keys.empty() ? std::vector<std::string>{} : t.distinct(data_keys.front());
  for (const auto& [panel, rows] : panels) {
    Table sub{t.header, {}};
    for (const auto* r : rows) sub.rows.push_back(*r);
    auto series = group_by(sub, series_keys);
    if (series.size() > kMaxSeries) {
      notes.push_back(fmt::format("error against K ({}): {} series, only the first {} are drawn", panel,
                                  series.size(), kMaxSeries));
      series.resize(kMaxSeries);
    }
    // Colour per setup, in first-seen order.
    std::map<std::string, int> colour_of;
    const std::string name = panel_keys.empty() ? "error_vs_K" : "error_vs_K_" + slug(panel);
    const std::string file = "'" + name + ".dat'";
    const std::string sep = ", \\\n     ";
    std::string data, plots;
    // Bound curves depend on the accumulator's u, not on the data: setups whose bounds agree at
    // every common K share one pair of curves.
    struct Bound {
      std::map<double, std::pair<double, double>> at;  // K -> (gamma_K, sqrt(K) u)
      double u;
      int colour;
      std::vector<std::string> setups;
    };
    std::vector<Bound> bounds;
    int index = 0;
    for (const auto& [slabel, srows] : series) {
      const std::string setup = setup_label(sub, *srows.front(), setup_keys);
      const int colour = colour_of.emplace(setup, static_cast<int>(colour_of.size())).first->second;
      const std::string dist = data_keys.empty() ? "" : sub.str(*srows.front(), data_keys.front());
      const int dash = data_keys.empty() ? 1 : static_cast<int>(std::find(dists.begin(), dists.end(), dist) - dists.begin()) + 1;
      const std::string title = setup + (dist.empty() ? "" : ", " + dist);
      data += fmt::format("# block {}: {}\n# K  median_{} (median over repeats)\n", index, title, metric);
      Bound mine{{}, NAN, colour, {setup}};
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
        plots += fmt::format("{}{} index {} using 1:2 with linespoints lw 2 dt {} {} title {}", plots.empty() ? "" : sep,
                             file, index, dash, style(colour), quote(title));
      } else {
        notes.push_back(fmt::format("error against K ({}; {}): zero error at every K, nothing to draw on log axes",
                                    panel, title));
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
          if (std::find(b.setups.begin(), b.setups.end(), setup) == b.setups.end()) b.setups.push_back(setup);
          merged = true;
          break;
        }
      }
      if (!merged) bounds.push_back(std::move(mine));
    }
    if (plots.empty()) continue;
    for (const auto& b : bounds) {
      std::string who;
      for (const auto& x : b.setups) who += (who.empty() ? "" : "; ") + x;
      const std::string u = "u=" + u_text(b.u) + ": " + who;
      data += fmt::format("# block {}: bounds for {}\n# K  gamma_K  sqrt(K)*u\n", index, u);
      for (const auto& [k, v] : b.at) data += fmt::format("{} {} {}\n", num(k), pos(v.first), pos(v.second));
      data += "\n\n";
      const std::string colour = fmt::format("lc rgb \"{}\"", colour_hex(b.colour));
      plots += fmt::format("{}{} index {} using 1:2 with lines dt 4 lw 1 {} title {}", sep, file, index, colour,
                           quote("bound gamma_K = Ku/(1-Ku), " + u));
      plots += fmt::format("{}{} index {} using 1:3 with lines dt 3 lw 1 {} title {}", sep, file, index, colour,
                           quote("bound sqrt(K) u, " + u));
      ++index;
    }
    std::string body = fmt::format(
        "set logscale x 2\nset format x \"2^%L\"\nset logscale y 10\nset format y \"1e%L\"\n"
        "set xlabel \"K (terms per dot product)\"\n"
        "set ylabel \"max |C - C_exact| / (|A||B|)  (median over repeats)\"\n"
        "set key below left Left reverse maxcols 1\n"
        "plot {}\n",
        plots);
    const std::string what = panel_title(panel);
    w.add(name, "Error against K" + (what.empty() ? "" : " for " + what) +
                    ": every accumulator and model, with the bounds (solid/dashed = distribution)",
          data, body, 900, height_for(plots));
  }
}

// Heat map of the median relative error: one row per distinct setup (every swept key but the x
// key and the seed: never a median across setups), x = K; medians over the repeats only. Cells
// whose median is exactly 0 are grey and marked "0 (exact)".
void heatmap(const Table& t, Writer& w, std::vector<std::string>& notes) {
  auto dims = without(swept_keys(t), {"seed"});
  if (dims.size() < 2 || !t.has("median_rel_err")) return;
  std::string xk = "K";
  if (std::find(dims.begin(), dims.end(), "K") == dims.end()) {
    xk = dims.front();
    for (const auto& d : dims)
      if (t.distinct(d).size() > t.distinct(xk).size()) xk = d;
  }
  auto xs = t.distinct(xk);
  std::sort(xs.begin(), xs.end(), value_less);
  // Row label: the format keys first, then the setup, then the data keys.
  const auto row_keys = without(dims, {xk});
  std::vector<std::string> fmt_keys, setup_keys, data_keys;
  for (const auto& k : row_keys) {
    if (k == "a_format" || k == "b_format") fmt_keys.push_back(k);
    else if (k == "dist" || k == "b_dist") data_keys.push_back(k);
    else setup_keys.push_back(k);
  }
  auto groups = group_by(t, row_keys);
  const std::size_t kMaxRows = 60;
  if (groups.size() > kMaxRows) {
    notes.push_back(fmt::format("heat map: {} setups, only the first {} rows are drawn", groups.size(), kMaxRows));
    groups.resize(kMaxRows);
  }
  const std::size_t ny = groups.size();
  std::string data = fmt::format("# x_index y_index log10(median over repeats of median_rel_err) x={}; rows:\n", xk);
  std::string zeros = "# x_index y_index (median exactly 0)\n";
  std::vector<std::string> ylabels;
  int cells = 0, zero_cells = 0;
  for (std::size_t j = 0; j < ny; ++j) {
    const auto& rows = groups[j].second;
    std::string lab;
    for (const auto& k : fmt_keys) lab += (lab.empty() ? "" : " x ") + t.str(*rows.front(), k);
    const std::string setup = setup_label(t, *rows.front(), setup_keys);
    if (setup != "all") lab += (lab.empty() ? "" : " inputs, ") + setup;
    for (const auto& k : data_keys) lab += (lab.empty() ? "" : ", ") + t.str(*rows.front(), k);
    // Row 0 at the top.
    const std::size_t y = ny - 1 - j;
    ylabels.push_back(lab);
    data += fmt::format("# row {}: {}\n", y, lab);
    for (std::size_t i = 0; i < xs.size(); ++i) {
      std::vector<double> v;
      for (const auto* r : rows)
        if (t.str(*r, xk) == xs[i]) v.push_back(t.num(*r, "median_rel_err"));
      const double m = median(v);
      if (m == 0) {
        zeros += fmt::format("{} {}\n", i, y);
        ++zero_cells;
      } else if (std::isfinite(m) && m > 0) {
        data += fmt::format("{} {} {}\n", i, y, std::log10(m));
        ++cells;
      }
    }
  }
  if (cells + zero_cells == 0) return;
  data += "\n\n" + zeros + (zero_cells == 0 ? "-1 -1\n" : "");
  std::string xtics, ytics;
  for (std::size_t i = 0; i < xs.size(); ++i) xtics += fmt::format("{}{} {}", i ? ", " : "", quote(xs[i]), i);
  for (std::size_t j = 0; j < ny; ++j) ytics += fmt::format("{}{} {}", j ? ", " : "", quote(ylabels[j]), ny - 1 - j);
  std::size_t longest = 0;
  for (const auto& l : ylabels) longest = std::max(longest, l.size());
  const bool labels = xs.size() * ny <= 400;
  const std::string name = "heatmap_setup_vs_" + slug(xk);
  std::string body = fmt::format(
      "set xtics ({})\nset ytics ({})\nset xrange [-0.5:{}.5]\nset yrange [-0.5:{}.5]\n"
      "set lmargin {}\nset xlabel \"{}\"\nunset grid\n"
      "set cblabel \"log10(median relative error)\"\n"
      "set palette rgbformulae 33,13,10\n"
      "plot '{}.dat' index 0 using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder lc palette notitle, \\\n"
      "     '' index 1 using 1:2:(0.5):(0.5) with boxxyerror fs solid 1.0 noborder lc rgb \"#d9d9d9\" notitle{}\n",
      xtics, ytics, xs.size() - 1, ny - 1, std::min<std::size_t>(70, longest + 2), xk, name,
      labels ? ", \\\n     '' index 0 using 1:2:(sprintf(\"%.1e\", 10**$3)) with labels font \",8\" notitle, \\\n"
               "     '' index 1 using 1:2:(\"0 (exact)\") with labels font \",8\" notitle"
             : "");
  w.add(name,
        "Median relative error per setup (median over repeats only; grey = exactly 0)",
        data, body,
        static_cast<int>(std::max<std::size_t>(900, 9 * std::min<std::size_t>(70, longest) + 110 * xs.size() + 200)),
        static_cast<int>(std::max<std::size_t>(450, 150 + 24 * ny)));
  if (zero_cells > 0)
    notes.push_back(fmt::format("heat map: {} cell(s) with a median relative error of exactly 0 are grey, "
                                "marked \"0 (exact)\"", zero_cells));
}

// Empirical CDF of the per-row maximum ulp error: one figure per input format, one curve per
// setup (at most 6 per figure), powers of two on the x axis.
void ulp_cdf(const Table& t, Writer& w, std::vector<std::string>& notes) {
  if (!t.has("max_ulp_err")) return;
  const auto swept = swept_keys(t);
  auto panel_keys = format_keys(swept);
  auto series_keys = without(swept, {"seed", "K", "a_format", "b_format", "dist", "b_dist"});
  constexpr std::size_t kMaxCurves = 6;
  std::size_t most = 0;
  for (const auto& [panel, rows] : group_by(t, panel_keys)) {
    Table sub{t.header, {}};
    for (const auto* r : rows) sub.rows.push_back(*r);
    most = std::max(most, group_by(sub, series_keys).size());
  }
  // Still too many: split by the setup key with the fewest values until each figure fits.
  auto rest = series_keys;
  while (most > kMaxCurves && !rest.empty()) {
    auto k = std::min_element(rest.begin(), rest.end(), [&](const std::string& a, const std::string& b) {
      return t.distinct(a).size() < t.distinct(b).size();
    });
    panel_keys.push_back(*k);
    series_keys = without(series_keys, {*k});
    rest.erase(k);
    most = 0;
    for (const auto& [panel, rows] : group_by(t, panel_keys)) {
      Table sub{t.header, {}};
      for (const auto* r : rows) sub.rows.push_back(*r);
      most = std::max(most, group_by(sub, series_keys).size());
    }
  }
  auto panels = group_by(t, panel_keys);
  if (panels.size() > kMaxPanels) {
    notes.push_back(fmt::format("ulp CDF: {} panels, only the first {} are drawn", panels.size(), kMaxPanels));
    panels.resize(kMaxPanels);
  }
  for (const auto& [panel, prow] : panels) {
    Table sub{t.header, {}};
    for (const auto* r : prow) sub.rows.push_back(*r);
    auto series = group_by(sub, series_keys);
    if (series.size() > kMaxCurves) {
      notes.push_back(fmt::format("ulp CDF ({}): {} setups, only the first {} are drawn", panel, series.size(), kMaxCurves));
      series.resize(kMaxCurves);
    }
    const std::string name = panel_keys.empty() ? "ulp_cdf" : "ulp_cdf_" + slug(panel);
    std::string data, plots;
    double xmax = 0, xmin_pos = INFINITY;
    int index = 0;
    for (const auto& [lab, rows] : series) {
      std::vector<double> v;
      for (const auto* r : rows) {
        double x = sub.num(*r, "max_ulp_err");
        if (std::isfinite(x)) v.push_back(x);
      }
      if (v.empty()) continue;
      std::sort(v.begin(), v.end());
      const std::string title = setup_label(sub, *rows.front(), series_keys);
      data += "# " + title + "\n# max_ulp_err  fraction of rows <= it\n";
      for (std::size_t i = 0; i < v.size(); ++i) {
        data += fmt::format("{} {}\n", num(v[i]), static_cast<double>(i + 1) / static_cast<double>(v.size()));
        xmax = std::max(xmax, v[i]);
        if (v[i] > 0) xmin_pos = std::min(xmin_pos, v[i]);
      }
      data += "\n\n";
      plots += fmt::format("{}'{}.dat' index {} using 1:2 with steps lw 2 {} title {}",
                           plots.empty() ? "" : ", \\\n     ", name, index, style(index), quote(title));
      ++index;
    }
    if (index == 0) continue;
    // Log axis in powers of two when the errors span more than a factor 8; else plain numbers.
    const bool logx = std::isfinite(xmin_pos) && xmax / xmin_pos > 8;
    std::string axis;
    if (logx) {
      const int lo = static_cast<int>(std::floor(std::log2(xmin_pos)));
      const int hi = static_cast<int>(std::ceil(std::log2(xmax)));
      const int step = std::max(1, (hi - lo + 11) / 12);
      axis = fmt::format("set logscale x 2\nset xrange [2**{}:2**{}]\nset format x \"2^%L\"\nset xtics 2**{}\n", lo, hi,
                         step);
    }
    std::string body = fmt::format(
        "{}set xlabel \"largest error of a row, in ulps of the output format{}\"\n"
        "set ylabel \"fraction of rows (CDF)\"\nset yrange [0:1.02]\nset key below left Left reverse maxcols 1\nplot "
        "{}\n",
        axis, logx ? " (log scale; rows with 0 ulps not shown)" : "", plots);
    const std::string what = panel_title(panel);
    w.add(name, "Largest ulp error per row" + (what.empty() ? "" : " for " + what) + ": CDF over all K and repeats",
          data, body, 900, height_for(plots));
  }
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


// A figure an experiment config declares ([[report.figure]]): the rows `where` keeps, one line per
// distinct value of the `series` columns and per y expression, points at each x combined by `stat`.
void declared_figure(const Table& t, const FigureSpec& f, std::size_t number, Writer& w,
                     std::vector<std::string>& notes) {
  const auto rows = select_rows(t, f.where);
  const std::string name = fmt::format("exp{}_{}", number, slug(f.title));
  if (rows.empty()) {
    notes.push_back(fmt::format("figure '{}': no row matches {}", f.title, f.where.text()));
    return;
  }
  // Lines in first-seen order of their series values.
  std::vector<std::pair<std::string, std::vector<const std::vector<std::string>*>>> groups;
  std::map<std::string, std::size_t> at;
  for (const auto* r : rows) {
    // "scheme=mxfp4, scale_rule=rceil": empty cells (a key that does not apply to the row) left out.
    std::string lab;
    for (const auto& k : f.series)
      if (const std::string& v = t.str(*r, k); !v.empty()) lab += (lab.empty() ? "" : ", ") + k + "=" + v;
    if (lab.empty()) lab = "all";
    auto [it, fresh] = at.emplace(lab, groups.size());
    if (fresh) groups.push_back({lab, {}});
    groups[it->second].second.push_back(r);
  }
  std::string data, plots;
  int index = 0;  // data block; colour = the series, dash type = the y expression
  for (std::size_t yi = 0; yi < f.y.size(); ++yi) {
    const Expr& y = f.y[yi];
    for (std::size_t gi = 0; gi < groups.size(); ++gi) {
      const auto& [lab, grows] = groups[gi];
      if (static_cast<std::size_t>(index) >= kMaxSeries) {
        notes.push_back(fmt::format("figure '{}': more than {} lines, the rest not drawn", f.title, kMaxSeries));
        break;
      }
      std::map<double, std::vector<double>> by_x;
      for (const auto* r : grows) {
        auto cell = [&](std::string_view c) -> std::string_view { return t.str(*r, c); };
        const double x = f.x.eval(cell);
        if (!std::isnan(x)) by_x[x].push_back(y.eval(cell));
      }
      const std::string title = (f.y.size() > 1 ? y.text() + (lab == "all" ? "" : ": ") : "") +
                                (lab == "all" && f.y.size() > 1 ? "" : lab);
      data += fmt::format("# {}\n# {}  {} of {}\n", title, f.x.text(), f.stat, y.text());
      for (const auto& [x, v] : by_x)
        data += fmt::format("{} {}\n", num(x), f.logy ? pos(apply_stat(f.stat, v)) : num(apply_stat(f.stat, v)));
      data += "\n\n";
      plots += fmt::format("{}'' index {} using 1:2 with linespoints lw 2 dt {} {} title {}",
                           plots.empty() ? "" : ", \\\n     ", index, yi + 1, style(static_cast<int>(gi)),
                           quote(title));
      ++index;
    }
  }
  plots.replace(plots.find("''"), 2, "'" + name + ".dat'");
  std::string body;
  if (f.logx) body += "set logscale x 2\n";
  if (f.logy) body += "set logscale y 10\nset format y \"%.0e\"\n";
  body += fmt::format("set xlabel {}\nset ylabel {}\nset key below left Left reverse maxcols 1\nplot {}\n",
                      quote(f.x_label), quote(f.y_label.empty() ? f.y.front().text() : f.y_label), plots);
  w.add(name, f.title, data, body, 900, height_for(plots));
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
                                 std::vector<std::string>& notes, const std::vector<FigureSpec>& declared,
                                 bool generic) {
  // A fresh set: figures of an earlier report of this directory must not linger beside the new ones.
  if (fs::exists(figdir))
    for (const auto& e : fs::directory_iterator(figdir))
      for (const char* ext : {".dat", ".gp", ".svg", ".png", ".log"})
        if (e.path().extension() == ext) fs::remove(e.path());
  fs::create_directories(figdir);
  std::vector<Figure> figures;
  Writer w{figdir, figures};
  for (std::size_t i = 0; i < declared.size(); ++i) declared_figure(t, declared[i], i + 1, w, notes);
  if (generic) {
    error_vs_k(t, w, notes);
    heatmap(t, w, notes);
    ulp_cdf(t, w, notes);
    range_vs_scale(t, w, notes);
    distinct_vs_k(t, w, notes);
    spread_vs_k(t, w, notes);
  }
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
