// Figures of a sweep report: for each, a data file, a gnuplot script next to it (so it can be
// restyled and re-run: `cd figures && gnuplot NAME.gp`), and the SVG and PNG gnuplot draws.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "report_data.hpp"
#include "report_spec.hpp"

namespace floatscope::cli::report {

struct Figure {
  std::string name;     // file stem in figures/
  std::string caption;
  bool drawn = false;   // svg and png exist
  std::string problem;  // why it was not drawn
};

// Writes figures/NAME.dat and NAME.gp for the figures an experiment declares, then for every
// generic figure the columns allow; runs `gnuplot` on each when gnuplot is non-empty. `notes`
// collects figures skipped and why.
std::vector<Figure> make_figures(const Table& t, const std::filesystem::path& figdir, const std::string& gnuplot,
                                 std::vector<std::string>& notes, const std::vector<FigureSpec>& declared = {});

// The gnuplot program to use ("" when none works): FLOATSCOPE_GNUPLOT, else gnuplot on PATH.
std::string find_gnuplot(const std::string& requested);

}  // namespace floatscope::cli::report
