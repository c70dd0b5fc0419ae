#pragma once
// JSON output conventions of DESIGN.md: JSON has no infinity and no NaN, so +infinity is written
// as the string "inf" (-infinity as "-inf") and an undefined value as null (with the reason in a
// "notes" list, added by the caller).  nlohmann::json prints every double with the shortest
// digits that round-trip (at most 17 significant).  Files are written atomically.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace mixup::io {

// A double as JSON: a number when finite, "inf" / "-inf" when infinite, null when NaN.
nlohmann::json json_number(double x);
nlohmann::json json_number(const std::optional<double>& x);

// Writes `content` to `path` so that a reader sees either the old file or the whole new one:
// a temporary file in the same folder, flushed and fsync'ed, then renamed over `path`.
// Creates missing parent folders.  Throws InputError naming the path on failure.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace mixup::io
