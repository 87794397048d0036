// `floatscope report DIR [-o OUT]`: report.md and a self-contained report.html (figures embedded)
// from a sweep directory's results.csv and meta.json, with figures drawn by gnuplot.
#include <fmt/format.h>
#include <md4c-html.h>

#include <charconv>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "command.hpp"
#include "floatscope/experiment.hpp"
#include "floatscope/sweep.hpp"
#include "floatscope/sweep_toml.hpp"
#include "report_claims.hpp"
#include "report_data.hpp"
#include "report_figures.hpp"
#include "report_spec.hpp"
#include "sweep_meta.hpp"

namespace floatscope::cli {
namespace {
namespace fs = std::filesystem;
using namespace report;

std::string g3(double v) { return std::isnan(v) ? "-" : fmt::format("{:.3g}", v); }

std::string base64(const std::string& in) {
  static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
    out += {abc[v >> 18], abc[(v >> 12) & 63], abc[(v >> 6) & 63], abc[v & 63]};
  }
  if (i + 1 == in.size()) {
    unsigned v = (unsigned char)in[i] << 16;
    out += {abc[v >> 18], abc[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8;
    out += {abc[v >> 18], abc[(v >> 12) & 63], abc[(v >> 6) & 63], '='};
  }
  return out;
}

std::string html_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

// A table cell: '|' escaped, and line breaks (a TOML multi-line question) joined into one line,
// which is all a Markdown table row can hold.
std::string md_cell(std::string s) {
  std::string o;
  for (char c : s) {
    if (c == '|') o += "\\|";
    else if (c == '\n' || c == '\r') o += o.empty() || o.back() == ' ' ? "" : " ";
    else o += c;
  }
  return o;
}

struct TextTable {
  std::vector<std::string> head;
  std::vector<std::vector<std::string>> rows;
  std::string md() const {
    std::string s = "|";
    for (auto& h : head) {
      s += ' ';
      s += md_cell(h);
      s += " |";
    }
    s += "\n|";
    for (std::size_t i = 0; i < head.size(); ++i) s += "---|";
    s += "\n";
    for (auto& r : rows) {
      s += "|";
      for (auto& c : r) {
        s += ' ';
        s += md_cell(c);
        s += " |";
      }
      s += "\n";
    }
    return s;
  }
};

// One line per configuration (every swept parameter but the seed), statistics over its repeats.
TextTable summary_table(const Table& t) {
  auto keys = without(swept_keys(t), {"seed"});
  TextTable tt;
  tt.head = keys;
  for (const char* h : {"rows", "max rel err (median)", "median rel err (median)", "normwise rel err (median)",
                        "max err / |A||B| (median)", "gamma_K bound", "sqrt(K) u bound", "max ulp err (max)",
                        "underflow frac (mean)", "overflow frac (mean)", "NaN (sum)"})
    tt.head.emplace_back(h);
  for (const auto& [c, h] : {std::pair{"nonfinite_exact_count", "left out: exact not finite (sum)"},
                             std::pair{"inf_output_count", "Inf outputs (sum)"},
                             std::pair{"input_overflow_count", "input overflows (sum)"}})
    if (t.has(c)) tt.head.emplace_back(h);
  auto groups = group_by(t, keys);
  // Rows ordered key by key: numbers by value (K = 16 before 256), names in the sweep's order.
  std::vector<std::map<std::string, std::size_t>> rank(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    auto vals = t.distinct(keys[i]);
    if (keys[i] == "K" || keys[i] == "M" || keys[i] == "N") std::stable_sort(vals.begin(), vals.end(), value_less);
    for (std::size_t j = 0; j < vals.size(); ++j) rank[i][vals[j]] = j;
  }
  auto ranks = [&](const std::vector<std::string>& row) {
    std::vector<std::size_t> r;
    for (std::size_t i = 0; i < keys.size(); ++i) r.push_back(rank[i][t.str(row, keys[i])]);
    return r;
  };
  std::stable_sort(groups.begin(), groups.end(),
                   [&](const auto& a, const auto& b) { return ranks(*a.second.front()) < ranks(*b.second.front()); });
  for (const auto& [lab, rows] : groups) {
    std::vector<std::string> line;
    for (const auto& k : keys) line.push_back(t.str(*rows.front(), k));
    auto col = [&](const char* c) {
      std::vector<double> v;
      for (const auto* r : rows) v.push_back(t.num(*r, c));
      return v;
    };
    double nans = 0;
    for (double x : col("nan_count")) nans += std::isnan(x) ? 0 : x;
    for (std::string v :
         {std::to_string(rows.size()), g3(median(col("max_rel_err"))), g3(median(col("median_rel_err"))),
          g3(median(col("normwise_rel_err"))), g3(median(col("max_err_over_absprod"))), g3(median(col("bound_det"))),
          g3(median(col("bound_prob"))), g3(max_of(col("max_ulp_err"))), g3(mean(col("underflow_frac"))),
          g3(mean(col("overflow_frac"))), g3(nans)})
      line.push_back(v);
    // Outputs left out of the statistics (exact value not finite) and infinite errors, where the
    // CSV has those columns (sweeps before issue 9 do not).
    for (const char* c : {"nonfinite_exact_count", "inf_output_count", "input_overflow_count"}) {
      if (!t.has(c)) continue;
      double sum = 0;
      for (double x : col(c)) sum += std::isnan(x) ? 0 : x;
      line.push_back(g3(sum));
    }
    tt.rows.push_back(line);
  }
  return tt;
}

TextTable accumulator_table(const Table& t) {
  TextTable tt{{"model", "a_format", "b_format", "acc_format", "rounding", "accumulator"}, {}};
  std::set<std::vector<std::string>> seen;
  for (const auto& r : t.rows) {
    std::vector<std::string> line;
    for (const auto& h : tt.head) line.push_back(t.str(r, h));
    // A named model's rounding is its unit's (acc_format "e8m13/rtz"), not the unused parameter.
    if (const auto slash = line[3].find('/'); line[0] != "custom" && slash != std::string::npos)
      line[4] = line[3].substr(slash + 1);
    if (seen.insert(line).second) tt.rows.push_back(line);
  }
  return tt;
}

TextTable config_table(const nlohmann::json& meta) {
  TextTable tt{{"layer", "key", "values"}, {}};
  if (!meta.contains("config")) return tt;
  auto vals = [](const nlohmann::json& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x.get<std::string>();
    return s;
  };
  for (const auto& k : sweep::sweep_keys()) {
    const auto& base = meta["config"]["base"];
    if (base.contains(std::string(k.name)))
      tt.rows.push_back({"top level", std::string(k.name), vals(base[std::string(k.name)])});
  }
  int i = 0;
  for (const auto& g : meta["config"]["grids"]) {
    ++i;
    for (const auto& [k, v] : g.items()) tt.rows.push_back({"[[grid]] " + std::to_string(i), k, vals(v)});
  }
  return tt;
}

TextTable environment_table(const nlohmann::json& meta) {
  TextTable tt{{"item", "value"}, {}};
  auto add = [&](const std::string& k, const nlohmann::json& v) {
    tt.rows.push_back({k, v.is_string() ? v.get<std::string>() : v.dump()});
  };
  for (const char* k : {"fingerprint", "shard", "complete", "status", "points_total", "rows", "threads", "started",
                        "finished", "command"})
    if (meta.contains(k)) add(k, meta[k]);
  if (meta.contains("environment"))
    for (const auto& [k, v] : meta["environment"].items()) add(k, v);
  return tt;
}

// A results.csv the report can stand on: every record whole, every number a number, each point
// once, and as many rows as meta.json promises when it says the sweep is complete. Anything else
// is a damaged file (exit 2, naming the file and line), never a report of fewer points.
void check_rows(const fs::path& csv, const sweep::CsvTable& raw, const Table& t, const nlohmann::json& meta) {
  const std::string name = csv.string();
  if (raw.torn_tail)
    throw UsageError(fmt::format("{}:{}: the last line is cut off (no newline at its end): the sweep was killed or "
                                 "is being written; resume it with the same command, then report",
                                 name, t.rows.size() + 2));
  struct Numeric {
    int col;
    std::string name;
    bool may_be_empty;  // a measurement the run did not make is an empty cell
  };
  std::vector<Numeric> numeric;
  for (const auto& v : result_values(ExperimentResult{})) numeric.push_back({t.col(v.name), std::string(v.name), true});
  numeric.push_back({t.col("seconds"), "seconds", false});
  for (const auto& k : sweep::sweep_keys())
    if (k.dimension && k.type != sweep::ValueType::String) numeric.push_back({t.col(k.name), std::string(k.name), false});
  numeric.push_back({t.col("repeat"), "repeat", false});
  const int id_col = t.col("point_id");
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    const auto& row = t.rows[i];
    const std::size_t line = i + 2;
    for (const auto& [c, col, may_be_empty] : numeric) {
      if (c < 0) continue;
      const std::string& cell = row[static_cast<std::size_t>(c)];
      if (cell.empty() && may_be_empty) continue;
      double v = 0;
      auto [p, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
      if (cell.empty() || ec != std::errc() || p != cell.data() + cell.size())
        throw UsageError(fmt::format("{}:{}: column {}: '{}' is not a number", name, line, col, cell));
    }
    if (id_col >= 0) {
      const std::string& id = row[static_cast<std::size_t>(id_col)];
      auto [it, fresh] = seen.emplace(id, line);
      if (!fresh)
        throw UsageError(fmt::format("{}:{}: point {} appears twice (first on line {})", name, line, id, it->second));
    }
  }
  if (meta.value("complete", false) && t.rows.size() != meta.value("points", std::size_t{0}))
    throw UsageError(fmt::format("{}: meta.json says the sweep is complete with {} points, but {} has {} rows",
                                 csv.parent_path().string(), meta.value("points", std::size_t{0}), name,
                                 t.rows.size()));
}

// The experiment's [report] table, from the config the sweep copied into DIR (empty without one).
ReportSpec read_spec(const fs::path& dir, const Table& t) {
  const fs::path config = dir / "config.toml";
  if (!fs::exists(config)) return {};
  try {
    ReportSpec spec = parse_report_spec(sweep::read_config_text(config.string()), config.string());
    check_report_columns(spec, t.header);
    return spec;
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
}

std::string number_text(double v) { return std::isnan(v) ? "-" : fmt::format("{:.4g}", v); }

// "9 of 10 held, 1 not held; 2 measured only; 1 not measured": the claims with an expectation
// first (held of those), then the ones without one and the ones no row measured.
std::string verdict_counts(const std::map<std::string, std::size_t>& v) {
  auto n = [&](const char* k) { const auto it = v.find(k); return it == v.end() ? std::size_t{0} : it->second; };
  const std::size_t checked = n("held") + n("not held");
  std::string s = fmt::format("{} of {} held", n("held"), checked);
  if (n("not held")) s += fmt::format(", {} not held", n("not held"));
  if (n("measured")) s += fmt::format("; {} measured only", n("measured"));
  if (n("not measured")) s += fmt::format("; {} not measured", n("not measured"));
  return s;
}

TextTable claims_table(const std::vector<ClaimResult>& results) {
  TextTable tt{{"claim", "source", "measured as", "published / reference", "measured", "measured / published",
                "expected", "verdict"},
               {}};
  for (const auto& r : results) {
    const ClaimSpec& c = *r.spec;
    // An exact claim (7.0859375, term 513) shows every digit; the others four significant ones.
    auto show = [&](double v) { return c.expect == "equal" && c.tol == 0 && !std::isnan(v) ? sweep::format_double(v) : number_text(v); };
    std::string ref = c.published ? show(*c.published)
                      : c.than    ? number_text(r.reference.value) + " (" + describe(*c.than, r.reference.rows) + ")"
                                  : "-";
    tt.rows.push_back({c.claim, c.source.empty() ? "-" : c.source, describe(c.measured, r.measured.rows), ref,
                       show(r.measured.value), number_text(r.ratio), expectation_text(c),
                       "**" + r.verdict + "**"});
  }
  return tt;
}

const char* kInstallHint =
    "gnuplot was not found, so no figure was drawn. Install it (Debian/Ubuntu: `sudo apt-get install gnuplot-nox`; "
    "macOS: `brew install gnuplot`) and run `floatscope report` again; or draw the figures from the scripts "
    "written in figures/: `cd figures && gnuplot NAME.gp`.";

int run_report(const std::string& dir_text, const std::string& out_text, const std::string& gnuplot_req, bool quiet) {
  const fs::path dir = dir_text, out = out_text.empty() ? dir : fs::path(out_text);
  const auto csv = dir / "results.csv";
  if (!fs::exists(csv))
    throw UsageError(csv.string() + " not found (run `floatscope sweep -o " + dir_text + "` first)");
  const DirLock lock(dir, false);  // not while a sweep or merge writes it
  sweep::CsvTable raw = sweep::read_csv_file(csv);
  Table t{raw.header, std::move(raw.rows)};
  fill_model_acc_format(t);
  for (const char* c : {"model", "K", "max_rel_err"})
    if (!t.has(c)) throw UsageError(csv.string() + ": no column '" + c + "': not a floatscope results.csv");
  nlohmann::json meta = fs::exists(dir / "meta.json") ? read_meta(dir) : nlohmann::json::object();
  check_rows(csv, raw, t, meta);

  fs::create_directories(out);
  const fs::path figdir = out / "figures";
  const std::string gnuplot = find_gnuplot(gnuplot_req);
  const ReportSpec spec = read_spec(dir, t);
  const auto claims = evaluate_claims(t, spec);
  std::vector<std::string> notes;
  auto figures = make_figures(t, figdir, gnuplot, notes, spec.figures, spec.generic_figures);

  const std::string title = meta.value("title", "").empty() ? "floatscope sweep report" : meta.value("title", "");
  const bool complete = meta.value("complete", false);
  const std::string intro = fmt::format(
      "Sweep directory `{}`: {} rows{}. Generated {} by floatscope {}.", dir.string(), t.rows.size(),
      meta.empty() ? " (no meta.json)"
                   : complete ? fmt::format(" covering all {} points", meta.value("points", 0))
                              : fmt::format(" of {} points: INCOMPLETE (status: {})", meta.value("points", 0),
                                            meta.value("status", "?")),
      now_utc(), FLOATSCOPE_VERSION);
  const auto summary = summary_table(t), accs = accumulator_table(t), config = config_table(meta),
             env = environment_table(meta);
  const std::string metrics_note =
      "Errors are measured against the exact product (see the `reference` column). *max err / |A||B|* is the "
      "largest componentwise error divided by (|A||B|)_ij, the quantity the deterministic bound gamma_K = Ku/(1-Ku) "
      "and the probabilistic bound sqrt(K)u (u = unit roundoff of the accumulator) apply to.";

  // report.md (figures linked) and report.html (the same Markdown rendered by md4c, figures
  // embedded as data URIs so that the one file is the whole report).
  auto markdown = [&](bool embed) {
    std::string md = "# " + title + "\n\n" + intro + "\n\n";
    if (!spec.question.empty()) md += "**Question.** " + spec.question + "\n\n";
    if (!claims.empty()) {
      std::map<std::string, std::size_t> verdicts;
      for (const auto& c : claims) ++verdicts[c.verdict];
      md += fmt::format("## Published vs measured\n\nClaims: {} (claims.csv has the unrounded numbers).\n\n",
                        verdict_counts(verdicts)) +
            claims_table(claims).md() + "\n";
    }
    if (!spec.conclusion.empty()) md += "## Conclusion\n\n" + spec.conclusion + "\n\n";
    md += "## Figures\n\n";
    if (gnuplot.empty()) md += std::string(kInstallHint) + "\n\n";
    for (const auto& f : figures) {
      md += "### " + f.caption + "\n\n";
      if (f.drawn) {
        std::string src = "figures/" + f.name + ".svg";
        if (embed) {
          std::ifstream in(figdir / (f.name + ".svg"), std::ios::binary);
          std::stringstream ss;
          ss << in.rdbuf();
          src = "data:image/svg+xml;base64," + base64(ss.str());
        }
        md += "![" + f.caption + "](" + src + ")\n\n";
      } else if (!gnuplot.empty()) {
        md += "Not drawn: " + f.problem + "\n\n";
      }
      md += "Files: [SVG](figures/" + f.name + ".svg), [PNG](figures/" + f.name + ".png), gnuplot script [figures/" +
            f.name + ".gp](figures/" + f.name + ".gp), data [figures/" + f.name + ".dat](figures/" + f.name + ".dat)\n\n";
    }
    if (figures.empty()) md += "No figure applies to these columns (sweep K for error curves).\n\n";
    for (const auto& n : notes) md += "- " + n + "\n";
    md += "\n## Summary by configuration\n\n" + metrics_note + "\n\n" + summary.md() + "\n## Accumulators\n\n" +
          accs.md() + "\n## Resolved configuration\n\nEach [[grid]] sub-grid overrides the top-level values.\n\n" +
          config.md() + "\n## Environment\n\n" + env.md();
    return md;
  };
  write_text_file(out / "report.md", markdown(false));
  if (!claims.empty()) write_text_file(out / "claims.csv", claims_csv(claims));
  else fs::remove(out / "claims.csv");  // none left in the config: no stale verdicts

  std::string body;
  const std::string md_html_src = markdown(true);
  if (md_html(md_html_src.data(), static_cast<MD_SIZE>(md_html_src.size()),
              [](const MD_CHAR* text, MD_SIZE size, void* user) { static_cast<std::string*>(user)->append(text, size); },
              &body, MD_DIALECT_GITHUB | MD_FLAG_NOHTML, 0) != 0)
    throw std::runtime_error("report: md4c could not render report.md as HTML");
  const std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
                           html_escape(title) +
                           "</title>\n<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em}"
                           "table{border-collapse:collapse;font-size:0.85em;margin:1em 0}td,th{border:1px solid #ccc;"
                           "padding:2px 6px;text-align:left}th{background:#eee}img{max-width:100%;border:1px solid #ddd}"
                           "code{background:#f4f4f4}</style></head><body>\n" +
                           body + "</body></html>\n";
  write_text_file(out / "report.html", html);

  if (!quiet) {
    std::size_t drawn = 0;
    for (const auto& f : figures) drawn += f.drawn;
    std::cerr << fmt::format("wrote {} and {} ({} of {} figures drawn{})\n", (out / "report.html").string(),
                             (out / "report.md").string(), drawn, figures.size(),
                             gnuplot.empty() ? "; gnuplot not found: apt-get install gnuplot-nox" : "");
  }
  return kExitOk;
}

// `floatscope report --index ROOT`: ROOT/README.md, one page over every report below ROOT that has
// claims (ROOT/NAME/claims.csv): how many held, and each claim with its conditions and numbers.
int write_index(const std::string& root_text, bool quiet) {
  const fs::path root = root_text;
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(root))
    if (e.is_directory() && fs::exists(e.path() / "results.csv")) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  if (dirs.empty()) throw UsageError(root.string() + ": no report directory (NAME/results.csv) below it");
  TextTable overview{{"experiment", "question", "claims"}, {}};
  std::string details;
  std::map<std::string, std::size_t> totals;
  for (const auto& d : dirs) {
    const std::string name = d.filename().string();
    const nlohmann::json meta = fs::exists(d / "meta.json") ? read_meta(d) : nlohmann::json::object();
    ReportSpec spec;
    if (fs::exists(d / "config.toml")) {
      try {
        spec = parse_report_spec(sweep::read_config_text((d / "config.toml").string()), (d / "config.toml").string());
      } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
      }
    }
    std::string held_text = "-";
    if (fs::exists(d / "claims.csv")) {
      const sweep::CsvTable c = sweep::read_csv_file(d / "claims.csv");
      Table t{c.header, c.rows};
      for (const char* col : {"claim", "conditions", "published", "reference", "measured", "ratio", "verdict"})
        if (!t.has(col)) throw UsageError((d / "claims.csv").string() + ": no column '" + col + "'");
      std::map<std::string, std::size_t> verdicts;
      TextTable tt{{"claim", "measured as", "published / reference", "measured", "ratio", "verdict"}, {}};
      for (const auto& r : t.rows) {
        ++verdicts[t.str(r, "verdict")];
        const std::string& ref = t.str(r, "published").empty() ? t.str(r, "reference") : t.str(r, "published");
        tt.rows.push_back({t.str(r, "claim"), t.str(r, "conditions"), ref.empty() ? "-" : number_text(t.num(r, "reference")),
                           number_text(t.num(r, "measured")), number_text(t.num(r, "ratio")),
                           "**" + t.str(r, "verdict") + "**"});
      }
      for (const auto& [v, n] : verdicts) totals[v] += n;
      held_text = verdict_counts(verdicts);
      details += fmt::format("## [{}]({}/report.md)\n\n{}{}\n", name, name,
                             spec.question.empty() ? "" : spec.question + "\n\n", tt.md());
    }
    overview.rows.push_back({fmt::format("[{}]({}/report.md)", name, name),
                             spec.question.empty() ? meta.value("title", "") : spec.question, held_text});
  }
  const std::string md =
      "# Experiment reports\n\nEach folder holds one experiment's committed output (results.csv, meta.json, the "
      "config it ran, report.md, figures/, claims.csv); `experiments/NAME/` has its config and README. This page is "
      "generated by `floatscope report --index " + root_text + "` from every claims.csv: a claim *held* when the "
      "measured value meets the expectation written next to it in the experiment's config (the *measured as* column "
      "says which rows and which statistic).\n\n" +
      "Claims: " + verdict_counts(totals) + ".\n\n" + overview.md() + "\n" + details;
  write_text_file(root / "README.md", md);
  if (!quiet) std::cerr << fmt::format("wrote {} ({} reports; claims: {})\n", (root / "README.md").string(), dirs.size(),
                                       verdict_counts(totals));
  return kExitOk;
}

const Registrar reg_report("report", 42, [](CLI::App& app) -> std::function<int()> {
  app.description("Write report.html (self-contained), report.md and figures/ from a sweep directory");
  struct Args {
    std::string dir, out, gnuplot;
    bool quiet = false, index = false;
  };
  auto a = std::make_shared<Args>();
  app.add_option("dir", a->dir, "Sweep directory (results.csv + meta.json); with --index, a folder of them")
      ->required()
      ->check(CLI::ExistingDirectory);
  app.add_flag("--index", a->index, "Write DIR/README.md: every report below DIR with its claims and verdicts");
  app.add_option("-o,--output", a->out, "Output directory (default: DIR)");
  app.add_option("--gnuplot", a->gnuplot, "gnuplot program (default: $FLOATSCOPE_GNUPLOT or gnuplot on PATH)");
  app.add_flag("--quiet", a->quiet, "No summary on stderr");
  app.footer("Example:\n  floatscope sweep -o out/default && floatscope report out/default\n"
             "  floatscope report --index reports      # reports/README.md from every reports/*/claims.csv");
  return [a] { return a->index ? write_index(a->dir, a->quiet) : run_report(a->dir, a->out, a->gnuplot, a->quiet); };
});

}  // namespace
}  // namespace floatscope::cli
