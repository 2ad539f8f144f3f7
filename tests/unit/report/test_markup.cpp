#include <catch2/catch.hpp>

#include "rareshock/report/markup.hpp"

using namespace rareshock::report;

TEST_CASE("report: escape_xml escapes markup and quotes, keeps non-ASCII text", "[report]") {
  CHECK(escape_xml("<script>alert(\"x\")</script> & 'y'") ==
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;");
  CHECK(escape_xml("Zürich 稀土 — ok") == "Zürich 稀土 — ok");
  CHECK(escape_xml("") == "");
}

TEST_CASE("report: sanitize_utf8 replaces invalid bytes and drops control characters", "[report]") {
  CHECK(sanitize_utf8("a\xff"
                      "b") ==
        "a\xEF\xBF\xBD"
        "b");
  CHECK(sanitize_utf8("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong '/'
  CHECK(sanitize_utf8("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  CHECK(sanitize_utf8(std::string("a\0b\x01"
                                  "c\td\r\n",
                                  9)) == "abc\td\n\n");
  CHECK(escape_xml("\x07<") == "&lt;");
}

TEST_CASE("report: escape_markdown neutralises markup and Markdown syntax", "[report]") {
  CHECK(escape_markdown("<b>x</b> & y") == "&lt;b&gt;x&lt;/b&gt; &amp; y");
  CHECK(escape_markdown("a | b *c* _d_ [e](f) `g` #h") ==
        "a \\| b \\*c\\* \\_d\\_ \\[e\\](f) \\`g\\` \\#h");
  CHECK(escape_markdown("two\nlines") == "two lines");
}

TEST_CASE("report: slug keeps file names inside their directory", "[report]") {
  CHECK(slug("dy-licence+mitigation_package") == "dy-licence_mitigation_package");
  CHECK(slug("../../etc/passwd") == "______etc_passwd");
  CHECK(slug("") == "_");
  CHECK(slug(".hidden") == "_hidden");
  CHECK(slug("稀土") == "______");
  CHECK(slug(std::string(100, 'a')).size() == 48);
}

TEST_CASE("report: numbers are formatted for people", "[report]") {
  CHECK(format_significant(49909.3) == "49,900");
  CHECK(format_significant(1234.5) == "1,230");
  CHECK(format_significant(0.012345) == "0.0123");
  CHECK(format_significant(0) == "0");
  CHECK(format_significant(-2500000) == "-2,500,000");
  CHECK(format_fixed(1234567.891, 1) == "1,234,567.9");
  CHECK(format_percent(0.4669) == "47 %");
  CHECK(format_percent(0.07) == "7 %");
  CHECK(format_percent(0.0735) == "7.3 %");
  CHECK(format_percent(0.0004) == "< 0.1 %");
  CHECK(format_percent(0) == "0 %");
  CHECK(format_usd(2.2459e9) == "USD 2.25 bn");
  CHECK(format_usd(12.34e6) == "USD 12.3 m");
  CHECK(format_usd(45000) == "USD 45,000");
  CHECK(format_tonnes(99.8) == "99.8 t");
  CHECK(format_compact(87728) == "87.7k");
  CHECK(format_compact(2.25e9) == "2.25G");
  CHECK(format_compact(0.25) == "0.25");
  CHECK(text_length("Zürich") == 6);
}

TEST_CASE("report: text cannot open a code fence or an indented code block in Markdown",
          "[report]") {
  // A description starting with ~~~ turned the rest of report.md into one code block.
  CHECK(escape_markdown("~~~ not a fence") == "\\~\\~\\~ not a fence");
  CHECK(escape_markdown("```js") == "\\`\\`\\`js");
  CHECK(escape_markdown("~~struck~~") == "\\~\\~struck\\~\\~");
  CHECK(escape_markdown("    four spaces") == "four spaces");
}
