#include "experiments/io/csv_data.hpp"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/errors.hpp"

namespace mixup::io {
namespace {

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  const auto last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

std::vector<std::string> split_cells(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  std::istringstream stream(line);
  while (std::getline(stream, cell, ',')) cells.push_back(trim(cell));
  if (!line.empty() && line.back() == ',') cells.emplace_back();  // a trailing empty cell
  return cells;
}

enum class CellKind { kNumber, kNonFinite, kText };

// Parses a whole cell as a double; NaN and Inf spellings are recognised so that the error can
// say "not finite" rather than "not a number".
CellKind parse_cell(const std::string& cell, double* value) {
  if (cell.empty()) return CellKind::kText;
  const char* begin = cell.c_str();
  char* end = nullptr;
  *value = std::strtod(begin, &end);
  if (end != begin + cell.size()) return CellKind::kText;
  // strtod accepts "nan", "inf", "infinity", and turns an overflow like 1e999 into HUGE_VAL.
  return std::isfinite(*value) ? CellKind::kNumber : CellKind::kNonFinite;
}

std::string location(const std::string& path, int line) {
  return path + ":" + std::to_string(line) + ": ";
}

}  // namespace

CsvDataset parse_csv_dataset(const std::string& text, const std::string& path) {
  CsvDataset result;
  result.path = path;
  std::vector<std::vector<double>> rows;
  std::istringstream stream(text);
  std::string line;
  int line_number = 0;
  std::size_t columns = 0;
  while (std::getline(stream, line)) {
    ++line_number;
    if (trim(line).empty()) continue;
    const std::vector<std::string> cells = split_cells(line);
    std::vector<double> values(cells.size());
    std::vector<CellKind> kinds(cells.size());
    bool any_number = false;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      kinds[c] = parse_cell(cells[c], &values[c]);
      any_number = any_number || kinds[c] != CellKind::kText;
    }
    if (rows.empty() && !result.had_header && !any_number) {
      result.had_header = true;  // a header: no cell of the first line is a number
      columns = cells.size();
      continue;
    }
    if (columns == 0) columns = cells.size();
    if (cells.size() != columns) {
      throw InputError(location(path, line_number) + "expected " + std::to_string(columns) +
                       " columns (as in the first row), got " + std::to_string(cells.size()));
    }
    for (std::size_t c = 0; c < cells.size(); ++c) {
      if (kinds[c] == CellKind::kText) {
        throw InputError(location(path, line_number) + "column " + std::to_string(c + 1) + ": '" +
                         cells[c] + "' is not a number");
      }
      if (kinds[c] == CellKind::kNonFinite) {
        throw InputError(location(path, line_number) + "column " + std::to_string(c + 1) + ": '" +
                         cells[c] + "' is not finite (NaN and Inf are not allowed)");
      }
    }
    rows.push_back(std::move(values));
    result.line_of_row.push_back(line_number);
  }
  if (rows.empty()) throw InputError(path + ": no data rows");
  if (columns < 2) {
    throw InputError(path + ": expected at least 2 columns (features, then the label), got " +
                     std::to_string(columns));
  }
  const auto n = static_cast<Eigen::Index>(rows.size());
  const auto d = static_cast<Eigen::Index>(columns - 1);
  result.data.X.resize(n, d);
  result.data.y.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto& row = rows[static_cast<std::size_t>(i)];
    for (Eigen::Index j = 0; j < d; ++j) result.data.X(i, j) = row[static_cast<std::size_t>(j)];
    result.data.y(i) = row.back();
  }
  return result;
}

CsvDataset read_csv_dataset(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw InputError(path + ": cannot open the data file (does it exist?)");
  std::ostringstream text;
  text << file.rdbuf();
  return parse_csv_dataset(text.str(), path);
}

}  // namespace mixup::io
