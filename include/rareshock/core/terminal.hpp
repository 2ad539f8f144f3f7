#pragma once
/// \file Text for a terminal: user text (names, paths, file contents quoted in diagnostics)
/// made safe to print, so it cannot move the cursor, recolour or clear the screen, or reorder
/// what is shown.
#include <string>
#include <string_view>

namespace rareshock {

/// \p text with everything a terminal would act on replaced by a visible escape: C0 control
/// characters other than newline and tab, and DEL, as `\xNN` (ESC is `\x1b`); C1 controls
/// (U+0080 to U+009F) and the bidirectional-text controls (U+200E, U+200F, U+202A to U+202E,
/// U+2066 to U+2069) as `\uNNNN`; bytes that are not UTF-8 as `\xNN`. Everything else,
/// printable UTF-8 included, is kept as it is.
std::string terminal_safe(std::string_view text);

}  // namespace rareshock
