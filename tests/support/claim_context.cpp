#include "tests/support/claim_context.hpp"

#include <fstream>
#include <stdexcept>

#include "tests/support/cli_runner.hpp"

namespace mixup::testing {

std::string default_config_path(const std::string& id) {
  return "configs/" + id + ".json";
}

nlohmann::json default_config_file(const std::string& id) {
  const std::string path = std::string(MIXUP_SOURCE_DIR) + "/" + default_config_path(id);
  std::ifstream file(path);
  if (!file.good()) throw std::runtime_error("cannot read " + path);
  return nlohmann::json::parse(file);
}

RunContext quick_context(const std::string& id, const ConfigSchema& schema,
                         const nlohmann::json& overrides, OutDir out_dir) {
  nlohmann::json user = default_config_file(id);
  if (!overrides.is_null()) user.update(overrides);  // update() refuses anything but an object
  RunContext context;
  context.config = schema.resolve(user, default_config_path(id));
  context.quick = true;
  if (out_dir == OutDir::kTemporary) context.out_dir = make_temp_dir(id);
  return context;
}

}  // namespace mixup::testing
