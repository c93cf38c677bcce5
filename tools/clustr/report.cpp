#include "report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

namespace clustr_cli {

std::string fmt(double v, int digits) {
  if (std::isnan(v)) return "n/a";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

namespace {

/// Numbers are right-aligned in tables, text left-aligned.
bool is_number(const std::string& s) {
  if (s.empty()) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end && (*end == '\0' || *end == 'x' || *end == '%');
}

}  // namespace

report::report(std::string title) : title_(std::move(title)) {}

void report::heading(const std::string& text) { body_ += "<h2>" + svg::escape(text) + "</h2>\n"; }

void report::paragraph(const std::string& text) { body_ += "<p>" + svg::escape(text) + "</p>\n"; }

void report::key_values(const std::vector<std::pair<std::string, std::string>>& rows) {
  body_ += "<table class=\"kv\">\n";
  for (const auto& [k, v] : rows) body_ += "<tr><th>" + svg::escape(k) + "</th><td>" + svg::escape(v) + "</td></tr>\n";
  body_ += "</table>\n";
}

void report::table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  body_ += "<table class=\"grid\">\n<tr>";
  for (const auto& h : header) body_ += "<th>" + svg::escape(h) + "</th>";
  body_ += "</tr>\n";
  for (const auto& r : rows) {
    body_ += "<tr>";
    for (const auto& c : r) body_ += (is_number(c) ? "<td class=\"num\">" : "<td>") + svg::escape(c) + "</td>";
    body_ += "</tr>\n";
  }
  body_ += "</table>\n";
}

void report::figure(const std::string& svg_text, const std::string& caption) {
  body_ += "<figure>\n" + svg_text;
  if (!caption.empty()) body_ += "<figcaption>" + svg::escape(caption) + "</figcaption>\n";
  body_ += "</figure>\n";
}

std::string report::html() const {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + svg::escape(title_) +
         "</title>\n<style>\n"
         "body{font-family:sans-serif;max-width:1280px;margin:24px auto;padding:0 16px;color:#222}\n"
         "h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}\n"
         "table{border-collapse:collapse;margin:8px 0}th,td{padding:3px 10px;text-align:left;font-size:13px}\n"
         "table.grid th,table.grid td{border:1px solid #ccc}table.grid td.num{text-align:right}\n"
         "table.kv th{color:#555;font-weight:normal}\n"
         "figure{display:inline-block;margin:8px 16px 8px 0;vertical-align:top}\n"
         "figcaption{font-size:12px;color:#555;max-width:600px}\n"
         "</style>\n</head>\n<body>\n<h1>" +
         svg::escape(title_) + "</h1>\n" + body_ + "</body>\n</html>\n";
}

std::string plot_clusters_2d(const std::vector<double>& x, const std::vector<double>& y,
                             const std::vector<std::int64_t>& labels, const std::string& title, const std::string& x_label,
                             const std::string& y_label) {
  svg::chart c;
  c.title = title;
  c.x_label = x_label;
  c.y_label = y_label;
  c.width = 600;
  c.height = 520;
  return svg::scatter(x, y, labels, c);
}

std::string plot_cluster_sizes(const std::vector<std::int64_t>& labels) {
  std::map<std::int64_t, double> count;
  for (auto l : labels) count[l < 0 ? -1 : l] += 1;
  std::vector<std::string> names;
  std::vector<double> sizes;
  std::vector<std::string> colors;
  for (const auto& [l, c] : count) {
    names.push_back(l < 0 ? "noise" : std::to_string(l));
    sizes.push_back(c);
    colors.push_back(svg::color_of(l));
  }
  svg::chart ch;
  ch.title = "Cluster sizes";
  ch.x_label = "cluster";
  ch.y_label = "points";
  return svg::bar_chart(names, sizes, ch, colors);
}

std::vector<double> top_two_gaps(const std::vector<double>& membership, std::int64_t n, std::int64_t n_clusters,
                                 const std::vector<std::int64_t>& labels) {
  std::vector<double> gaps;
  if (n_clusters < 1) return gaps;
  for (std::int64_t i = 0; i < n; ++i) {
    if (!labels.empty() && labels[static_cast<std::size_t>(i)] < 0) continue;
    double a = -1, b = 0;  // largest, second largest
    for (std::int64_t j = 0; j < n_clusters; ++j) {
      const double p = membership[static_cast<std::size_t>(i * n_clusters + j)];
      if (p > a) b = std::max(a, 0.0), a = p;
      else if (p > b) b = p;
    }
    gaps.push_back(a - b);
  }
  return gaps;
}

std::string plot_gap_histogram(const std::vector<double>& gaps) {
  svg::chart c;
  c.title = "Gap between top-two membership probabilities";
  c.x_label = "p(first) - p(second)";
  c.y_label = "points";
  return svg::histogram(gaps, 40, c, 0.0, 1.0);
}

std::string plot_gap_cdf(const std::vector<double>& gaps) {
  svg::chart c;
  c.title = "CDF of the top-two membership gap";
  c.x_label = "p(first) - p(second)";
  c.y_label = "fraction of points";
  return svg::cdf(gaps, c);
}

std::string plot_k_distance(const std::vector<double>& sorted_distances, int k, double eps, const std::string& eps_label) {
  svg::series s;
  s.name = "k-distance";
  s.markers = false;
  const std::size_t n = sorted_distances.size(), step = std::max<std::size_t>(1, n / 2000);
  for (std::size_t i = 0; i < n; i += step) {
    s.x.push_back(static_cast<double>(i));
    s.y.push_back(sorted_distances[i]);
  }
  if (n) {
    s.x.push_back(static_cast<double>(n - 1));
    s.y.push_back(sorted_distances.back());
  }
  svg::chart c;
  c.title = "Sorted distance to the " + std::to_string(k) + "-th neighbour";
  c.x_label = "points (sorted)";
  c.y_label = "distance";
  std::vector<svg::marker> m;
  if (std::isfinite(eps)) m.push_back({eps, eps_label + " = " + fmt(eps), false});
  return svg::line_chart({s}, c, m);
}

std::string plot_inertia_vs_k(const std::vector<double>& ks, const std::vector<double>& inertia) {
  svg::chart c;
  c.title = "Inertia against k";
  c.x_label = "k (clusters)";
  c.y_label = "inertia";
  return svg::line_chart({{"inertia", ks, inertia, "#1f77b4", true}}, c);
}

std::string plot_scores_vs_k(const std::vector<double>& ks, const std::vector<double>& silhouette,
                             const std::vector<double>& davies_bouldin) {
  svg::chart c;
  c.title = "Silhouette (higher is better) and Davies-Bouldin (lower) against k";
  c.x_label = "k (clusters)";
  c.y_label = "score";
  return svg::line_chart({{"silhouette", ks, silhouette, "#2ca02c", true}, {"Davies-Bouldin", ks, davies_bouldin, "#d62728", true}},
                         c);
}

std::string plot_times(const std::vector<std::string>& names, const std::vector<double>& seconds, const std::string& title) {
  svg::chart c;
  c.title = title;
  c.x_label = "backend";
  c.y_label = "seconds";
  return svg::bar_chart(names, seconds, c);
}

}  // namespace clustr_cli
