#include "theorems/config_schema.hpp"

#include <cmath>
#include <sstream>

#include "core/errors.hpp"

namespace mixup {
namespace {

std::string type_name(ParamType type) {
  switch (type) {
    case ParamType::kNumber:
      return "a number";
    case ParamType::kInteger:
      return "an integer";
    case ParamType::kBoolean:
      return "true or false";
    case ParamType::kString:
      return "a string";
    case ParamType::kNumberList:
      return "a non-empty list of numbers";
    case ParamType::kIntegerList:
      return "a non-empty list of integers";
    case ParamType::kStringList:
      return "a non-empty list of strings";
  }
  return "a value";
}

std::string range_text(const ParamSpec& spec) {
  std::ostringstream text;
  if (spec.lower && spec.upper) {
    text << "in " << (spec.lower_inclusive ? "[" : "(") << *spec.lower << ", " << *spec.upper
         << (spec.upper_inclusive ? "]" : ")");
  } else if (spec.lower) {
    text << (spec.lower_inclusive ? ">= " : "> ") << *spec.lower;
  } else if (spec.upper) {
    text << (spec.upper_inclusive ? "<= " : "< ") << *spec.upper;
  }
  if (!spec.choices.empty()) {
    text << "one of";
    for (std::size_t k = 0; k < spec.choices.size(); ++k) {
      text << (k ? ", " : " ") << '"' << spec.choices[k] << '"';
    }
  }
  return text.str();
}

std::string expectation(const ParamSpec& spec) {
  const bool list = spec.type == ParamType::kNumberList || spec.type == ParamType::kIntegerList ||
                    spec.type == ParamType::kStringList;
  const std::string range = range_text(spec);
  std::string text = type_name(spec.type);
  if (!range.empty()) text += (list ? ", each " : " ") + range;
  return text;
}

[[noreturn]] void refuse(const ParamSpec& spec, const nlohmann::json& value,
                         const std::string& source, const std::string& path) {
  throw InputError(source + ": " + path + ": expected " + expectation(spec) + ", got " +
                   value.dump());
}

bool scalar_ok(const ParamSpec& spec, ParamType scalar, const nlohmann::json& value) {
  switch (scalar) {
    case ParamType::kNumber:
    case ParamType::kInteger: {
      if (!value.is_number()) return false;
      const double x = value.get<double>();
      if (!std::isfinite(x)) return false;
      if (scalar == ParamType::kInteger && !value.is_number_integer()) return false;
      if (spec.lower && (spec.lower_inclusive ? x < *spec.lower : x <= *spec.lower)) return false;
      if (spec.upper && (spec.upper_inclusive ? x > *spec.upper : x >= *spec.upper)) return false;
      return true;
    }
    case ParamType::kBoolean:
      return value.is_boolean();
    case ParamType::kString: {
      if (!value.is_string()) return false;
      if (spec.choices.empty()) return true;
      for (const auto& c : spec.choices) {
        if (value.get<std::string>() == c) return true;
      }
      return false;
    }
    default:
      return false;
  }
}

ParamType element_type(ParamType type) {
  switch (type) {
    case ParamType::kNumberList:
      return ParamType::kNumber;
    case ParamType::kIntegerList:
      return ParamType::kInteger;
    case ParamType::kStringList:
      return ParamType::kString;
    default:
      return type;
  }
}

}  // namespace

ParamSpec param(std::string key, ParamType type, nlohmann::json default_value, std::string help) {
  ParamSpec spec;
  spec.key = std::move(key);
  spec.type = type;
  spec.default_value = std::move(default_value);
  spec.help = std::move(help);
  return spec;
}

ParamSpec ParamSpec::above(double x) const {
  ParamSpec spec = *this;
  spec.lower = x;
  spec.lower_inclusive = false;
  return spec;
}

ParamSpec ParamSpec::at_least(double x) const {
  ParamSpec spec = *this;
  spec.lower = x;
  spec.lower_inclusive = true;
  return spec;
}

ParamSpec ParamSpec::below(double x) const {
  ParamSpec spec = *this;
  spec.upper = x;
  spec.upper_inclusive = false;
  return spec;
}

ParamSpec ParamSpec::at_most(double x) const {
  ParamSpec spec = *this;
  spec.upper = x;
  spec.upper_inclusive = true;
  return spec;
}

ParamSpec ParamSpec::one_of(std::vector<std::string> allowed) const {
  ParamSpec spec = *this;
  spec.choices = std::move(allowed);
  return spec;
}

void validate_param(const ParamSpec& spec, const nlohmann::json& value, const std::string& source,
                    const std::string& path) {
  const ParamType element = element_type(spec.type);
  if (element == spec.type) {
    if (!scalar_ok(spec, spec.type, value)) refuse(spec, value, source, path);
    return;
  }
  if (!value.is_array() || value.empty()) refuse(spec, value, source, path);
  ParamSpec element_spec = spec;  // "alphas[1]: expected a number > 0", not "a list ..."
  element_spec.type = element;
  for (std::size_t k = 0; k < value.size(); ++k) {
    if (!scalar_ok(spec, element, value[k])) {
      refuse(element_spec, value[k], source, path + "[" + std::to_string(k) + "]");
    }
  }
}

const ParamSpec* ConfigSchema::find(const std::string& key) const {
  for (const auto& p : params_) {
    if (p.key == key) return &p;
  }
  return nullptr;
}

nlohmann::json ConfigSchema::defaults() const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& p : params_) out[p.key] = p.default_value;
  return out;
}

nlohmann::json ConfigSchema::resolve(const nlohmann::json& user, const std::string& source) const {
  if (!user.is_object()) {
    throw InputError(source + ": expected a JSON object of config keys, got " +
                     std::string(user.type_name()));
  }
  nlohmann::json resolved = defaults();
  for (const auto& item : user.items()) {
    const ParamSpec* spec = find(item.key());
    if (spec == nullptr) {
      std::string keys;
      for (const auto& p : params_) keys += (keys.empty() ? "" : ", ") + p.key;
      throw InputError(source + ": " + item.key() + ": unknown key (allowed keys: " + keys + ")");
    }
    validate_param(*spec, item.value(), source, item.key());
    resolved[item.key()] = item.value();
  }
  return resolved;
}

void ConfigSchema::apply_override(nlohmann::json& user, const std::string& assignment,
                                  const std::string& source) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw InputError(source + ": expected key=value, got '" + assignment + "'");
  }
  const std::string key = assignment.substr(0, eq);
  const std::string text = assignment.substr(eq + 1);
  nlohmann::json value;
  try {
    value = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error&) {
    value = text;  // a bare word is a string
  }
  user[key] = value;
}

std::string ConfigSchema::describe() const {
  std::ostringstream text;
  for (const auto& p : params_) {
    text << "  " << p.key << " (" << expectation(p) << "; default " << p.default_value.dump()
         << "): " << p.help << "\n";
  }
  return text.str();
}

}  // namespace mixup
