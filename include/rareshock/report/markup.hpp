#pragma once
/// \file Text helpers shared by the chart builder and the report writers: escaping for
/// HTML/SVG (XML) and Markdown, safe file-name slugs, and number formatting for people.
#include <string>
#include <string_view>

namespace rareshock::report {

/// \p s as valid UTF-8: invalid byte sequences become U+FFFD, control characters other than
/// tab and newline are dropped (they are not allowed in XML).
std::string sanitize_utf8(std::string_view s);

/// Escapes `& < > " '` for XML/HTML text and attribute values (after sanitize_utf8).
std::string escape_xml(std::string_view s);

/// Escapes text for a Markdown paragraph or table cell: Markdown punctuation is
/// backslash-escaped, `<`, `>` and `&` become entities, line breaks become spaces.
std::string escape_markdown(std::string_view s);

/// A file-name-safe slug: ASCII letters, digits, `-` and `_`; everything else becomes `_`;
/// never empty, never starts with `.`, at most \p max_length characters.
std::string slug(std::string_view s, std::size_t max_length = 48);

/// Number of Unicode code points in UTF-8 \p s (for estimating rendered text width).
std::size_t text_length(std::string_view s);

/// \p v rounded to \p significant digits, with thousands separators (`49,900`, `0.0123`).
std::string format_significant(double v, int significant = 3);
/// \p v with \p decimals decimals and thousands separators (`1,234.5`).
std::string format_fixed(double v, int decimals);
/// A fraction as percent: `0.4669` -> `47 %` (one decimal below 10 %: `7.0 %`; `< 0.1 %`).
std::string format_percent(double fraction);
/// Money in USD: `USD 2.25 bn`, `USD 12.3 m`, `USD 45,000`.
std::string format_usd(double usd);
/// Tonnes: `100 t`, `1,230 t`, `12,300 t` (three significant digits).
std::string format_tonnes(double t);
/// Short axis label: `1.5k`, `12M`, `0.25`.
std::string format_compact(double v);

}  // namespace rareshock::report
