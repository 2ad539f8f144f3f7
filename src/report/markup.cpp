#include "rareshock/report/markup.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>

namespace rareshock::report {

namespace {

/// Length of the valid UTF-8 sequence at s[i], or 0 when it is not valid.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = c < 0x80           ? 1
                  : (c >> 5) == 0x6  ? 2
                  : (c >> 4) == 0xE  ? 3
                  : (c >> 3) == 0x1E ? 4
                                     : 0;
  if (n == 0 || i + n > s.size()) return 0;
  std::uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (std::size_t k = 1; k < n; ++k) {
    auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc >> 6) != 0x2) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  // Overlong forms, surrogates and values beyond U+10FFFF are invalid.
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
      (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
    return 0;
  return n;
}

/// Inserts thousands separators into the integer part of a plain decimal number.
std::string group_thousands(const std::string& s) {
  std::size_t start = s[0] == '-' ? 1 : 0;
  std::size_t end = s.find('.');
  if (end == std::string::npos) end = s.size();
  if (end - start <= 3) return s;
  std::string out = s.substr(0, start);
  for (std::size_t i = start; i < end; ++i) {
    out += s[i];
    std::size_t left = end - i - 1;
    if (left > 0 && left % 3 == 0) out += ',';
  }
  return out + s.substr(end);
}

}  // namespace

std::string sanitize_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = utf8_sequence(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
      continue;
    }
    auto c = static_cast<unsigned char>(s[i]);
    if (n == 1 && (c < 0x20 || c == 0x7F) && c != '\t' && c != '\n') {
      if (c == '\r') out += '\n';
      ++i;
      continue;
    }
    out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

std::string escape_xml(std::string_view s) {
  std::string clean = sanitize_utf8(s);
  std::string out;
  out.reserve(clean.size() + 16);
  // The text becomes one line; leading blanks would make it an indented code block.
  std::size_t begin = clean.find_first_not_of(" \t\n");
  clean.erase(0, begin == std::string::npos ? clean.size() : begin);
  for (char c : clean) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string escape_markdown(std::string_view s) {
  std::string clean = sanitize_utf8(s);
  std::string out;
  out.reserve(clean.size() + 16);
  // The text becomes one line; leading blanks would make it an indented code block.
  std::size_t begin = clean.find_first_not_of(" \t\n");
  clean.erase(0, begin == std::string::npos ? clean.size() : begin);
  for (char c : clean) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\n':
      case '\t':
        out += ' ';
        break;
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '|':
      case '#':
      case '!':
      case '~':  // ~~~ opens a code fence, ~~x~~ is struck through
        out += '\\';
        out += c;
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string slug(std::string_view s, std::size_t max_length) {
  std::string out;
  for (char c : s) {
    if (out.size() >= max_length) break;
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    out += ok ? c : '_';
  }
  if (out.empty()) out.push_back('_');
  return out;
}

std::size_t text_length(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string format_fixed(double v, int decimals) {
  if (!std::isfinite(v)) return "—";
  std::string s = fmt::format("{:.{}f}", v, decimals);
  if (s == "-0" || s.rfind("-0.", 0) == 0) {
    bool zero = s.find_first_not_of("-0.") == std::string::npos;
    if (zero) s.erase(0, 1);
  }
  return group_thousands(s);
}

std::string format_significant(double v, int significant) {
  if (!std::isfinite(v)) return "—";
  if (v == 0) return "0";
  int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(v))));
  int decimals = std::max(0, significant - 1 - magnitude);
  double scale = std::pow(10.0, magnitude - significant + 1);
  double rounded = decimals > 0 ? v : std::round(v / scale) * scale;
  std::string s = format_fixed(rounded, decimals);
  if (decimals > 0 && s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

std::string format_percent(double fraction) {
  if (!std::isfinite(fraction)) return "—";
  double p = 100 * fraction;
  if (p == 0) return "0 %";
  if (std::fabs(p) < 0.1) return "< 0.1 %";
  if (std::fabs(p) < 9.95) {
    std::string out = fmt::format("{:.1f}", p);
    if (out.size() > 2 && out.compare(out.size() - 2, 2, ".0") == 0) out.resize(out.size() - 2);
    return out + " %";
  }
  return fmt::format("{:.0f} %", p);
}

std::string format_usd(double usd) {
  if (!std::isfinite(usd)) return "—";
  double a = std::fabs(usd);
  if (a >= 1e9) return "USD " + format_significant(usd / 1e9, 3) + " bn";
  if (a >= 1e6) return "USD " + format_significant(usd / 1e6, 3) + " m";
  return "USD " + format_significant(usd, 3);
}

std::string format_tonnes(double t) {
  if (!std::isfinite(t)) return "—";
  return format_significant(t, 3) + " t";
}

std::string format_compact(double v) {
  if (!std::isfinite(v)) return "";
  double a = std::fabs(v);
  // Three significant digits, with k / M / G for thousands, millions, billions.
  auto sig3 = [](double x) {
    std::string s = fmt::format("{:.{}f}", x, std::fabs(x) >= 100 ? 0 : std::fabs(x) >= 10 ? 1 : 2);
    if (s.find('.') != std::string::npos) {
      while (s.back() == '0') s.pop_back();
      if (s.back() == '.') s.pop_back();
    }
    return s;
  };
  if (a >= 1e9) return sig3(v / 1e9) + "G";
  if (a >= 1e6) return sig3(v / 1e6) + "M";
  if (a >= 1e4) return sig3(v / 1e3) + "k";
  if (a >= 100 || a == 0) return fmt::format("{:.0f}", v);
  return fmt::format("{:.3g}", v);
}

}  // namespace rareshock::report
