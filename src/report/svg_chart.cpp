#include "rareshock/report/svg_chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>

#include "rareshock/report/markup.hpp"

namespace rareshock::report::svg {

namespace {

constexpr std::array<std::string_view, kPaletteSize> kOkabeIto = {
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"};
constexpr std::array<std::string_view, 4> kDashes = {"", "6 3", "2 2", "8 3 2 3"};
constexpr const char* kFont = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif";
constexpr double kCharWidth = 0.6;  // average glyph width in em, to estimate text widths
constexpr const char* kInk = "#222222";
constexpr const char* kMuted = "#555555";
constexpr const char* kGrid = "#dddddd";
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string e(std::string_view s) {
  return escape_xml(s);
}
std::string f1(double v) {
  return fmt::format("{:.1f}", v);
}

double text_width(std::string_view s, double size) {
  return static_cast<double>(text_length(s)) * size * kCharWidth;
}

/// Shortens \p s to fit \p width at font \p size, ending it with "…".
std::string fit_text(const std::string& s, double width, double size) {
  if (text_width(s, size) <= width) return s;
  std::size_t keep = static_cast<std::size_t>(std::max(1.0, width / (size * kCharWidth) - 1));
  std::string out;
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool lead = (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
    if (lead && n++ == keep) break;
    out += s[i];
  }
  return out + "\u2026";
}

/// A text element (escaped).
std::string text(double x, double y, std::string_view s, std::string_view anchor = "start",
                 double size = 11, std::string_view fill = kInk, std::string_view extra = "") {
  return fmt::format(
      "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"{}\" fill=\"{}\"{}{}>{}</text>",
      f1(x), f1(y), size, anchor, fill, extra.empty() ? "" : " ", extra, e(s));
}

/// The document opening with its text alternative, and the visible title.
std::string open_svg(const ChartText& t, int width, int height) {
  std::string id = "chart-" + slug(t.id, 64);
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"{0}\" viewBox=\"0 0 {1} "
      "{2}\" "
      "width=\"{1}\" height=\"{2}\" role=\"img\" aria-label=\"{3}\" aria-describedby=\"{0}-desc\" "
      "font-family=\"{4}\">\n<title id=\"{0}-title\">{3}</title>\n<desc "
      "id=\"{0}-desc\">{5}</desc>\n"
      "<rect width=\"{1}\" height=\"{2}\" fill=\"#ffffff\"/>\n",
      id, width, height, e(t.title), kFont, e(t.description));
  out += text(8, 18, fit_text(t.title, width - 16, 13.5), "start", 13.5, kInk,
              "font-weight=\"bold\"") +
         "\n";
  return out;
}

// ---- scales and ticks ----------------------------------------------------------------------

double nice_step(double span, int target) {
  double raw = span / std::max(1, target);
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (raw <= m * mag * 1.0000001) return m * mag;
  return 10 * mag;
}

/// Widens [lo, hi] to nice tick values and returns the ticks.
std::vector<double> nice_ticks(double& lo, double& hi, int target) {
  if (!(hi > lo)) hi = lo + 1;
  // Of the nice steps for a few tick counts, the one that wastes the least room.
  double step = 0, best = 0;
  for (int t = target; t <= target + 2; ++t) {
    double st = nice_step(hi - lo, t);
    double span = std::ceil(hi / st - 1e-9) * st - std::floor(lo / st + 1e-9) * st;
    if (step == 0 || span < best - 1e-12) step = st, best = span;
  }
  lo = std::floor(lo / step + 1e-9) * step;
  hi = std::ceil(hi / step - 1e-9) * step;
  std::vector<double> ticks;
  for (double v = lo; v <= hi + step * 1e-6; v += step)
    ticks.push_back(std::fabs(v) < step * 1e-9 ? 0 : v);
  return ticks;
}

struct Ymd {
  int y;
  unsigned m, d;
};
Ymd civil(Date d) {
  std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{d.days}}};
  return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
          static_cast<unsigned>(ymd.day())};
}
constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

struct Tick {
  double value;
  std::string label, label2;  ///< second line (the year on date axes)
};

/// Ticks on a day axis: month starts (every 1, 2, 3, 6 or 12 months) with "Mon" and the
/// year under January and the first tick, or days for spans under two months.
std::vector<Tick> date_ticks(Date origin, double lo, double hi, double pixels) {
  std::vector<Tick> ticks;
  int max_ticks = std::max(2, static_cast<int>(pixels / 44));
  double span = hi - lo;
  if (span < 62) {
    double step = std::max(1.0, nice_step(span, std::min(max_ticks, 8)));
    for (double v = std::ceil(lo / step) * step; v <= hi; v += step) {
      Ymd c = civil(origin + static_cast<int>(v));
      ticks.push_back({v, fmt::format("{} {}", c.d, kMonths[c.m - 1]),
                       ticks.empty() ? std::to_string(c.y) : ""});
    }
    return ticks;
  }
  int step = 1;
  for (int s : {1, 2, 3, 6, 12, 24, 60, 120}) {
    step = s;
    if (span / (30.44 * s) <= max_ticks) break;
  }
  Ymd c = civil(origin + static_cast<int>(std::ceil(lo)));
  int y = c.y, m = static_cast<int>(c.m);
  if (c.d != 1) ++m;
  for (;; ++m) {
    if (m > 12) m -= 12, ++y;
    if (((m - 1) % std::min(step, 12)) != 0 || (step > 12 && (y % (step / 12)) != 0) ||
        (step >= 12 && m != 1))
      continue;
    Date d = make_date(y, static_cast<unsigned>(m), 1);
    double v = d - origin;
    if (v > hi) break;
    bool first = ticks.empty();
    if (step >= 12)
      ticks.push_back({v, std::to_string(y), ""});
    else
      ticks.push_back({v, kMonths[m - 1], (m == 1 || first) ? std::to_string(y) : ""});
  }
  return ticks;
}

std::vector<Tick> value_ticks(const Axis& axis, double& lo, double& hi, double pixels,
                              int max_target = 8) {
  if (axis.kind == Axis::Kind::Day) {
    if (!(hi > lo)) hi = lo + 1;
    return date_ticks(axis.origin, lo, hi, pixels);
  }
  int target = std::clamp(static_cast<int>(pixels / 70), 2, max_target);
  std::vector<Tick> ticks;
  for (double v : nice_ticks(lo, hi, target)) ticks.push_back({v, format_value(axis, v), ""});
  return ticks;
}

/// Data range with the axis's fixed ends; 0 is included for numbers and percents.
void data_range(const Axis& axis, double& lo, double& hi) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
  if (axis.kind != Axis::Kind::Day) lo = std::min(lo, 0.0), hi = std::max(hi, 0.0);
  if (axis.min) lo = *axis.min;
  if (axis.max) hi = *axis.max;
  if (!(hi > lo)) hi = lo + (axis.kind == Axis::Kind::Percent ? 0.1 : 1);
}

struct Scale {
  double d0, d1, p0, p1;
  double operator()(double v) const { return p0 + (v - d0) / (d1 - d0) * (p1 - p0); }
};

// ---- legend ----------------------------------------------------------------------------------

struct LegendItem {
  std::string name;
  std::string colour;
  enum class Kind { Line, Dashed, Box, Band, Point } kind = Kind::Line;
  std::string dash;
  double opacity = 0.3;  ///< of a Band swatch
};

/// Legend rows from y, wrapping at width; returns the markup and sets y to below it.
std::string legend(const std::vector<LegendItem>& items, double x0, double& y, double width) {
  if (items.empty()) return {};
  std::string out = "<g class=\"legend\">\n";
  double x = x0;
  y += 12;
  for (const auto& it : items) {
    std::string name = fit_text(it.name, width * 0.6, 11);
    double w = 22 + text_width(name, 11) + 16;
    if (x > x0 && x + w > x0 + width) x = x0, y += 16;
    switch (it.kind) {
      case LegendItem::Kind::Box:
        out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"16\" height=\"10\" fill=\"{}\"/>",
                           f1(x), f1(y - 9), it.colour);
        break;
      case LegendItem::Kind::Point:
        out += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"{}\"/>", f1(x + 8),
                           f1(y - 4), it.colour);
        break;
      case LegendItem::Kind::Band:
        out += fmt::format(
            "<rect x=\"{}\" y=\"{}\" width=\"16\" height=\"10\" fill=\"{}\" fill-opacity=\"{}\"/>",
            f1(x), f1(y - 9), it.colour, it.opacity);
        break;
      default:
        out += fmt::format(
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"2.5\"{}/>",
            f1(x), f1(y - 4), f1(x + 16), f1(y - 4), it.colour,
            it.dash.empty() ? "" : fmt::format(" stroke-dasharray=\"{}\"", it.dash));
    }
    out += text(x + 21, y, name) + "\n";
    x += w;
  }
  y += 6;
  return out + "</g>\n";
}

std::string close_svg() {
  return "</svg>\n";
}

/// "No data" chart body.
std::string empty_note(double x, double y, std::string_view note) {
  return text(x, y, note, "middle", 12, kMuted) + "\n";
}

}  // namespace

std::string_view palette(std::size_t i) {
  return kOkabeIto[i % kPaletteSize];
}

std::string format_value(const Axis& axis, double v) {
  switch (axis.kind) {
    case Axis::Kind::Percent: {
      double p = 100 * v;
      if (std::fabs(p) >= 10 || p == std::round(p)) return fmt::format("{:.0f} %", p);
      return fmt::format("{:.1f} %", p);
    }
    case Axis::Kind::Day:
      return to_string(axis.origin + static_cast<int>(std::lround(v)));
    default:
      return format_compact(v);
  }
}

// ---- line chart ------------------------------------------------------------------------------

namespace {

std::string line_dash(const Line& l, int col) {
  return std::string(l.dashed ? "6 3"
                              : kDashes[(static_cast<std::size_t>(col) / kPaletteSize) % 4]);
}

int line_colour(const Line& l, std::size_t i) {
  return l.colour >= 0 ? l.colour : static_cast<int>(i);
}

std::vector<LegendItem> line_legend(const LineChart& c) {
  std::vector<LegendItem> items;
  for (const auto& b : c.bands)
    if (b.legend)
      items.push_back(
          {b.name, std::string(palette(b.colour)), LegendItem::Kind::Band, "", b.opacity});
  for (std::size_t i = 0; i < c.lines.size(); ++i) {
    const auto& l = c.lines[i];
    int col = line_colour(l, i);
    items.push_back({l.name, std::string(palette(col)),
                     l.points ? LegendItem::Kind::Point : LegendItem::Kind::Line,
                     line_dash(l, col)});
  }
  return items;
}

/// The plot area of a line chart and its scales.
struct LineFrame {
  double left = 0, right = 0, top = 0, bottom = 0;
  Scale sx{0, 1, 0, 1}, sy{0, 1, 0, 1};
  std::vector<Tick> xt, yt;
  bool empty = true;
  double clampy(double v) const { return std::clamp(sy(v), top - 2, bottom + 2); }
};

LineFrame line_frame(const LineChart& c, double legend_bottom) {
  LineFrame fr;
  int days = 0;
  double ylo = std::numeric_limits<double>::infinity(), yhi = -ylo;
  auto see = [&](const std::vector<double>& v) {
    days = std::max(days, static_cast<int>(v.size()));
    for (double x : v)
      if (std::isfinite(x)) ylo = std::min(ylo, x), yhi = std::max(yhi, x);
  };
  for (const auto& l : c.lines) see(l.y);
  for (const auto& b : c.bands) see(b.low), see(b.high);
  fr.empty = days == 0;
  data_range(c.y, ylo, yhi);
  double xlo = c.x.min.value_or(0), xhi = c.x.max.value_or(std::max(1, days - 1));
  fr.top = legend_bottom + 22;  // room for the y axis label
  fr.bottom = c.height - 38;    // room for two lines of x tick labels
  if (!c.x.label.empty() && c.x.kind != Axis::Kind::Day) fr.bottom -= 12;
  fr.yt = value_ticks(c.y, ylo, yhi, fr.bottom - fr.top, 6);
  double label_w = 0;
  for (const auto& t : fr.yt) label_w = std::max(label_w, text_width(t.label, 10.5));
  fr.left = 14 + label_w, fr.right = c.width - 16;
  fr.sx = Scale{xlo, xhi, fr.left, fr.right};
  fr.sy = Scale{ylo, yhi, fr.bottom, fr.top};
  fr.xt = value_ticks(c.x, xlo, xhi, fr.right - fr.left);
  return fr;
}

std::string line_axes(const LineChart& c, const LineFrame& fr) {
  std::string out =
      text(fr.left - 8, fr.top - 10, c.y.label, "start", 11, kMuted) + "\n<g class=\"axes\">\n";
  for (const auto& t : fr.yt) {
    double py = fr.sy(t.value);
    out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"/>", f1(fr.left),
                       f1(py), f1(fr.right), f1(py), t.value == 0 ? "#999999" : kGrid);
    out += text(fr.left - 5, py + 3.5, t.label, "end", 10.5, kMuted) + "\n";
  }
  for (const auto& t : fr.xt) {
    double px = fr.sx(t.value);
    if (px < fr.left - 0.5 || px > fr.right + 0.5) continue;
    out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"/>", f1(px),
                       f1(fr.top), f1(px), f1(fr.bottom + 4), kGrid);
    out += text(px, fr.bottom + 15, t.label, "middle", 10.5, kMuted);
    if (!t.label2.empty()) out += text(px, fr.bottom + 27, t.label2, "middle", 10.5, kMuted);
    out += "\n";
  }
  out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#999999\"/>\n",
                     f1(fr.left), f1(fr.bottom), f1(fr.right), f1(fr.bottom));
  if (!c.x.label.empty() && c.x.kind != Axis::Kind::Day)
    out += text((fr.left + fr.right) / 2, c.height - 6, c.x.label, "middle", 11, kMuted) + "\n";
  return out + "</g>\n";
}

// Bands: one polygon per run of finite values.
std::string line_band(const Band& b, const LineFrame& fr) {
  std::string out;
  std::size_t n = std::min(b.low.size(), b.high.size());
  auto ok = [&](std::size_t k) { return std::isfinite(b.low[k]) && std::isfinite(b.high[k]); };
  std::size_t i = 0;
  while (i < n) {
    while (i < n && !ok(i)) ++i;
    std::size_t j = i;
    while (j < n && ok(j)) ++j;
    if (j > i) {
      std::string pts;
      for (std::size_t k = i; k < j; ++k)
        pts += fmt::format("{},{} ", f1(fr.sx(static_cast<double>(k))), f1(fr.clampy(b.high[k])));
      for (std::size_t k = j; k-- > i;)
        pts += fmt::format("{},{} ", f1(fr.sx(static_cast<double>(k))), f1(fr.clampy(b.low[k])));
      pts.pop_back();
      out += fmt::format(
          "<polygon points=\"{}\" fill=\"{}\" fill-opacity=\"{}\" "
          "stroke=\"none\"><title>{}</title></polygon>\n",
          pts, palette(b.colour), b.opacity, e(b.name));
    }
    i = j;
  }
  return out;
}

// One dot per finite value, each with its value as a tooltip.
std::string line_points(const LineChart& c, const Line& l, int col, const LineFrame& fr) {
  std::string out;
  for (std::size_t k = 0; k < l.y.size(); ++k)
    if (std::isfinite(l.y[k]))
      out += fmt::format(
          "<circle cx=\"{}\" cy=\"{}\" r=\"3.5\" fill=\"{}\"><title>{}: {} "
          "{}</title></circle>\n",
          f1(fr.sx(static_cast<double>(k))), f1(fr.clampy(l.y[k])), palette(col), e(l.name),
          e(format_value(c.x, static_cast<double>(k))), e(format_value(c.y, l.y[k])));
  return out;
}

// A path through the points where the value changes (flat runs keep only their ends).
std::string line_path(const Line& l, int col, const LineFrame& fr) {
  std::string d;
  bool pen = false;
  for (std::size_t k = 0; k < l.y.size(); ++k) {
    if (!std::isfinite(l.y[k])) {
      pen = false;
      continue;
    }
    bool flat = pen && k + 1 < l.y.size() && l.y[k] == l.y[k - 1] && l.y[k] == l.y[k + 1];
    if (flat) continue;
    d += fmt::format("{}{},{}", pen ? "L" : "M", f1(fr.sx(static_cast<double>(k))),
                     f1(fr.clampy(l.y[k])));
    pen = true;
  }
  if (d.empty()) return {};
  const std::string dash = line_dash(l, col);
  return fmt::format(
      "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\" "
      "stroke-linejoin=\"round\"{}><title>{}</title></path>\n",
      d, palette(col), dash.empty() ? "" : fmt::format(" stroke-dasharray=\"{}\"", dash),
      e(l.name));
}

}  // namespace

std::vector<MarkerLabel> place_markers(const std::vector<Marker>& markers, double left,
                                       double right, const std::function<double(int)>& x_of) {
  constexpr double kSize = 10, kGap = 8, kMaxLabel = 220;
  // Markers on the same pixel column share one line and one label.
  std::vector<MarkerLabel> out;
  for (const auto& m : markers) {
    double px = x_of(m.day);
    if (px < left || px > right) continue;
    auto same = std::find_if(out.begin(), out.end(),
                             [&](const MarkerLabel& l) { return std::fabs(l.x - px) < 1; });
    if (same != out.end()) {
      if (same->label.find(m.label) == std::string::npos) same->label += "; " + m.label;
      continue;
    }
    out.push_back({px, m.label, m.label, 0, false, true});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const MarkerLabel& a, const MarkerLabel& b) { return a.x < b.x; });
  // Greedy lanes: each label takes the first lane whose last label ends before it starts; a
  // label that fits no lane is left to its line's tooltip.
  std::array<double, kMarkerLanes> lane_end;
  lane_end.fill(-1e9);
  for (auto& l : out) {
    l.shown = fit_text(l.label, kMaxLabel, kSize);
    const double w = text_width(l.shown, kSize);
    l.flip = l.x + 4 + w > right;
    const double x0 = l.flip ? l.x - 4 - w : l.x + 4, x1 = l.flip ? l.x - 4 : l.x + 4 + w;
    l.visible = false;
    for (int k = 0; k < kMarkerLanes; ++k)
      if (x0 >= lane_end[static_cast<std::size_t>(k)] + kGap) {
        l.lane = k, l.visible = true;
        lane_end[static_cast<std::size_t>(k)] = x1;
        break;
      }
  }
  return out;
}

std::string render(const LineChart& c) {
  std::vector<LegendItem> items = line_legend(c);
  double y = 24;
  std::string leg = items.size() > 1 || !c.bands.empty() ? legend(items, 8, y, c.width - 16) : "";
  const LineFrame fr = line_frame(c, y);
  std::string out = open_svg(c.text, c.width, c.height) + leg + line_axes(c, fr);
  if (fr.empty)
    return out + empty_note((fr.left + fr.right) / 2, (fr.top + fr.bottom) / 2, "no data") +
           close_svg();
  for (const auto& b : c.bands) out += line_band(b, fr);
  for (std::size_t li = 0; li < c.lines.size(); ++li) {
    const auto& l = c.lines[li];
    const int col = line_colour(l, li);
    out += l.points ? line_points(c, l, col, fr) : line_path(l, col, fr);
  }
  // Markers: labels in lanes so that nearby labels do not overlap; every line has its label
  // as a tooltip.
  for (const auto& m :
       place_markers(c.markers, fr.left, fr.right, [&](int day) { return fr.sx(day); })) {
    out += fmt::format(
        "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#444444\" stroke-dasharray=\"3 "
        "3\"><title>{3}</title></line>",
        f1(m.x), f1(fr.top), f1(fr.bottom), e(m.label));
    if (m.visible)
      out += text(m.flip ? m.x - 4 : m.x + 4, fr.top + 10 + 12.0 * m.lane, m.shown,
                  m.flip ? "end" : "start", 10, "#333333");
    out += "\n";
  }
  return out + close_svg();
}

// ---- bar charts ------------------------------------------------------------------------------

namespace {

/// Width of the label column for \p labels (at most 40 % of the chart).
double label_column(const std::vector<std::string>& labels, double width) {
  double w = 0;
  for (const auto& l : labels) w = std::max(w, text_width(l, 11));
  return std::min(w + 12, width * 0.4);
}

/// Vertical grid with tick labels over [top, bottom], labels above the plot.
std::string x_grid(const std::vector<Tick>& ticks, const Scale& sx, double top, double bottom) {
  std::string out = "<g class=\"axes\">\n";
  for (const auto& t : ticks) {
    double px = sx(t.value);
    out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"/>", f1(px),
                       f1(top), f1(px), f1(bottom), t.value == 0 ? "#999999" : kGrid);
    out += text(px, bottom + 14, t.label, "middle", 10.5, kMuted);
    if (!t.label2.empty()) out += text(px, bottom + 26, t.label2, "middle", 10.5, kMuted);
    out += "\n";
  }
  return out + "</g>\n";
}

}  // namespace

std::string render(const BarChart& c) {
  const double W = c.width;
  std::vector<LegendItem> items;
  for (std::size_t i = 0; i < c.series.size(); ++i)
    items.push_back({c.series[i], std::string(palette(i)), LegendItem::Kind::Box, ""});
  double y = 24;
  std::string leg = c.series.size() > 1 ? legend(items, 8, y, W - 16) : "";
  std::vector<std::string> labels;
  for (const auto& g : c.groups) labels.push_back(g.label);
  double lab = label_column(labels, W);
  double left = 8 + lab, right = W - 70;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& g : c.groups)
    for (double v : g.values)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  data_range(c.x, lo, hi);
  std::vector<Tick> ticks = value_ticks(c.x, lo, hi, right - left);
  Scale sx{lo, hi, left, right};
  const double bar = 13, gap = 2, group_gap = 10;
  std::size_t ns = std::max<std::size_t>(1, c.series.size());
  double group_h = static_cast<double>(ns) * (bar + gap) - gap;
  double top = y + 22;
  double bottom = top + static_cast<double>(c.groups.size()) * (group_h + group_gap) + 4;
  double H = bottom + 40;
  std::string out = open_svg(c.text, c.width, static_cast<int>(std::ceil(H))) + leg;
  out += text(left, top - 8, c.x.label, "start", 11, kMuted) + "\n";
  out += x_grid(ticks, sx, top, bottom);
  if (c.groups.empty()) return out + empty_note(W / 2, top + 20, "no data") + close_svg();
  double gy = top + 4;
  for (const auto& g : c.groups) {
    out += fmt::format("<g><title>{}</title>", e(g.label));
    out += text(left - 6, gy + group_h / 2 + 4, fit_text(g.label, lab - 10, 11), "end") + "\n";
    for (std::size_t s = 0; s < g.values.size() && s < ns; ++s) {
      double v = g.values[s];
      double by = gy + static_cast<double>(s) * (bar + gap);
      if (!std::isfinite(v)) continue;
      double x0 = sx(0), x1 = sx(v);
      std::string name = s < c.series.size() ? c.series[s] : g.label;
      out += fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}: "
          "{}</title></rect>",
          f1(std::min(x0, x1)), f1(by), f1(std::max(0.5, std::fabs(x1 - x0))), bar, palette(s),
          e(name), e(format_value(c.x, v)));
      bool neg = v < 0;
      out += text(neg ? std::min(x0, x1) - 3 : std::max(x0, x1) + 3, by + bar - 3,
                  format_value(c.x, v), neg ? "end" : "start", 10, kInk) +
             "\n";
    }
    out += "</g>\n";
    gy += group_h + group_gap;
  }
  return out + close_svg();
}

std::string render(const TornadoChart& c) {
  const double W = c.width;
  std::vector<TornadoBar> bars = c.bars;
  std::stable_sort(bars.begin(), bars.end(), [&](const TornadoBar& a, const TornadoBar& b) {
    return std::fabs(a.high - a.low) > std::fabs(b.high - b.low);
  });
  std::vector<LegendItem> items = {
      {c.low_name, std::string(palette(0)), LegendItem::Kind::Box, ""},
      {c.high_name, std::string(palette(1)), LegendItem::Kind::Box, ""}};
  double y = 24;
  std::string leg = legend(items, 8, y, W - 16);
  std::vector<std::string> labels;
  for (const auto& b : bars) labels.push_back(b.label);
  double lab = label_column(labels, W);
  double left = 8 + lab + 40, right = W - 48;
  double lo = c.base, hi = c.base;
  for (const auto& b : bars)
    for (double v : {b.low, b.high})
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (c.x.min) lo = *c.x.min;
  if (c.x.max) hi = *c.x.max;
  if (!(hi > lo)) hi = lo + 1, lo -= 1;
  std::vector<Tick> ticks = value_ticks(c.x, lo, hi, right - left);
  Scale sx{lo, hi, left, right};
  const double bar = 16, gap = 8;
  double top = y + 36;
  double bottom = top + static_cast<double>(bars.size()) * (bar + gap) + 4;
  std::string out = open_svg(c.text, c.width, static_cast<int>(std::ceil(bottom + 40))) + leg;
  out += text(left, top - 22, c.x.label, "start", 11, kMuted) + "\n";
  out += x_grid(ticks, sx, top, bottom);
  double bx = sx(c.base);
  out += fmt::format(
      "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"{3}\" stroke-width=\"1.5\"/>",
      f1(bx), f1(top - 4), f1(bottom), kInk);
  out += text(bx, top - 7, "base " + format_value(c.x, c.base), "middle", 10, kInk) + "\n";
  double by = top + 4;
  for (const auto& b : bars) {
    out += fmt::format("<g><title>{}: {} {} / {} {}</title>", e(b.label), e(b.low_note),
                       e(format_value(c.x, b.low)), e(b.high_note), e(format_value(c.x, b.high)));
    out += text(left - 46, by + bar - 4, fit_text(b.label, lab - 10, 11), "end") + "\n";
    for (int side = 0; side < 2; ++side) {
      double v = side == 0 ? b.low : b.high;
      if (!std::isfinite(v)) continue;
      double x1 = sx(v);
      out += fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" fill-opacity=\"0.85\"/>",
          f1(std::min(bx, x1)), f1(by + (side == 0 ? 0 : bar / 2)),
          f1(std::max(0.5, std::fabs(x1 - bx))), bar / 2, palette(side));
      const std::string& note = side == 0 ? b.low_note : b.high_note;
      if (!note.empty()) {
        bool leftwards = x1 < bx || (x1 == bx && side == 0);
        out += text(leftwards ? std::min(bx, x1) - 3 : std::max(bx, x1) + 3,
                    by + (side == 0 ? 0 : bar / 2) + bar / 2 - 1, note, leftwards ? "end" : "start",
                    9, kMuted);
      }
    }
    out += "</g>\n";
    by += bar + gap;
  }
  return out + close_svg();
}

std::string render(const QuantileChart& c) {
  const double W = c.width;
  std::vector<LegendItem> items = {{"P10–P90", std::string(palette(0)), LegendItem::Kind::Band, ""},
                                   {"P5–P95", std::string(kInk), LegendItem::Kind::Line, ""},
                                   {"median", std::string(palette(1)), LegendItem::Kind::Line, ""}};
  double y = 24;
  std::string leg = legend(items, 8, y, W - 16);
  std::vector<std::string> labels;
  for (const auto& r : c.rows) labels.push_back(r.label);
  double lab = label_column(labels, W);
  double note_w = 0;
  for (const auto& r : c.rows) note_w = std::max(note_w, text_width(r.note, 10));
  double left = 8 + lab, right = W - 16 - std::min(note_w + 8, W * 0.25);
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& r : c.rows)
    for (double v : {r.p5, r.p95})
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (c.x.kind == Axis::Kind::Day) {
    if (!std::isfinite(lo)) lo = 0, hi = 1;
    if (c.x.min) lo = *c.x.min;
    if (c.x.max) hi = *c.x.max;
    double pad = std::max(3.0, (hi - lo) * 0.05);
    lo -= pad, hi += pad;
  } else {
    data_range(c.x, lo, hi);
  }
  std::vector<Tick> ticks = value_ticks(c.x, lo, hi, right - left);
  Scale sx{lo, hi, left, right};
  const double row = 22;
  double top = y + 22;
  double bottom = top + static_cast<double>(c.rows.size()) * row + 4;
  std::string out = open_svg(c.text, c.width, static_cast<int>(std::ceil(bottom + 40))) + leg;
  out += text(left, top - 8, c.x.label, "start", 11, kMuted) + "\n";
  out += x_grid(ticks, sx, top, bottom);
  double ry = top + 4;
  for (const auto& r : c.rows) {
    double mid = ry + row / 2 - 2;
    out += fmt::format("<g><title>{}: P5 {}, P10 {}, median {}, P90 {}, P95 {}</title>", e(r.label),
                       e(format_value(c.x, r.p5)), e(format_value(c.x, r.p10)),
                       e(format_value(c.x, r.p50)), e(format_value(c.x, r.p90)),
                       e(format_value(c.x, r.p95)));
    out += text(left - 6, mid + 4, fit_text(r.label, lab - 10, 11), "end");
    if (std::isfinite(r.p5) && std::isfinite(r.p95))
      out += fmt::format("<line x1=\"{0}\" y1=\"{2}\" x2=\"{1}\" y2=\"{2}\" stroke=\"{3}\"/>",
                         f1(sx(r.p5)), f1(sx(r.p95)), f1(mid), kInk);
    if (std::isfinite(r.p10) && std::isfinite(r.p90))
      out += fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"12\" fill=\"{}\" fill-opacity=\"0.35\" "
          "stroke=\"{}\"/>",
          f1(sx(r.p10)), f1(mid - 6), f1(std::max(1.0, sx(r.p90) - sx(r.p10))), palette(0),
          palette(0));
    if (std::isfinite(r.p50))
      out += fmt::format(
          "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"{3}\" stroke-width=\"2.5\"/>",
          f1(sx(r.p50)), f1(mid - 7), f1(mid + 7), palette(1));
    if (r.mean && std::isfinite(*r.mean))
      out += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"2.5\" fill=\"{}\"/>", f1(sx(*r.mean)),
                         f1(mid), kInk);
    if (!r.note.empty()) out += text(right + 8, mid + 4, r.note, "start", 10, kMuted);
    out += "</g>\n";
    ry += row;
  }
  if (c.rows.empty()) out += empty_note(W / 2, top + 20, "no data");
  return out + close_svg();
}

std::string render(const Histogram& c) {
  const double W = c.width, H = c.height;
  std::vector<double> v;
  for (double x : c.values)
    if (std::isfinite(x)) v.push_back(x);
  double lo = v.empty() ? 0 : *std::min_element(v.begin(), v.end());
  double hi = v.empty() ? 1 : *std::max_element(v.begin(), v.end());
  if (c.x.min) lo = *c.x.min;
  if (c.x.max) hi = *c.x.max;
  if (!(hi > lo)) hi = lo + 1, lo -= 1;
  int bins = std::max(1, c.bins);
  double width = (hi - lo) / bins;
  std::vector<int> counts(static_cast<std::size_t>(bins), 0);
  for (double x : v) {
    if (x < lo || x > hi) continue;
    int b = std::min(bins - 1, static_cast<int>((x - lo) / width));
    ++counts[static_cast<std::size_t>(b)];
  }
  int cmax = std::max(1, *std::max_element(counts.begin(), counts.end()));
  double top = 24 + 26, bottom = H - 40;
  double clo = 0, chi = cmax;
  Axis yaxis{c.y_label, Axis::Kind::Number, {}, {}, {}};
  std::vector<Tick> yt = value_ticks(yaxis, clo, chi, bottom - top, 5);
  double lw = 0;
  for (const auto& t : yt) lw = std::max(lw, text_width(t.label, 10.5));
  double left = 14 + lw, right = W - 16;
  double xlo = lo, xhi = hi;
  std::vector<Tick> xt = value_ticks(c.x, xlo, xhi, right - left);
  Scale sx{lo, hi, left, right}, sy{clo, chi, bottom, top};
  std::string out = open_svg(c.text, c.width, c.height);
  out += text(left - 8, top - 10, c.y_label, "start", 11, kMuted) + "\n<g class=\"axes\">\n";
  for (const auto& t : yt) {
    out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"/>", f1(left),
                       f1(sy(t.value)), f1(right), f1(sy(t.value)), kGrid);
    out += text(left - 5, sy(t.value) + 3.5, t.label, "end", 10.5, kMuted) + "\n";
  }
  for (const auto& t : xt) {
    double px = sx(t.value);
    if (px < left - 0.5 || px > right + 0.5) continue;
    out += text(px, bottom + 15, t.label, "middle", 10.5, kMuted);
    if (!t.label2.empty()) out += text(px, bottom + 27, t.label2, "middle", 10.5, kMuted);
    out += "\n";
  }
  out += "</g>\n";
  if (!c.x.label.empty())
    out += text((left + right) / 2, H - 4, c.x.label, "middle", 11, kMuted) + "\n";
  for (int b = 0; b < bins; ++b) {
    double x0 = sx(lo + b * width), x1 = sx(lo + (b + 1) * width);
    int n = counts[static_cast<std::size_t>(b)];
    out += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" "
        "stroke=\"#ffffff\"><title>{} – {}: {}</title></rect>\n",
        f1(x0), f1(sy(n)), f1(std::max(0.5, x1 - x0)), f1(bottom - sy(n)), palette(0),
        e(format_value(c.x, lo + b * width)), e(format_value(c.x, lo + (b + 1) * width)), n);
  }
  if (v.empty()) out += empty_note((left + right) / 2, (top + bottom) / 2, "no data");
  return out + close_svg();
}

// ---- heatmap ---------------------------------------------------------------------------------

namespace {

/// Viridis (colour-blind safe, monotone in lightness), t in [0, 1].
std::array<double, 3> viridis(double t) {
  static constexpr std::array<std::array<double, 3>, 6> stops = {
      {{253, 231, 37}, {122, 209, 81}, {34, 168, 132}, {42, 120, 142}, {65, 68, 135}, {68, 1, 84}}};
  t = std::clamp(t, 0.0, 1.0) * (stops.size() - 1);
  std::size_t i = std::min(stops.size() - 2, static_cast<std::size_t>(t));
  double u = t - static_cast<double>(i);
  std::array<double, 3> c{};
  for (int k = 0; k < 3; ++k) c[k] = stops[i][k] + u * (stops[i + 1][k] - stops[i][k]);
  return c;
}
std::string hex(const std::array<double, 3>& c) {
  return fmt::format("#{:02x}{:02x}{:02x}", static_cast<int>(std::lround(c[0])),
                     static_cast<int>(std::lround(c[1])), static_cast<int>(std::lround(c[2])));
}

}  // namespace

std::string render(const Heatmap& c) {
  const double W = c.width;
  double lab = label_column(c.rows, W * 0.8);
  double left = 8 + lab, right = W - 8;
  std::size_t nc = std::max<std::size_t>(1, c.columns.size());
  double cell_w = std::min(110.0, (right - left) / static_cast<double>(nc));
  double col_label_w = 0;
  for (const auto& col : c.columns) col_label_w = std::max(col_label_w, text_width(col, 10.5));
  bool rotate = col_label_w > cell_w - 4;
  double head = rotate ? std::min(col_label_w * 0.72, 140.0) + 10 : 18;
  double top = 24 + 18 + head;
  const double cell_h = 24;
  double bottom = top + static_cast<double>(c.rows.size()) * cell_h;
  double H = bottom + 56;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (double v : c.values)
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  lo = std::min(lo, 0.0);
  if (c.value.min) lo = *c.value.min;
  if (c.value.max) hi = *c.value.max;
  if (!(hi > lo)) hi = lo + (c.value.kind == Axis::Kind::Percent ? 0.1 : 1);
  std::string gid = "grad-" + slug(c.text.id, 64);
  std::string out = open_svg(c.text, c.width, static_cast<int>(std::ceil(H)));
  out += text(8, 24 + 14, c.row_label + (c.column_label.empty() ? "" : " × " + c.column_label),
              "start", 11, kMuted) +
         "\n";
  for (std::size_t j = 0; j < c.columns.size(); ++j) {
    double cx = left + (static_cast<double>(j) + 0.5) * cell_w;
    if (rotate)
      out += text(cx - 2, top - 6, fit_text(c.columns[j], 190, 10.5), "start", 10.5, kInk,
                  fmt::format("transform=\"rotate(-40 {} {})\"", f1(cx - 2), f1(top - 6)));
    else
      out += text(cx, top - 6, c.columns[j], "middle", 10.5);
    out += "\n";
  }
  for (std::size_t i = 0; i < c.rows.size(); ++i) {
    double ry = top + static_cast<double>(i) * cell_h;
    out += text(left - 6, ry + cell_h / 2 + 4, fit_text(c.rows[i], lab - 10, 11), "end") + "\n";
    for (std::size_t j = 0; j < c.columns.size(); ++j) {
      std::size_t k = i * c.columns.size() + j;
      double v = k < c.values.size() ? c.values[k] : kNaN;
      double cx = left + static_cast<double>(j) * cell_w;
      std::string tip = c.rows[i] + ", " + c.columns[j] + ": " +
                        (std::isfinite(v) ? format_value(c.value, v) : std::string("no data"));
      if (!std::isfinite(v)) {
        out += fmt::format(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#f2f2f2\" "
            "stroke=\"#ffffff\"><title>{}</title></rect>",
            f1(cx), f1(ry), f1(cell_w), cell_h, e(tip));
        out += text(cx + cell_w / 2, ry + cell_h / 2 + 4, "—", "middle", 10, "#999999") + "\n";
        continue;
      }
      auto rgb = viridis((v - lo) / (hi - lo));
      double lum = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
      out += fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" "
          "stroke=\"#ffffff\"><title>{}</title></rect>",
          f1(cx), f1(ry), f1(cell_w), cell_h, hex(rgb), e(tip));
      std::string label = format_value(c.value, v);
      if (text_width(label, 10) < cell_w - 4)
        out += text(cx + cell_w / 2, ry + cell_h / 2 + 4, label, "middle", 10,
                    lum > 140 ? "#000000" : "#ffffff");
      out += "\n";
    }
  }
  // Colour scale.
  double sy = bottom + 14, sw = std::min(260.0, right - left);
  out += fmt::format("<defs><linearGradient id=\"{}\" x1=\"0\" x2=\"1\" y1=\"0\" y2=\"0\">", gid);
  for (int k = 0; k <= 5; ++k)
    out += fmt::format("<stop offset=\"{}\" stop-color=\"{}\"/>", k / 5.0, hex(viridis(k / 5.0)));
  out += "</linearGradient></defs>\n";
  out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"10\" fill=\"url(#{})\"/>\n",
                     f1(left), f1(sy), f1(sw), gid);
  out += text(left, sy + 23, format_value(c.value, lo), "start", 10, kMuted);
  out += text(left + sw, sy + 23, format_value(c.value, hi), "end", 10, kMuted);
  out += text(left + sw + 10, sy + 9, c.value.label, "start", 11, kMuted) + "\n";
  return out + close_svg();
}

// ---- flow diagram ----------------------------------------------------------------------------

std::string render(const FlowDiagram& c) {
  const double W = c.width, H = c.height;
  std::size_t nn = c.nodes.size();
  std::vector<double> in(nn, 0), out_v(nn, 0);
  // Links must go forward (to a later column); others are left out.
  auto valid = [&](const FlowLink& l) {
    return l.from >= 0 && l.to >= 0 && static_cast<std::size_t>(l.from) < nn &&
           static_cast<std::size_t>(l.to) < nn && l.value > 0 &&
           c.nodes[static_cast<std::size_t>(l.from)].column <
               c.nodes[static_cast<std::size_t>(l.to)].column;
  };
  for (const auto& l : c.links) {
    if (!valid(l)) continue;
    out_v[static_cast<std::size_t>(l.from)] += l.value;
    in[static_cast<std::size_t>(l.to)] += l.value;
  }
  std::vector<LegendItem> items;
  for (const auto& [name, col] : c.legend)
    items.push_back({name, std::string(palette(col)), LegendItem::Kind::Band, ""});
  double y = 24;
  std::string leg = legend(items, 8, y, W - 16);
  int ncols = static_cast<int>(c.columns.size());
  for (const auto& n : c.nodes) ncols = std::max(ncols, n.column + 1);
  double top = y + 24, bottom = H - 12;
  const double node_w = 12;
  // Node heights: share of the column's throughput.
  std::vector<double> value(nn), height(nn), ny(nn);
  std::vector<double> col_total(static_cast<std::size_t>(ncols), 0);
  std::vector<int> col_count(static_cast<std::size_t>(ncols), 0);
  for (std::size_t i = 0; i < nn; ++i) {
    value[i] = std::max(in[i], out_v[i]);
    if (value[i] <= 0) continue;
    col_total[static_cast<std::size_t>(c.nodes[i].column)] += value[i];
    ++col_count[static_cast<std::size_t>(c.nodes[i].column)];
  }
  // Gaps between boxes shrink when a column has many of them.
  int most = col_count.empty() ? 1 : *std::max_element(col_count.begin(), col_count.end());
  const double gap = std::clamp((bottom - top) * 0.25 / std::max(1, most - 1), 2.0, 10.0);
  std::vector<double> cursor(static_cast<std::size_t>(ncols), top);
  for (std::size_t i = 0; i < nn; ++i) {
    if (value[i] <= 0) continue;
    auto col = static_cast<std::size_t>(c.nodes[i].column);
    double avail = (bottom - top) - gap * std::max(0, col_count[col] - 1);
    height[i] = std::max(2.0, value[i] / col_total[col] * avail);
    ny[i] = cursor[col];
    cursor[col] += height[i] + gap;
  }
  double left = 8, right = W - 8;
  auto col_x = [&](int col) {
    return ncols <= 1 ? left : left + (right - left - node_w) * col / (ncols - 1.0);
  };
  std::string out = open_svg(c.text, c.width, c.height) + leg;
  for (int k = 0; k < static_cast<int>(c.columns.size()); ++k) {
    double x = col_x(k) + node_w / 2;
    std::string_view anchor = k == 0 ? "start" : k == ncols - 1 ? "end" : "middle";
    out += text(k == 0           ? col_x(k)
                : k == ncols - 1 ? col_x(k) + node_w
                                 : x,
                top - 8, c.columns[k], anchor, 11, kMuted, "font-weight=\"bold\"") +
           "\n";
  }
  // Ribbons: stacked at each node in the order of the other end's position.
  std::vector<std::size_t> order(c.links.size());
  std::iota(order.begin(), order.end(), 0);
  std::vector<double> out_cursor(nn, 0), in_cursor(nn, 0);
  auto mid = [&](int n) {
    return ny[static_cast<std::size_t>(n)] + height[static_cast<std::size_t>(n)] / 2;
  };
  std::vector<std::size_t> by_target = order, by_source = order;
  std::stable_sort(by_target.begin(), by_target.end(), [&](std::size_t a, std::size_t b) {
    return mid(c.links[a].to) < mid(c.links[b].to);
  });
  std::stable_sort(by_source.begin(), by_source.end(), [&](std::size_t a, std::size_t b) {
    return mid(c.links[a].from) < mid(c.links[b].from);
  });
  std::vector<double> y0(c.links.size()), y1(c.links.size()), w0(c.links.size()),
      w1(c.links.size());
  for (std::size_t k : by_target) {
    const auto& l = c.links[k];
    if (!valid(l)) continue;
    auto f = static_cast<std::size_t>(l.from);
    w0[k] = l.value / out_v[f] * height[f];
    y0[k] = ny[f] + out_cursor[f];
    out_cursor[f] += w0[k];
  }
  for (std::size_t k : by_source) {
    const auto& l = c.links[k];
    if (!valid(l)) continue;
    auto t = static_cast<std::size_t>(l.to);
    w1[k] = l.value / in[t] * height[t];
    y1[k] = ny[t] + in_cursor[t];
    in_cursor[t] += w1[k];
  }
  out += "<g class=\"links\">\n";
  for (std::size_t k = 0; k < c.links.size(); ++k) {
    const auto& l = c.links[k];
    if (!valid(l)) continue;
    double xa = col_x(c.nodes[static_cast<std::size_t>(l.from)].column) + node_w;
    double xb = col_x(c.nodes[static_cast<std::size_t>(l.to)].column);
    double xm = (xa + xb) / 2;
    out += fmt::format(
        "<path d=\"M{0},{1} C{2},{1} {2},{3} {4},{3} L{4},{5} C{2},{5} {2},{6} {0},{6} Z\" "
        "fill=\"{7}\" "
        "fill-opacity=\"0.4\" stroke=\"{7}\" stroke-opacity=\"0.5\" "
        "stroke-width=\"0.5\"><title>{8}</title></path>\n",
        f1(xa), f1(y0[k]), f1(xm), f1(y1[k]), f1(xb), f1(y1[k] + w1[k]), f1(y0[k] + w0[k]),
        palette(l.colour), e(l.label));
  }
  out += "</g>\n<g class=\"nodes\">\n";
  for (std::size_t i = 0; i < nn; ++i) {
    if (value[i] <= 0) continue;
    double x = col_x(c.nodes[i].column);
    std::string amount = format_compact(value[i]) + " " + c.unit;
    out += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#333333\"><title>{}: "
        "{}</title></rect>",
        f1(x), f1(ny[i]), node_w, f1(height[i]), e(c.nodes[i].label), e(amount));
    // Labels beside the box, in the half of the gap on its side: name, then the amount.
    if (height[i] >= 9) {
      bool last = c.nodes[i].column == ncols - 1;
      double room = ((right - left) / std::max(1, ncols - 1) - node_w) / 2 - 6;
      double lx = last ? x - 4 : x + node_w + 4;
      std::string_view anchor = last ? "end" : "start";
      std::string_view halo = "paint-order=\"stroke\" stroke=\"#ffffff\" stroke-width=\"3\"";
      double ly = ny[i] + std::min(height[i] / 2, 12.0) + 3;
      out += text(lx, ly, fit_text(c.nodes[i].label, room, 10.5), anchor, 10.5, kInk, halo);
      if (height[i] >= 26)
        out += text(lx, ly + 12, fit_text(amount, room, 9.5), anchor, 9.5, kMuted, halo);
    }
    out += "\n";
  }
  return out + "</g>\n" + close_svg();
}

}  // namespace rareshock::report::svg
