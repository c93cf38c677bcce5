#pragma once
// Small SVG chart helpers for report.html (no dependencies, no scripts): line
// charts, scatter plots coloured by label, histograms, CDFs and bar charts,
// each returned as an <svg> element string with axes, ticks and labels.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace clustr_cli::svg {

struct chart {
  std::string title;
  std::string x_label;
  std::string y_label;
  int width = 600;
  int height = 380;
};

/// One line (and markers) of a line chart.
struct series {
  std::string name;
  std::vector<double> x, y;
  std::string color;  ///< empty: from the palette
  bool markers = true;
};

/// A vertical or horizontal reference line with a label.
struct marker {
  double value = 0;
  std::string label;
  bool vertical = true;
  std::string color = "#d62728";
};

/// The colour of cluster `label` (tab20-like palette; -1, noise, is grey).
std::string color_of(std::int64_t label);

/// A line chart of one or more series, with optional reference lines.
std::string line_chart(const std::vector<series>& s, const chart& c, const std::vector<marker>& markers = {});

/// A scatter plot of (x[i], y[i]) coloured by labels[i] (empty: one colour).
/// At most max_points points are drawn (an even subsample, said in a note).
std::string scatter(const std::vector<double>& x, const std::vector<double>& y, const std::vector<std::int64_t>& labels,
                    const chart& c, std::size_t max_points = 20000);

/// A histogram of `values` in `bins` equal bins over [lo, hi] (lo == hi:
/// the data's range).
std::string histogram(const std::vector<double>& values, int bins, const chart& c, double lo = 0, double hi = 0);

/// The empirical cumulative distribution of `values`.
std::string cdf(const std::vector<double>& values, const chart& c);

/// A bar chart; colors[i] (optional) colours bar i.
std::string bar_chart(const std::vector<std::string>& categories, const std::vector<double>& values, const chart& c,
                      const std::vector<std::string>& colors = {});

/// `s` with XML escapes.
std::string escape(const std::string& s);

}  // namespace clustr_cli::svg
