// `mixup-verify summarize`: one or many results.jsonl files (of one sweep, e.g. its shards)
// merged by point index into one CSV table.
#include <algorithm>
#include <filesystem>
#include <map>
#include <ostream>
#include <set>

#include "core/errors.hpp"
#include "experiments/io/json_output.hpp"
#include "experiments/sweep/sweep.hpp"

namespace mixup::sweep {
namespace {

std::string where(const ResultLine& line) {
  return line.file + ":" + std::to_string(line.line);
}

std::string string_field(const nlohmann::ordered_json& value, const char* key) {
  return value.contains(key) && value[key].is_string() ? value[key].get<std::string>() : "";
}

// A line without "seconds", keys sorted: what must agree between two runs of the same point.
nlohmann::json comparable(const nlohmann::ordered_json& value) {
  nlohmann::json sorted(value);
  sorted.erase("seconds");
  return sorted;
}

// Every run of characters outside [A-Za-z0-9_] becomes one '_'; leading and trailing '_' go.
std::string sanitise(const std::string& name) {
  std::string out;
  for (const char c : name) {
    const bool keep =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (keep) {
      out += c;
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out.empty() ? "check" : out;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

// A JSON value as a cell: strings bare ("inf" stays inf), numbers as they round-trip, missing
// and null values empty, lists and objects as compact JSON.
std::string cell(const nlohmann::ordered_json* value) {
  if (value == nullptr || value->is_null()) return "";
  if (value->is_string()) return csv_field(value->get<std::string>());
  return csv_field(value->dump());
}

const nlohmann::ordered_json* field(const nlohmann::ordered_json& object, const std::string& key) {
  if (!object.is_object() || !object.contains(key)) return nullptr;
  return &object[key];
}

const nlohmann::ordered_json* find_check(const nlohmann::ordered_json& line,
                                         const std::string& name) {
  const auto* checks = field(line, "checks");
  if (checks == nullptr || !checks->is_array()) return nullptr;
  for (const auto& check : *checks) {
    if (check.is_object() && string_field(check, "name") == name) return &check;
  }
  return nullptr;
}

// The columns of one check: its name, its sanitised unique column prefix, and the paths of the
// scalars in its "measured" object.
struct CheckColumns {
  std::string name;
  std::string column;
  std::vector<std::vector<std::string>> measured;
};

// Paths to the scalars (numbers, strings, booleans) of nested objects; lists are skipped (they
// do not fit in a cell: read them from the JSON lines).  Depth is bounded to keep the table
// readable.
void collect_scalar_paths(const nlohmann::ordered_json& value, std::vector<std::string> prefix,
                          std::vector<std::vector<std::string>>& paths) {
  constexpr std::size_t kMaxDepth = 3;
  if (value.is_object()) {
    if (prefix.size() >= kMaxDepth) return;
    for (const auto& item : value.items()) {
      std::vector<std::string> path = prefix;
      path.push_back(item.key());
      collect_scalar_paths(item.value(), std::move(path), paths);
    }
    return;
  }
  if (value.is_array() || prefix.empty()) return;
  if (std::find(paths.begin(), paths.end(), prefix) == paths.end()) paths.push_back(prefix);
}

}  // namespace

std::string summarize_to_csv(const std::vector<std::string>& results_files) {
  if (results_files.empty()) throw InputError("summarize: give at least one results.jsonl file");
  std::map<std::size_t, ResultLine> merged;
  const ResultLine* first = nullptr;
  for (const auto& given : results_files) {
    // A sweep's output folder stands for its results.jsonl.
    const std::string file =
        std::filesystem::is_directory(given) ? given + "/results.jsonl" : given;
    for (auto& line : read_results_file(file)) {
      const std::size_t index = line.value["index"].get<std::size_t>();
      if (first != nullptr && string_field(line.value, "sweep_fingerprint") !=
                                  string_field(first->value, "sweep_fingerprint")) {
        throw InputError(where(line) + ": a line of a different sweep (sweep_fingerprint \"" +
                         string_field(line.value, "sweep_fingerprint") + "\") than " +
                         where(*first) + " (\"" + string_field(first->value, "sweep_fingerprint") +
                         "\"); summarize the results of one sweep at a time");
      }
      const auto found = merged.find(index);
      if (found != merged.end()) {
        if (comparable(found->second.value) != comparable(line.value)) {
          throw InputError(where(line) + ": point " + std::to_string(index) +
                           " differs from the same point at " + where(found->second) +
                           " (beyond \"seconds\"); were they run by different versions?");
        }
        continue;  // the same point finished twice: it counts once
      }
      const auto inserted = merged.emplace(index, std::move(line)).first;
      if (first == nullptr) first = &inserted->second;
    }
  }

  // Columns: grid keys, checks and their measured scalars in order of first appearance.
  std::vector<std::string> grid_keys;
  std::vector<CheckColumns> checks;
  std::set<std::string> taken;
  for (const auto& [index, line] : merged) {
    const auto* assignment = field(line.value, "assignment");
    if (assignment != nullptr && assignment->is_object()) {
      for (const auto& item : assignment->items()) {
        if (item.key() == "seed") continue;
        if (std::find(grid_keys.begin(), grid_keys.end(), item.key()) == grid_keys.end()) {
          grid_keys.push_back(item.key());
        }
      }
    }
    const auto* line_checks = field(line.value, "checks");
    if (line_checks == nullptr || !line_checks->is_array()) continue;
    for (const auto& check : *line_checks) {
      const std::string name = string_field(check, "name");
      auto found = std::find_if(checks.begin(), checks.end(),
                                [&name](const CheckColumns& c) { return c.name == name; });
      if (found == checks.end()) {
        std::string column = sanitise(name);
        for (int k = 2; taken.count(column) != 0; ++k) {
          column = sanitise(name) + "_" + std::to_string(k);
        }
        taken.insert(column);
        checks.push_back({name, column, {}});
        found = checks.end() - 1;
      }
      const auto* measured = field(check, "measured");
      if (measured != nullptr) collect_scalar_paths(*measured, {}, found->measured);
    }
  }

  std::string csv = "index";
  for (const auto& key : grid_keys) csv += "," + csv_field(key);
  csv += ",seed,target,verdict,instances,violations,min_margin,seconds";
  std::set<std::string> header;
  for (const auto& check : checks) {
    for (const char* key : {".min_margin", ".violations", ".instances"}) {
      header.insert(check.column + key);
      csv += "," + csv_field(check.column + key);
    }
    for (const auto& path : check.measured) {
      std::string base = check.column;
      for (const auto& part : path) base += "." + sanitise(part);
      std::string column = base;  // unique, even if two keys sanitise alike
      for (int k = 2; !header.insert(column).second; ++k) column = base + "_" + std::to_string(k);
      csv += "," + csv_field(column);
    }
  }
  csv += "\n";
  for (const auto& [index, line] : merged) {
    const auto& value = line.value;
    csv += std::to_string(index);
    const auto* assignment = field(value, "assignment");
    for (const auto& key : grid_keys) {
      csv += "," + cell(assignment == nullptr ? nullptr : field(*assignment, key));
    }
    // The seed: swept, else the config's (when the target has one).
    const nlohmann::ordered_json* seed =
        assignment == nullptr ? nullptr : field(*assignment, "seed");
    if (seed == nullptr) {
      const auto* config = field(value, "config");
      if (config != nullptr) seed = field(*config, "seed");
    }
    csv += "," + cell(seed);
    for (const char* key :
         {"target", "verdict", "instances", "violations", "min_margin", "seconds"}) {
      csv += "," + cell(field(value, key));
    }
    for (const auto& columns : checks) {
      const auto* check = find_check(value, columns.name);
      for (const char* key : {"min_margin", "violations", "instances"}) {
        csv += "," + cell(check == nullptr ? nullptr : field(*check, key));
      }
      const auto* measured = check == nullptr ? nullptr : field(*check, "measured");
      for (const auto& path : columns.measured) {
        const nlohmann::ordered_json* leaf = measured;
        for (const auto& part : path) leaf = leaf == nullptr ? nullptr : field(*leaf, part);
        csv += "," + cell(leaf != nullptr && leaf->is_structured() ? nullptr : leaf);
      }
    }
    csv += "\n";
  }
  return csv;
}

int run_summarize(const SummarizeOptions& options, std::ostream& out) {
  const std::string csv = summarize_to_csv(options.results_files);
  if (options.out_path.empty()) {
    out << csv;
    return 0;
  }
  io::write_file_atomically(options.out_path, csv);
  std::size_t rows = 0;
  for (const char c : csv) rows += c == '\n';
  out << options.out_path << ": " << (rows > 0 ? rows - 1 : 0) << " point(s)\n";
  return 0;
}

}  // namespace mixup::sweep
