#include "svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

namespace clustr_cli::svg {

namespace {

const char* const palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                               "#17becf", "#bcbd22", "#7f7f7f", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896",
                               "#c5b0d5", "#c49c94", "#f7b6d2", "#9edae5", "#dbdb8d", "#393b79"};

std::string num(double v, int prec = 2) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", prec, v);
  return buf;
}

/// A short tick label: 3 significant digits, k/M suffixes for large values.
std::string tick_label(double v, double step) {
  char buf[32];
  const double a = std::fabs(v);
  if (a >= 1e6 && step >= 1e5) std::snprintf(buf, sizeof buf, "%gM", v / 1e6);
  else if (a >= 1e4 && step >= 1e3) std::snprintf(buf, sizeof buf, "%gk", v / 1e3);
  else if (a != 0 && (a < 1e-3 || a >= 1e6)) std::snprintf(buf, sizeof buf, "%.2g", v);
  else std::snprintf(buf, sizeof buf, "%.4g", std::fabs(v) < step * 1e-9 ? 0.0 : v);
  return buf;
}

/// "Nice" ticks covering [lo, hi] (1, 2, 5 x 10^k steps).
std::vector<double> nice_ticks(double& lo, double& hi, int target = 6) {
  if (!(hi > lo)) {
    const double pad = lo == 0 ? 1.0 : std::fabs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const double raw = (hi - lo) / target;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  lo = std::floor(lo / step) * step;
  hi = std::ceil(hi / step) * step;
  std::vector<double> t;
  for (double v = lo; v <= hi + step * 0.5; v += step) t.push_back(v);
  return t;
}

/// The plot frame: axes, ticks, grid, title and axis labels; maps data to pixels.
struct frame {
  chart c;
  double x0, x1, y0, y1;
  int left = 64, right = 20, top = 34, bottom = 48;
  std::vector<double> xt, yt;
  std::ostringstream out;

  frame(const chart& ch, double xlo, double xhi, double ylo, double yhi, bool nice_x = true) : c(ch) {
    x0 = xlo, x1 = xhi, y0 = ylo, y1 = yhi;
    if (nice_x) xt = nice_ticks(x0, x1);
    yt = nice_ticks(y0, y1);
    out << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << c.width << "\" height=\"" << c.height
        << "\" viewBox=\"0 0 " << c.width << ' ' << c.height << "\" font-family=\"sans-serif\" font-size=\"11\">\n";
    out << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    out << "<text x=\"" << c.width / 2 << "\" y=\"18\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">"
        << escape(c.title) << "</text>\n";
    for (double v : yt) {
      const double py = py_of(v);
      out << "<line x1=\"" << left << "\" x2=\"" << c.width - right << "\" y1=\"" << num(py) << "\" y2=\"" << num(py)
          << "\" stroke=\"#e5e5e5\"/>\n";
      out << "<text x=\"" << left - 6 << "\" y=\"" << num(py + 4) << "\" text-anchor=\"end\">"
          << tick_label(v, yt.size() > 1 ? yt[1] - yt[0] : 1) << "</text>\n";
    }
    for (double v : xt) {
      const double px = px_of(v);
      out << "<line x1=\"" << num(px) << "\" x2=\"" << num(px) << "\" y1=\"" << c.height - bottom << "\" y2=\""
          << c.height - bottom + 5 << "\" stroke=\"#333\"/>\n";
      out << "<text x=\"" << num(px) << "\" y=\"" << c.height - bottom + 17 << "\" text-anchor=\"middle\">"
          << tick_label(v, xt.size() > 1 ? xt[1] - xt[0] : 1) << "</text>\n";
    }
    out << "<line x1=\"" << left << "\" x2=\"" << left << "\" y1=\"" << top << "\" y2=\"" << c.height - bottom
        << "\" stroke=\"#333\"/>\n";
    out << "<line x1=\"" << left << "\" x2=\"" << c.width - right << "\" y1=\"" << c.height - bottom << "\" y2=\""
        << c.height - bottom << "\" stroke=\"#333\"/>\n";
    out << "<text x=\"" << (left + c.width - right) / 2 << "\" y=\"" << c.height - 8 << "\" text-anchor=\"middle\">"
        << escape(c.x_label) << "</text>\n";
    out << "<text transform=\"translate(14," << (top + c.height - bottom) / 2
        << ") rotate(-90)\" text-anchor=\"middle\">" << escape(c.y_label) << "</text>\n";
  }
  double px_of(double x) const { return left + (x - x0) / (x1 - x0) * (c.width - left - right); }
  double py_of(double y) const { return c.height - bottom - (y - y0) / (y1 - y0) * (c.height - top - bottom); }
  void legend(const std::vector<std::pair<std::string, std::string>>& items) {
    int y = top + 8;
    for (const auto& [name, color] : items) {
      if (name.empty()) continue;
      out << "<rect x=\"" << c.width - right - 130 << "\" y=\"" << y - 8 << "\" width=\"10\" height=\"10\" fill=\""
          << color << "\"/><text x=\"" << c.width - right - 115 << "\" y=\"" << y + 1 << "\">" << escape(name)
          << "</text>\n";
      y += 15;
    }
  }
  std::string done() {
    out << "</svg>\n";
    return out.str();
  }
};

void range_of(const std::vector<double>& v, double& lo, double& hi) {
  for (double x : v)
    if (std::isfinite(x)) {
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
}

std::string empty_chart(const chart& c, const std::string& why) {
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << c.width << "\" height=\"60\" font-family=\"sans-serif\">"
    << "<text x=\"10\" y=\"20\" font-size=\"13\" font-weight=\"bold\">" << escape(c.title) << "</text>"
    << "<text x=\"10\" y=\"44\" font-size=\"12\">" << escape(why) << "</text></svg>\n";
  return o.str();
}

}  // namespace

std::string escape(const std::string& s) {
  std::string o;
  for (char ch : s) {
    switch (ch) {
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '&': o += "&amp;"; break;
      case '"': o += "&quot;"; break;
      default: o.push_back(ch);
    }
  }
  return o;
}

std::string color_of(std::int64_t label) {
  if (label < 0) return "#b0b0b0";
  return palette[label % 20];
}

std::string line_chart(const std::vector<series>& s, const chart& c, const std::vector<marker>& markers) {
  double xlo = std::numeric_limits<double>::infinity(), xhi = -xlo, ylo = xlo, yhi = -xlo;
  for (const auto& se : s) {
    range_of(se.x, xlo, xhi);
    range_of(se.y, ylo, yhi);
  }
  if (!(xhi >= xlo) || !(yhi >= ylo)) return empty_chart(c, "no data");
  for (const auto& m : markers) {
    if (m.vertical) xlo = std::min(xlo, m.value), xhi = std::max(xhi, m.value);
    else ylo = std::min(ylo, m.value), yhi = std::max(yhi, m.value);
  }
  frame f(c, xlo, xhi, ylo, yhi);
  std::vector<std::pair<std::string, std::string>> leg;
  for (std::size_t k = 0; k < s.size(); ++k) {
    const auto& se = s[k];
    const std::string color = se.color.empty() ? palette[k % 20] : se.color;
    std::ostringstream pts;
    for (std::size_t i = 0; i < se.x.size() && i < se.y.size(); ++i)
      if (std::isfinite(se.x[i]) && std::isfinite(se.y[i])) pts << num(f.px_of(se.x[i])) << ',' << num(f.py_of(se.y[i])) << ' ';
    f.out << "<polyline fill=\"none\" stroke=\"" << color << "\" stroke-width=\"1.8\" points=\"" << pts.str() << "\"/>\n";
    if (se.markers)
      for (std::size_t i = 0; i < se.x.size() && i < se.y.size(); ++i)
        if (std::isfinite(se.x[i]) && std::isfinite(se.y[i]))
          f.out << "<circle cx=\"" << num(f.px_of(se.x[i])) << "\" cy=\"" << num(f.py_of(se.y[i])) << "\" r=\"3\" fill=\""
                << color << "\"><title>" << escape(se.name) << ": (" << se.x[i] << ", " << se.y[i] << ")</title></circle>\n";
    leg.emplace_back(se.name, color);
  }
  for (const auto& m : markers) {
    if (m.vertical) {
      const double px = f.px_of(m.value);
      f.out << "<line x1=\"" << num(px) << "\" x2=\"" << num(px) << "\" y1=\"" << f.top << "\" y2=\"" << c.height - f.bottom
            << "\" stroke=\"" << m.color << "\" stroke-dasharray=\"5,4\"/>\n<text x=\"" << num(px + 4) << "\" y=\""
            << f.top + 12 << "\" fill=\"" << m.color << "\">" << escape(m.label) << "</text>\n";
    } else {
      const double py = f.py_of(m.value);
      f.out << "<line x1=\"" << f.left << "\" x2=\"" << c.width - f.right << "\" y1=\"" << num(py) << "\" y2=\"" << num(py)
            << "\" stroke=\"" << m.color << "\" stroke-dasharray=\"5,4\"/>\n<text x=\"" << f.left + 6 << "\" y=\""
            << num(py - 4) << "\" fill=\"" << m.color << "\">" << escape(m.label) << "</text>\n";
    }
  }
  if (s.size() > 1) f.legend(leg);
  return f.done();
}

std::string scatter(const std::vector<double>& x, const std::vector<double>& y, const std::vector<std::int64_t>& labels,
                    const chart& c, std::size_t max_points) {
  const std::size_t n = std::min(x.size(), y.size());
  if (n == 0) return empty_chart(c, "no points");
  double xlo = std::numeric_limits<double>::infinity(), xhi = -xlo, ylo = xlo, yhi = -xlo;
  range_of(x, xlo, xhi);
  range_of(y, ylo, yhi);
  frame f(c, xlo, xhi, ylo, yhi);
  const std::size_t stride = n > max_points ? (n + max_points - 1) / max_points : 1;
  // Noise first, so clusters are drawn on top of it.
  for (int pass = 0; pass < 2; ++pass)
    for (std::size_t i = 0; i < n; i += stride) {
      const std::int64_t l = labels.empty() ? 0 : labels[i];
      if ((pass == 0) != (l < 0) || !std::isfinite(x[i]) || !std::isfinite(y[i])) continue;
      f.out << "<circle cx=\"" << num(f.px_of(x[i]), 1) << "\" cy=\"" << num(f.py_of(y[i]), 1) << "\" r=\"1.6\" fill=\""
            << color_of(l) << "\" fill-opacity=\"0.7\"/>\n";
    }
  if (stride > 1)
    f.out << "<text x=\"" << f.left + 4 << "\" y=\"" << c.height - f.bottom - 6 << "\" fill=\"#555\">every " << stride
          << "th of " << n << " points shown</text>\n";
  return f.done();
}

std::string histogram(const std::vector<double>& values, int bins, const chart& c, double lo, double hi) {
  std::vector<double> v;
  for (double x : values)
    if (std::isfinite(x)) v.push_back(x);
  if (v.empty() || bins < 1) return empty_chart(c, "no values");
  if (!(hi > lo)) {
    lo = *std::min_element(v.begin(), v.end());
    hi = *std::max_element(v.begin(), v.end());
    if (!(hi > lo)) hi = lo + 1;
  }
  std::vector<double> count(static_cast<std::size_t>(bins), 0.0);
  for (double x : v) {
    int b = static_cast<int>((x - lo) / (hi - lo) * bins);
    b = std::clamp(b, 0, bins - 1);
    count[static_cast<std::size_t>(b)] += 1;
  }
  const double top = *std::max_element(count.begin(), count.end());
  frame f(c, lo, hi, 0, top * 1.05);
  const double w = (hi - lo) / bins;
  for (int b = 0; b < bins; ++b) {
    const double a = lo + b * w;
    const double x0 = f.px_of(a), x1 = f.px_of(a + w), y = f.py_of(count[static_cast<std::size_t>(b)]);
    f.out << "<rect x=\"" << num(x0) << "\" y=\"" << num(y) << "\" width=\"" << num(std::max(0.5, x1 - x0 - 0.5))
          << "\" height=\"" << num(f.py_of(0) - y) << "\" fill=\"#4c72b0\"><title>[" << a << ", " << a + w
          << "): " << count[static_cast<std::size_t>(b)] << "</title></rect>\n";
  }
  return f.done();
}

std::string cdf(const std::vector<double>& values, const chart& c) {
  std::vector<double> v;
  for (double x : values)
    if (std::isfinite(x)) v.push_back(x);
  if (v.empty()) return empty_chart(c, "no values");
  std::sort(v.begin(), v.end());
  series s;
  s.name = "CDF";
  s.markers = false;
  const std::size_t n = v.size(), step = std::max<std::size_t>(1, n / 2000);
  for (std::size_t i = 0; i < n; i += step) {
    s.x.push_back(v[i]);
    s.y.push_back(static_cast<double>(i + 1) / static_cast<double>(n));
  }
  s.x.push_back(v.back());
  s.y.push_back(1.0);
  return line_chart({s}, c);
}

std::string bar_chart(const std::vector<std::string>& categories, const std::vector<double>& values, const chart& c,
                      const std::vector<std::string>& colors) {
  const std::size_t n = std::min(categories.size(), values.size());
  if (n == 0) return empty_chart(c, "no data");
  double top = 0;
  for (std::size_t i = 0; i < n; ++i)
    if (std::isfinite(values[i])) top = std::max(top, values[i]);
  frame f(c, 0, static_cast<double>(n), 0, top > 0 ? top * 1.05 : 1, false);
  const double slot = (f.px_of(static_cast<double>(n)) - f.px_of(0)) / static_cast<double>(n);
  const std::size_t label_every = std::max<std::size_t>(1, n / 25);
  for (std::size_t i = 0; i < n; ++i) {
    const double v = std::isfinite(values[i]) ? values[i] : 0;
    const double x = f.px_of(static_cast<double>(i)) + slot * 0.1, y = f.py_of(v);
    const std::string color = i < colors.size() ? colors[i] : "#4c72b0";
    f.out << "<rect x=\"" << num(x) << "\" y=\"" << num(y) << "\" width=\"" << num(slot * 0.8) << "\" height=\""
          << num(f.py_of(0) - y) << "\" fill=\"" << color << "\"><title>" << escape(categories[i]) << ": " << values[i]
          << "</title></rect>\n";
    if (i % label_every == 0)
      f.out << "<text x=\"" << num(x + slot * 0.4) << "\" y=\"" << c.height - f.bottom + 14
            << "\" text-anchor=\"middle\">" << escape(categories[i]) << "</text>\n";
  }
  return f.done();
}

}  // namespace clustr_cli::svg
