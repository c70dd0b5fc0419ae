#pragma once
// The model JSON format of DESIGN.md:
//   {"type": "linear",    "theta": [...], "bias": x (optional)}
//   {"type": "relu2",     "W": [[...], ...], "b": [...], "theta1": [...], "theta0": x}
//   {"type": "relu_deep", "weights": [W1, ..., WL], "beta": [...]}
//   {"type": "smooth2",   "activation": "softplus" | "tanh", "W": ..., "b": ..., "theta1": ...,
//                         "theta0": x}
// Unknown keys, missing keys, wrong types and inconsistent shapes are InputErrors that name the
// file and the key ("model.json: key 'W[2]': expected 4 numbers, got 3").

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/models.hpp"

namespace mixup::io {

std::unique_ptr<Model> read_model_json(const std::string& path);
std::unique_ptr<Model> model_from_json(const nlohmann::json& spec, const std::string& path);
nlohmann::json model_to_json(const Model& model);

}  // namespace mixup::io
