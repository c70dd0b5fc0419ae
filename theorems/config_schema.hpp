#pragma once
// Config files are JSON objects whose keys a claim declares in a schema: type, range or choices,
// default, and one line of help.  resolve() fills in defaults and refuses, before any work
// starts, an unknown key, a wrong type or an out-of-range value, with a message that names the
// source, the key path and what is allowed:
//   configs/lemma-3.1.json: alphas[2]: expected a number > 0, got -1

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mixup {

enum class ParamType {
  kNumber,
  kInteger,
  kBoolean,
  kString,
  kNumberList,
  kIntegerList,
  kStringList
};

struct ParamSpec {
  std::string key;
  ParamType type = ParamType::kNumber;
  nlohmann::json default_value;
  std::string help;
  std::optional<double> lower;  // bound on numbers (each element for lists)
  bool lower_inclusive = true;
  std::optional<double> upper;
  bool upper_inclusive = true;
  std::vector<std::string> choices;  // for strings (each element for lists); empty: any

  // Bounds and choices, chained: param("n", ParamType::kInteger, 100, "samples").at_least(2).
  ParamSpec above(double x) const;
  ParamSpec at_least(double x) const;
  ParamSpec below(double x) const;
  ParamSpec at_most(double x) const;
  ParamSpec one_of(std::vector<std::string> allowed) const;
};

ParamSpec param(std::string key, ParamType type, nlohmann::json default_value, std::string help);

class ConfigSchema {
 public:
  ConfigSchema() = default;
  explicit ConfigSchema(std::vector<ParamSpec> params) : params_(std::move(params)) {}

  // Defaults overlaid by `user` (an object); throws InputError naming source and key path.
  nlohmann::json resolve(const nlohmann::json& user, const std::string& source) const;
  // Applies "key=value" overrides (value parsed as JSON, else taken as a string) to `user`.
  static void apply_override(nlohmann::json& user, const std::string& assignment,
                             const std::string& source);

  const std::vector<ParamSpec>& params() const { return params_; }
  const ParamSpec* find(const std::string& key) const;
  nlohmann::json defaults() const;
  // "key (type, range): help" lines, for --help and the docs.
  std::string describe() const;

 private:
  std::vector<ParamSpec> params_;
};

// Validates one value against a spec; throws InputError "source: path: expected ..., got ...".
void validate_param(const ParamSpec& spec, const nlohmann::json& value, const std::string& source,
                    const std::string& path);

}  // namespace mixup
