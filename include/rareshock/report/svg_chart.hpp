#pragma once
/// \file Chart building: self-contained inline SVG (no scripts, no external fonts or styles)
/// for line charts with date axes and bands, horizontal bar charts, tornado charts,
/// quantile (box) charts, histograms, heatmaps and flow (Sankey) diagrams. Every chart has a
/// visible title, axis labels with units, a legend where it has several series, a
/// `<title>`/`<desc>` text alternative and `role="img"` with an `aria-label`; colours come
/// from the Okabe–Ito colour-blind-safe palette. Every string is escaped. Independent of the
/// report: give it numbers and labels, get an SVG string.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rareshock/core/date.hpp"

namespace rareshock::report::svg {

/// Okabe–Ito colour \p i (cycled): blue, vermillion, bluish green, reddish purple, orange,
/// sky blue, black, yellow. Lines beyond the eighth also get a dash pattern.
std::string_view palette(std::size_t i);
inline constexpr std::size_t kPaletteSize = 8;

/// What every chart says about itself.
struct ChartText {
  std::string id;           ///< unique within a page (element ids are derived from it)
  std::string title;        ///< drawn on top, and the SVG `<title>`
  std::string description;  ///< text alternative: the SVG `<desc>` and `aria-label`
};

/// How values along an axis are shown.
struct Axis {
  enum class Kind {
    Number,   ///< plain numbers
    Percent,  ///< fractions shown as percent
    Day,      ///< day offsets from `origin`, shown as calendar dates
  };
  std::string label;  ///< with the unit, e.g. "shortfall (% of demand)"
  Kind kind = Kind::Number;
  Date origin;                ///< day 0 when kind is Day
  std::optional<double> min;  ///< fixed lower end (default: from the data, 0 included)
  std::optional<double> max;  ///< fixed upper end (default: from the data)
};

/// Formats \p v as the axis shows it (`47 %`, `2025-06-01`, `12k`).
std::string format_value(const Axis& axis, double v);

// ---- line chart over days --------------------------------------------------------------------

struct Line {
  std::string name;
  std::vector<double> y;  ///< one value per day from day 0; NaN leaves a gap
  int colour = -1;        ///< palette index; -1: the line's position
  bool dashed = false;
  bool points = false;  ///< dots at the finite values instead of a line (e.g. observations)
};

/// A shaded range between two curves, e.g. a Monte Carlo P10–P90 fan.
struct Band {
  std::string name;
  std::vector<double> low, high;  ///< per day
  int colour = 0;                 ///< palette index
  double opacity = 0.25;
  bool legend = true;  ///< listed in the legend (false: e.g. one band per line, named once)
};

/// A vertical rule at a day, e.g. the start of an export restriction.
struct Marker {
  int day = 0;
  std::string label;
};

/// Where a line chart draws a marker's label: markers on the same pixel share one label
/// ("A; B"); labels go into the first of kMarkerLanes rows where they do not overlap the
/// previous label (8 px apart); a label that fits no row is not drawn (the marker line keeps
/// it as a tooltip). Labels near the right edge are drawn to the left of their line (flip).
inline constexpr int kMarkerLanes = 4;
struct MarkerLabel {
  double x = 0;       ///< [px] of the marker line
  std::string label;  ///< full text (tooltip)
  std::string shown;  ///< the label as drawn (shortened to fit)
  int lane = 0;
  bool flip = false;
  bool visible = true;
};
/// Labels of \p markers between \p left and \p right [px], in x order; \p x_of maps a day
/// to its pixel.
std::vector<MarkerLabel> place_markers(const std::vector<Marker>& markers, double left,
                                       double right, const std::function<double(int)>& x_of);

struct LineChart {
  ChartText text;
  Axis x{"date", Axis::Kind::Day, {}, {}, {}};  ///< day offsets (Day) or plain numbers
  Axis y;
  std::vector<Band> bands;  ///< drawn first, below the lines
  std::vector<Line> lines;
  std::vector<Marker> markers;
  int width = 760, height = 300;
};
std::string render(const LineChart& chart);

// ---- horizontal bar charts -------------------------------------------------------------------

/// One category (a row) with one value per series; NaN: no bar.
struct BarGroup {
  std::string label;
  std::vector<double> values;
};

/// Grouped horizontal bars: one row per group, one bar per series, value labels at the ends.
struct BarChart {
  ChartText text;
  Axis x;
  std::vector<std::string> series;  ///< legend entries (one bar per series in every group)
  std::vector<BarGroup> groups;
  int width = 760;
};
std::string render(const BarChart& chart);

/// One parameter of a tornado: the metric with the parameter at its low and at its high end.
struct TornadoBar {
  std::string label;      ///< the parameter
  double low = 0;         ///< metric with the parameter at its low value
  double high = 0;        ///< metric with the parameter at its high value
  std::string low_note;   ///< e.g. the parameter's low value, shown beside the bar
  std::string high_note;  ///< the parameter's high value
};

/// Tornado: bars from the base value to the metric at each end, widest first.
struct TornadoChart {
  ChartText text;
  Axis x;  ///< the metric
  double base = 0;
  std::vector<TornadoBar> bars;  ///< sorted by swing (widest first) when drawn
  std::string low_name = "parameter at its low value";
  std::string high_name = "parameter at its high value";
  int width = 760;
};
std::string render(const TornadoChart& chart);

/// One row of a quantile chart: whiskers P5–P95, box P10–P90, median line, mean dot.
struct QuantileRow {
  std::string label;
  double p5 = 0, p10 = 0, p50 = 0, p90 = 0, p95 = 0;
  std::optional<double> mean;
  std::string note;  ///< shown at the right, e.g. "P(shortage) 85 %"
};

/// Distributions summarised by quantiles, one row each (e.g. time to shortage per sector).
struct QuantileChart {
  ChartText text;
  Axis x;
  std::vector<QuantileRow> rows;
  int width = 760;
};
std::string render(const QuantileChart& chart);

/// A histogram of raw values (e.g. the draws of a Monte Carlo metric).
struct Histogram {
  ChartText text;
  Axis x;
  std::string y_label = "draws";
  std::vector<double> values;  ///< NaN values are left out
  int bins = 20;
  int width = 760, height = 260;
};
std::string render(const Histogram& chart);

// ---- heatmap ---------------------------------------------------------------------------------

/// A matrix of values shaded on a sequential colour-blind-safe scale (viridis), labelled.
struct Heatmap {
  ChartText text;
  Axis value;  ///< label, unit and format of the values; min/max fix the colour scale
  std::string row_label, column_label;
  std::vector<std::string> rows, columns;
  std::vector<double> values;  ///< row-major; NaN: no data (hatched)
  int width = 760;
};
std::string render(const Heatmap& chart);

// ---- flow (Sankey) diagram -------------------------------------------------------------------

struct FlowNode {
  std::string label;
  int column = 0;  ///< stage column, left to right
};

struct FlowLink {
  int from = 0, to = 0;  ///< node indices; `to` must be in a later column
  double value = 0;      ///< e.g. t/yr
  int colour = 0;        ///< palette index (e.g. per material)
  std::string label;     ///< tooltip text (the `<title>` of the ribbon)
};

/// Flows between nodes arranged in columns. A node's height is its share of its column's
/// throughput (the larger of what flows in and out); each ribbon's width at either end is its
/// share of what leaves its source and of what enters its target, so columns carrying
/// different materials (ore, oxide, magnets) stay comparable.
struct FlowDiagram {
  ChartText text;
  std::vector<std::string> columns;  ///< column headings
  std::vector<FlowNode> nodes;
  std::vector<FlowLink> links;
  std::vector<std::pair<std::string, int>> legend;  ///< (name, palette index)
  std::string unit = "t/yr";
  int width = 760, height = 460;
};
std::string render(const FlowDiagram& chart);

}  // namespace rareshock::report::svg
