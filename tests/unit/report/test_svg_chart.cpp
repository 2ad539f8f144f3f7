#include <catch2/catch.hpp>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <cmath>
#include <limits>
#include <sstream>

#include "rareshock/report/svg_chart.hpp"

using namespace rareshock;
using namespace rareshock::report::svg;

namespace {

const std::string kHostile = "<script>alert(\"x\")</script> & 'q' Zürich";
const std::string kEscaped =
    "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39; Zürich";

/// The SVG is well-formed XML (throws otherwise) and carries its text alternative.
void check_accessible_svg(const std::string& svg) {
  INFO(svg.substr(0, 400));
  std::istringstream in(svg);
  boost::property_tree::ptree tree;
  REQUIRE_NOTHROW(boost::property_tree::read_xml(in, tree));
  CHECK(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
  CHECK(svg.find("role=\"img\"") != std::string::npos);
  CHECK(svg.find("aria-label=\"" + kEscaped) != std::string::npos);
  CHECK(svg.find("<title id=") != std::string::npos);
  CHECK(svg.find("<desc id=") != std::string::npos);
  CHECK(svg.find("<script") == std::string::npos);
  CHECK(svg.find("nan") == std::string::npos);
  CHECK(svg.find("inf") == std::string::npos);
  CHECK(svg.find("href") == std::string::npos);  // nothing external
}

ChartText hostile_text(const char* id) {
  return {id, kHostile, kHostile + " (description)"};
}

}  // namespace

TEST_CASE("report: palette is Okabe–Ito", "[report]") {
  CHECK(palette(0) == "#0072B2");
  CHECK(palette(1) == "#D55E00");
  CHECK(palette(kPaletteSize) == palette(0));
}

TEST_CASE("report: line chart: date ticks, legend, markers, bands, gaps", "[report]") {
  LineChart c;
  c.text = hostile_text("line");
  c.x.origin = make_date(2025, 1, 1);
  c.y = {"shortfall (% of demand)", Axis::Kind::Percent, {}, {}, {}};
  std::vector<double> a(400, 0.0), b(400, 0.0);
  for (int d = 150; d < 400; ++d)
    a[static_cast<std::size_t>(d)] = 0.3, b[static_cast<std::size_t>(d)] = 0.1;
  b[200] = std::numeric_limits<double>::quiet_NaN();
  c.lines = {{"EV <traction>", a, -1, false}, {"wind", b, -1, true}};
  c.bands = {{"P10–P90", b, a, 0, 0.3}};
  c.markers = {{93, "licences <start>"}};
  std::string svg = render(c);
  check_accessible_svg(svg);
  CHECK(svg.find(">Apr<") != std::string::npos);
  CHECK(svg.find(">2026<") != std::string::npos);               // the year under January
  CHECK(svg.find(">30 %<") != std::string::npos);               // the top tick: no wasted room
  CHECK(svg.find("EV &lt;traction&gt;") != std::string::npos);  // legend
  CHECK(svg.find("licences &lt;start&gt;") != std::string::npos);
  CHECK(svg.find("stroke-dasharray=\"6 3\"") != std::string::npos);
  CHECK(svg.find("<polygon") != std::string::npos);
  CHECK(svg.find("#0072B2") != std::string::npos);
  CHECK(svg.find("#D55E00") != std::string::npos);

  LineChart empty;
  empty.text = hostile_text("empty");
  std::string e = render(empty);
  check_accessible_svg(e);
  CHECK(e.find("no data") != std::string::npos);
}

TEST_CASE("report: a band can stay out of the legend (one band per line, named once)", "[report]") {
  auto count = [](const std::string& s, const std::string& what) {
    std::size_t n = 0;
    for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
    return n;
  };
  LineChart c;
  c.text = hostile_text("bands");
  c.x.origin = make_date(2025, 1, 1);
  c.y = {"shortfall (% of demand)", Axis::Kind::Percent, {}, {}, {}};
  std::vector<double> lo(100, 0.1), mid(100, 0.2), hi(100, 0.3);
  c.lines = {{"EV traction in EU", mid, 0}, {"Wind in EU", lo, 1}};
  c.bands = {{"P10–P90 over 20 draws (shaded)", {}, {}, 6, 0.18, true},
             {"EV band", lo, hi, 0, 0.18, false},
             {"Wind band", lo, mid, 1, 0.18, false}};
  std::string svg = render(c);
  check_accessible_svg(svg);
  CHECK(count(svg, "<polygon") == 2);  // the named legend entry has no data
  CHECK(count(svg, "EV band") == 1);   // the polygon's tooltip only
  CHECK(count(svg, "Wind band") == 1);
  CHECK(count(svg, "P10–P90 over 20 draws (shaded)") == 1);  // in the legend
  c.bands[1].legend = true;
  CHECK(count(render(c), "EV band") == 2);
}

TEST_CASE("report: bar, tornado, quantile and histogram charts", "[report]") {
  BarChart bars;
  bars.text = hostile_text("bars");
  bars.x = {"unmet demand (t)", Axis::Kind::Number, {}, {}, {}};
  bars.series = {"alone", "+ <mitigation>"};
  bars.groups = {
      {"EV traction", {3196, 0}}, {"wind & <other>", {532, std::nan("")}}, {"neg", {-10, 5}}};
  std::string b = render(bars);
  check_accessible_svg(b);
  CHECK(b.find(">3196<") != std::string::npos);
  CHECK(b.find("+ &lt;mitigation&gt;") != std::string::npos);

  TornadoChart t;
  t.text = hostile_text("tornado");
  t.x = {"time to shortage (days)", Axis::Kind::Number, {}, {}, {}};
  t.base = 199;
  t.bars = {{"small", 195, 201, "1", "2"},
            {"model.consumers[*].inventory_days", 181, 305, "33.2", "72.3"}};
  std::string tor = render(t);
  check_accessible_svg(tor);
  CHECK(tor.find("base 199") != std::string::npos);
  CHECK(tor.find("inventory_days") < tor.find(">small<"));  // widest first

  QuantileChart q;
  q.text = hostile_text("quantiles");
  q.x = {"time to shortage", Axis::Kind::Day, make_date(2025, 1, 1), {}, {}};
  q.rows = {{"EV traction in EU", 177, 182, 206, 324, 345, 226.6, "P(short) 82 %"}};
  std::string qs = render(q);
  check_accessible_svg(qs);
  CHECK(qs.find("P(short) 82 %") != std::string::npos);
  CHECK(qs.find("median 2025-07-26") != std::string::npos);

  Histogram h;
  h.text = hostile_text("histogram");
  h.x = {"time to shortage (day)", Axis::Kind::Number, {}, {}, {}};
  for (int i = 0; i < 100; ++i) h.values.push_back(i % 10);
  h.values.push_back(std::nan(""));
  h.bins = 10;
  std::string hs = render(h);
  check_accessible_svg(hs);
  CHECK(hs.find(": 10</title>") != std::string::npos);  // each bin holds 10 draws
}

TEST_CASE("report: heatmap and flow diagram", "[report]") {
  Heatmap m;
  m.text = hostile_text("heat");
  m.value = {"peak shortfall", Axis::Kind::Percent, {}, 0.0, std::nullopt};
  m.row_label = "sector";
  m.column_label = "region";
  m.rows = {"EV traction", "wind <x>"};
  m.columns = {"China", "EU", "United States"};
  m.values = {0, 0.49, 0.18, std::nan(""), 0.19, std::nan("")};
  std::string hs = render(m);
  check_accessible_svg(hs);
  CHECK(hs.find(">49 %<") != std::string::npos);
  CHECK(hs.find("wind &lt;x&gt;, EU: 19 %") != std::string::npos);
  CHECK(hs.find("linearGradient id=\"grad-heat\"") != std::string::npos);

  FlowDiagram f;
  f.text = hostile_text("flow");
  f.columns = {"mine", "refinery", "consumer"};
  f.nodes = {{"China", 0}, {"Australia", 0}, {"China", 1}, {"Malaysia", 1}, {"EU <&>", 2}};
  f.links = {{0, 2, 87728, 0, "CN mine → CN refinery"},
             {1, 3, 9747, 0, "AU → MY"},
             {2, 4, 14000, 1, "CN → EU <oxide>"},
             {3, 4, 1500, 1, "MY → EU"},
             {4, 0, 5, 0, "backwards: ignored in the layout sums"}};
  f.legend = {{"concentrate", 0}, {"oxide", 1}};
  std::string fs = render(f);
  check_accessible_svg(fs);
  CHECK(fs.find("CN → EU &lt;oxide&gt;") != std::string::npos);
  CHECK(fs.find(">EU &lt;&amp;&gt;<") != std::string::npos);
  CHECK(fs.find("87.7k t/yr") != std::string::npos);
}
