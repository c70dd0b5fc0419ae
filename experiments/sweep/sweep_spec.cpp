// Sweep files: reading and validating them, expanding the grid into points, shards, fingerprints.
#include <cstdio>
#include <fstream>

#include "core/errors.hpp"
#include "experiments/sweep/sweep.hpp"
#include "theorems/registry.hpp"

namespace mixup::sweep {
namespace {

constexpr const char* kTopLevelKeys = "target, base, grid, seeds, quick";
// A sweep this large is a typo (a grid key with a thousand values too many), not a plan.
constexpr std::size_t kMaxPoints = 10'000'000;

std::string allowed_keys(const ConfigSchema& schema) {
  std::string keys;
  for (const auto& p : schema.params()) keys += (keys.empty() ? "" : ", ") + p.key;
  return keys;
}

std::string known_ids() {
  std::string ids;
  for (const auto& entry : registry()) ids += (ids.empty() ? "" : ", ") + entry.id;
  return ids;
}

const RegistryEntry& target_entry(const nlohmann::ordered_json& file, const std::string& source) {
  if (!file.contains("target")) {
    throw InputError(source +
                     ": target: missing (the registry id of a claim or figure; see "
                     "`mixup-verify list`)");
  }
  const auto& target = file["target"];
  if (!target.is_string()) {
    throw InputError(source + ": target: expected a string (a registry id), got " + target.dump());
  }
  const RegistryEntry* entry = find_entry(target.get<std::string>());
  if (entry == nullptr) {
    throw InputError(source + ": target: unknown id " + target.dump() +
                     " (known ids: " + known_ids() + ")");
  }
  if (!entry->built()) {
    throw InputError(source + ": target: '" + entry->id +
                     "' is not built yet (see `mixup-verify list`)");
  }
  return *entry;
}

const ParamSpec& schema_key(const RegistryEntry& entry, const std::string& key,
                            const std::string& source, const std::string& path) {
  const ParamSpec* spec = entry.schema.find(key);
  if (spec == nullptr) {
    throw InputError(source + ": " + path + ": unknown config key of '" + entry.id +
                     "' (allowed keys: " + allowed_keys(entry.schema) + ")");
  }
  return *spec;
}

// Refuses a value listed twice: the two points would be the same computation.
void refuse_duplicates(const nlohmann::json& values, const std::string& source,
                       const std::string& path) {
  for (std::size_t k = 1; k < values.size(); ++k) {
    for (std::size_t j = 0; j < k; ++j) {
      if (values[k] == values[j]) {
        throw InputError(source + ": " + path + "[" + std::to_string(k) + "]: " + values[k].dump() +
                         " is listed twice (also at " + path + "[" + std::to_string(j) + "])");
      }
    }
  }
}

void read_base(const RegistryEntry& entry, const nlohmann::ordered_json& file,
               const std::string& source, SweepSpec& spec) {
  if (!file.contains("base")) return;
  const auto& base = file["base"];
  if (!base.is_object()) {
    throw InputError(source + ": base: expected an object of config keys, got " + base.dump());
  }
  for (const auto& item : base.items()) {
    const std::string path = "base." + item.key();
    const ParamSpec& param = schema_key(entry, item.key(), source, path);
    const nlohmann::json value(item.value());
    validate_param(param, value, source, path);
    spec.base[item.key()] = value;
  }
}

void read_grid(const RegistryEntry& entry, const nlohmann::ordered_json& file,
               const std::string& source, SweepSpec& spec) {
  if (!file.contains("grid")) return;
  const auto& grid = file["grid"];
  if (!grid.is_object()) {
    throw InputError(source + ": grid: expected an object {\"key\": [values to sweep], ...}, got " +
                     grid.dump());
  }
  for (const auto& item : grid.items()) {
    const std::string path = "grid." + item.key();
    const ParamSpec& param = schema_key(entry, item.key(), source, path);
    const nlohmann::json values(item.value());
    if (!values.is_array() || values.empty()) {
      throw InputError(source + ": " + path +
                       ": expected a non-empty list of the values to sweep, got " + values.dump());
    }
    for (std::size_t k = 0; k < values.size(); ++k) {
      validate_param(param, values[k], source, path + "[" + std::to_string(k) + "]");
    }
    refuse_duplicates(values, source, path);
    spec.grid.emplace_back(item.key(), values);
  }
}

void read_seeds(const RegistryEntry& entry, const nlohmann::ordered_json& file,
                const std::string& source, SweepSpec& spec) {
  if (!file.contains("seeds")) return;
  const nlohmann::json seeds(file["seeds"]);
  if (!seeds.is_array() || seeds.empty()) {
    throw InputError(source + ": seeds: expected a non-empty list of integers >= 0, got " +
                     seeds.dump());
  }
  const ParamSpec* seed = entry.schema.find("seed");
  if (seed == nullptr) {
    throw InputError(source + ": seeds: '" + entry.id +
                     "' has no config key \"seed\" (allowed keys: " + allowed_keys(entry.schema) +
                     ")");
  }
  for (const auto& [key, values] : spec.grid) {
    if (key == "seed") {
      throw InputError(source +
                       ": grid.seed: seeds are also given by \"seeds\"; list them in one place");
    }
  }
  for (std::size_t k = 0; k < seeds.size(); ++k) {
    const std::string path = "seeds[" + std::to_string(k) + "]";
    if (!seeds[k].is_number_unsigned()) {  // nlohmann parses 0, 1, ... as unsigned
      throw InputError(source + ": " + path + ": expected an integer >= 0, got " + seeds[k].dump());
    }
    validate_param(*seed, seeds[k], source, path);
    spec.seeds.push_back(seeds[k].get<std::uint64_t>());
  }
  refuse_duplicates(seeds, source, "seeds");
}

std::size_t grid_size(const SweepSpec& spec) {
  std::size_t size = 1;
  for (const auto& [key, values] : spec.grid) size *= values.size();
  return size;
}

}  // namespace

SweepSpec parse_sweep(const nlohmann::ordered_json& file, const std::string& source) {
  if (!file.is_object()) {
    throw InputError(source + ": expected a JSON object with keys " + kTopLevelKeys + ", got " +
                     std::string(file.type_name()));
  }
  for (const auto& item : file.items()) {
    const std::string& key = item.key();
    if (key != "target" && key != "base" && key != "grid" && key != "seeds" && key != "quick") {
      throw InputError(source + ": " + key + ": unknown key (allowed keys: " + kTopLevelKeys + ")");
    }
  }
  SweepSpec spec;
  spec.source = source;
  const RegistryEntry& entry = target_entry(file, source);
  spec.target = entry.id;
  if (file.contains("quick")) {
    if (!file["quick"].is_boolean()) {
      throw InputError(source + ": quick: expected true or false, got " + file["quick"].dump());
    }
    spec.quick = file["quick"].get<bool>();
  }
  read_base(entry, file, source, spec);
  read_grid(entry, file, source, spec);
  read_seeds(entry, file, source, spec);

  // The product, guarded against overflow and absurd sizes.
  std::size_t points = spec.seeds.empty() ? 1 : spec.seeds.size();
  for (const auto& [key, values] : spec.grid) {
    if (points > kMaxPoints / values.size()) {
      throw InputError(source + ": grid: more than " + std::to_string(kMaxPoints) +
                       " points; shrink the grid");
    }
    points *= values.size();
  }
  return spec;
}

SweepSpec read_sweep_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open the sweep file (does it exist?)");
  nlohmann::ordered_json file;
  try {
    file = nlohmann::ordered_json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(path + ": malformed JSON: " + e.what());
  }
  return parse_sweep(file, path);
}

std::vector<Point> expand(const SweepSpec& spec) {
  const RegistryEntry* entry = find_entry(spec.target);
  if (entry == nullptr)
    throw InputError(spec.source + ": target: unknown id '" + spec.target + "'");
  const std::size_t grid_points = grid_size(spec);
  const std::size_t seed_count = spec.seeds.empty() ? 1 : spec.seeds.size();
  std::vector<Point> points;
  points.reserve(grid_points * seed_count);
  for (std::size_t index = 0; index < grid_points * seed_count; ++index) {
    Point point;
    point.index = index;
    point.assignment = nlohmann::json::object();
    nlohmann::json user = spec.base;
    // Mixed radix over the grid keys, the last key the fastest digit.
    std::size_t rest = index % grid_points;
    std::vector<std::size_t> digits(spec.grid.size());
    for (std::size_t j = spec.grid.size(); j-- > 0;) {
      digits[j] = rest % spec.grid[j].second.size();
      rest /= spec.grid[j].second.size();
    }
    for (std::size_t j = 0; j < spec.grid.size(); ++j) {
      const auto& [key, values] = spec.grid[j];
      point.assignment[key] = values[digits[j]];
      user[key] = values[digits[j]];
    }
    if (!spec.seeds.empty()) {
      const std::uint64_t seed = spec.seeds[index / grid_points];
      point.assignment["seed"] = seed;
      user["seed"] = seed;
    }
    point.config = entry->schema.resolve(user, spec.source);
    points.push_back(std::move(point));
  }
  return points;
}

std::string fingerprint(const SweepSpec& spec) {
  nlohmann::ordered_json canonical = nlohmann::ordered_json::object();
  canonical["target"] = spec.target;
  canonical["quick"] = spec.quick;
  canonical["base"] = spec.base;  // keys sorted: their order does not matter
  canonical["grid"] = nlohmann::ordered_json::array();
  for (const auto& [key, values] : spec.grid) {  // order matters: it numbers the points
    canonical["grid"].push_back({key, values});
  }
  canonical["seeds"] = spec.seeds;
  // FNV-1a, 64 bits: stable across platforms and versions, unlike std::hash.
  std::uint64_t hash = 14695981039346656037ULL;
  for (const unsigned char c : canonical.dump()) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

Shard parse_shard(const std::string& text) {
  const auto refuse = [&text]() {
    return InputError("--shard: expected k/N with integers 1 <= k <= N (e.g. 2/3), got '" + text +
                      "'");
  };
  const auto slash = text.find('/');
  if (slash == std::string::npos) throw refuse();
  const std::string k_text = text.substr(0, slash);
  const std::string n_text = text.substr(slash + 1);
  const auto parse = [&refuse](const std::string& digits) {
    if (digits.empty() || digits.size() > 9) throw refuse();
    std::size_t value = 0;
    for (const char c : digits) {
      if (c < '0' || c > '9') throw refuse();
      value = value * 10 + static_cast<std::size_t>(c - '0');
    }
    return value;
  };
  Shard shard;
  shard.k = parse(k_text);
  shard.count = parse(n_text);
  if (shard.k < 1 || shard.k > shard.count) throw refuse();
  return shard;
}

bool in_shard(std::size_t index, Shard shard) {
  return index % shard.count == shard.k - 1;
}

}  // namespace mixup::sweep
