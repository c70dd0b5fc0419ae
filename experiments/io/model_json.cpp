#include "experiments/io/model_json.hpp"

#include <fstream>
#include <set>
#include <vector>

#include "core/errors.hpp"

namespace mixup::io {
namespace {

using nlohmann::json;

class SpecReader {
 public:
  SpecReader(const json& spec, std::string path) : spec_(spec), path_(std::move(path)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw InputError(path_ + ": key '" + key + "': " + what);
  }

  void require_only(const std::set<std::string>& allowed) const {
    for (const auto& item : spec_.items()) {
      if (!allowed.count(item.key())) {
        std::string list;
        for (const auto& k : allowed) list += (list.empty() ? "" : ", ") + k;
        fail(item.key(), "unknown key for model type '" + spec_.value("type", "") +
                             "' (allowed keys: " + list + ")");
      }
    }
  }

  const json& at(const std::string& key) const {
    if (!spec_.contains(key)) fail(key, "missing");
    return spec_.at(key);
  }

  double number(const std::string& key) const { return number_at(at(key), key); }

  Eigen::VectorXd vector(const std::string& key) const { return vector_at(at(key), key); }

  Eigen::MatrixXd matrix(const std::string& key) const { return matrix_at(at(key), key); }

  double number_at(const json& value, const std::string& key) const {
    if (!value.is_number()) fail(key, "expected a number, got " + std::string(value.type_name()));
    const double x = value.get<double>();
    if (!std::isfinite(x)) fail(key, "expected a finite number");
    return x;
  }

  Eigen::VectorXd vector_at(const json& value, const std::string& key) const {
    if (!value.is_array() || value.empty()) fail(key, "expected a non-empty array of numbers");
    Eigen::VectorXd v(static_cast<Eigen::Index>(value.size()));
    for (std::size_t k = 0; k < value.size(); ++k) {
      v(static_cast<Eigen::Index>(k)) = number_at(value[k], key + "[" + std::to_string(k) + "]");
    }
    return v;
  }

  Eigen::MatrixXd matrix_at(const json& value, const std::string& key) const {
    if (!value.is_array() || value.empty()) {
      fail(key, "expected a matrix: a non-empty array of rows, each an array of numbers");
    }
    const auto rows = static_cast<Eigen::Index>(value.size());
    Eigen::MatrixXd m;
    for (Eigen::Index r = 0; r < rows; ++r) {
      const std::string row_key = key + "[" + std::to_string(r) + "]";
      const Eigen::VectorXd row = vector_at(value[static_cast<std::size_t>(r)], row_key);
      if (r == 0) m.resize(rows, row.size());
      if (row.size() != m.cols()) {
        fail(row_key, "expected " + std::to_string(m.cols()) + " numbers (the length of " + key +
                          "[0]), got " + std::to_string(row.size()));
      }
      m.row(r) = row.transpose();
    }
    return m;
  }

  void require_length(const std::string& key, const Eigen::VectorXd& v, Eigen::Index expected,
                      const std::string& why) const {
    if (v.size() != expected) {
      fail(key, "expected " + std::to_string(expected) + " entries (" + why + "), got " +
                    std::to_string(v.size()));
    }
  }

 private:
  const json& spec_;
  std::string path_;
};

std::unique_ptr<Model> linear_from(const SpecReader& r, const json& spec) {
  r.require_only({"type", "theta", "bias"});
  const Eigen::VectorXd theta = r.vector("theta");
  if (spec.contains("bias")) return std::make_unique<LinearModel>(theta, true, r.number("bias"));
  return std::make_unique<LinearModel>(theta);
}

// W, b, theta1, theta0 of a two-layer net, with b and theta1 checked against the rows of W.
struct TwoLayerArrays {
  Eigen::MatrixXd W;
  Eigen::VectorXd b;
  Eigen::VectorXd theta1;
  double theta0;
};

TwoLayerArrays two_layer_arrays(const SpecReader& r) {
  TwoLayerArrays a{r.matrix("W"), r.vector("b"), r.vector("theta1"), r.number("theta0")};
  r.require_length("b", a.b, a.W.rows(), "one per row of W");
  r.require_length("theta1", a.theta1, a.W.rows(), "one per row of W");
  return a;
}

std::unique_ptr<Model> relu2_from(const SpecReader& r) {
  r.require_only({"type", "W", "b", "theta1", "theta0"});
  TwoLayerArrays a = two_layer_arrays(r);
  return std::make_unique<ReluTwoLayer>(std::move(a.W), std::move(a.b), std::move(a.theta1),
                                        a.theta0);
}

std::unique_ptr<Model> relu_deep_from(const SpecReader& r) {
  r.require_only({"type", "weights", "beta"});
  const json& layers = r.at("weights");
  if (!layers.is_array() || layers.empty()) {
    r.fail("weights", "expected a non-empty array of matrices W1, ..., WL");
  }
  std::vector<Eigen::MatrixXd> weights;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const std::string key = "weights[" + std::to_string(l) + "]";
    weights.push_back(r.matrix_at(layers[l], key));
    if (l > 0 && weights[l].cols() != weights[l - 1].rows()) {
      r.fail(key, "expected " + std::to_string(weights[l - 1].rows()) +
                      " columns (the rows of weights[" + std::to_string(l - 1) + "]), got " +
                      std::to_string(weights[l].cols()));
    }
  }
  const Eigen::VectorXd beta = r.vector("beta");
  r.require_length("beta", beta, weights.back().rows(), "one per row of the last weight matrix");
  return std::make_unique<ReluDeep>(std::move(weights), beta);
}

std::unique_ptr<Model> smooth2_from(const SpecReader& r) {
  r.require_only({"type", "activation", "W", "b", "theta1", "theta0"});
  const json& name = r.at("activation");
  SmoothActivation activation = SmoothActivation::kSoftplus;
  if (name == "softplus") {
    activation = SmoothActivation::kSoftplus;
  } else if (name == "tanh") {
    activation = SmoothActivation::kTanh;
  } else {
    r.fail("activation", "expected \"softplus\" or \"tanh\", got " + name.dump());
  }
  TwoLayerArrays a = two_layer_arrays(r);
  return std::make_unique<SmoothTwoLayer>(activation, std::move(a.W), std::move(a.b),
                                          std::move(a.theta1), a.theta0);
}

json matrix_to_json(const Eigen::MatrixXd& m) {
  json rows = json::array();
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    json row = json::array();
    for (Eigen::Index c = 0; c < m.cols(); ++c) row.push_back(m(r, c));
    rows.push_back(row);
  }
  return rows;
}

json vector_to_json(const Eigen::VectorXd& v) {
  return json(std::vector<double>(v.data(), v.data() + v.size()));
}

}  // namespace

std::unique_ptr<Model> model_from_json(const json& spec, const std::string& path) {
  if (!spec.is_object()) throw InputError(path + ": expected a JSON object describing a model");
  const SpecReader r(spec, path);
  const json& type = r.at("type");
  if (type == "linear") return linear_from(r, spec);
  if (type == "relu2") return relu2_from(r);
  if (type == "relu_deep") return relu_deep_from(r);
  if (type == "smooth2") return smooth2_from(r);
  r.fail("type",
         "expected one of \"linear\", \"relu2\", \"relu_deep\", \"smooth2\", got " + type.dump());
}

std::unique_ptr<Model> read_model_json(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw InputError(path + ": cannot open the model file (does it exist?)");
  json spec;
  try {
    file >> spec;
  } catch (const json::parse_error& e) {
    throw InputError(path + ": malformed JSON: " + e.what());
  }
  return model_from_json(spec, path);
}

json model_to_json(const Model& model) {
  if (const auto* linear = dynamic_cast<const LinearModel*>(&model)) {
    json out = {{"type", "linear"}, {"theta", vector_to_json(linear->theta())}};
    if (linear->has_bias()) out["bias"] = linear->bias();
    return out;
  }
  if (const auto* relu2 = dynamic_cast<const ReluTwoLayer*>(&model)) {
    return {{"type", "relu2"},
            {"W", matrix_to_json(relu2->W())},
            {"b", vector_to_json(relu2->b())},
            {"theta1", vector_to_json(relu2->theta1())},
            {"theta0", relu2->theta0()}};
  }
  if (const auto* deep = dynamic_cast<const ReluDeep*>(&model)) {
    json weights = json::array();
    for (const auto& W : deep->weights()) weights.push_back(matrix_to_json(W));
    return {{"type", "relu_deep"}, {"weights", weights}, {"beta", vector_to_json(deep->beta())}};
  }
  const auto& smooth = dynamic_cast<const SmoothTwoLayer&>(model);
  return {{"type", "smooth2"},
          {"activation", smooth.activation() == SmoothActivation::kTanh ? "tanh" : "softplus"},
          {"W", matrix_to_json(smooth.W())},
          {"b", vector_to_json(smooth.b())},
          {"theta1", vector_to_json(smooth.theta1())},
          {"theta0", smooth.theta0()}};
}

}  // namespace mixup::io
