#include <catch2/catch.hpp>

#include "rareshock/core/terminal.hpp"

using rareshock::terminal_safe;

TEST_CASE("terminal_safe shows control characters as escapes and keeps text", "[core][terminal]") {
  // Plain text, newlines, tabs and printable UTF-8 are kept.
  CHECK(terminal_safe("study 'a'\n\tb") == "study 'a'\n\tb");
  CHECK(terminal_safe("Baotou \xe5\x8c\x85\xe5\xa4\xb4 \xe2\x80\x93 ok") ==
        "Baotou \xe5\x8c\x85\xe5\xa4\xb4 \xe2\x80\x93 ok");
  // ESC sequences (colour, clear screen, window title), CR, BEL, DEL.
  CHECK(terminal_safe("\x1b[31mred\x1b[0m") == "\\x1b[31mred\\x1b[0m");
  CHECK(terminal_safe("a\x1b]0;title\x07z") == "a\\x1b]0;title\\x07z");
  CHECK(terminal_safe("over\rwrite\x7f") == "over\\x0dwrite\\x7f");
  // C1 CSI (U+009B, encoded C2 9B) and bidirectional overrides (U+202E, U+2066).
  CHECK(terminal_safe("a\xc2\x9b"
                      "2Jb") == "a\\u009b2Jb");
  CHECK(terminal_safe("x\xe2\x80\xae"
                      "cod.exe") == "x\\u202ecod.exe");
  CHECK(terminal_safe("\xe2\x81\xa6y") == "\\u2066y");
  // Bytes that are not UTF-8: a lone continuation byte, a truncated sequence, an overlong form.
  CHECK(terminal_safe("a\x80z") == "a\\x80z");
  CHECK(terminal_safe("a\xe2\x80") == "a\\xe2\\x80");
  CHECK(terminal_safe("\xc0\xaf") == "\\xc0\\xaf");
  CHECK(terminal_safe("") == "");
}
