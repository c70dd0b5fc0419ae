#pragma once
// The CSV data format of DESIGN.md: n rows, d feature columns then the label; an optional header
// (a first line none of whose cells is a number).  Blank lines are skipped; "\r\n" is accepted.
// Every error is an InputError whose message starts with "file:line:" and says what to fix:
// a ragged row, a non-numeric cell, NaN or Inf, no data rows.

#include <string>
#include <vector>

#include "core/data.hpp"

namespace mixup::io {

struct CsvDataset {
  Dataset data;
  std::string path;
  std::vector<int> line_of_row;  // 1-based line number of each data row, for error messages
  bool had_header = false;
};

CsvDataset read_csv_dataset(const std::string& path);
// The same from text already in memory; `path` is used only in messages.
CsvDataset parse_csv_dataset(const std::string& text, const std::string& path);

}  // namespace mixup::io
