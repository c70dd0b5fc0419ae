#include "theorems/claim_models.hpp"

#include "core/errors.hpp"

namespace mixup {

Dataset make_dataset(const DatasetSpec& spec) {
  if (spec.name == "two-moons") return make_two_moons(spec.n, spec.noise, spec.seed);
  if (spec.name == "gaussian") return make_gaussian_half_space(spec.n, spec.d, spec.seed);
  throw DomainError("unknown data set '" + spec.name + "' (expected two-moons or gaussian)");
}

std::unique_ptr<Model> make_model(const ModelSpec& spec) {
  std::unique_ptr<Model> model;
  if (spec.name == "linear") {
    model = std::make_unique<LinearModel>(random_linear(spec.d, spec.seed));
  } else if (spec.name == "smooth2") {
    model = std::make_unique<SmoothTwoLayer>(
        random_smooth_two_layer(SmoothActivation::kSoftplus, spec.d, spec.hidden, spec.seed));
  } else if (spec.name == "relu2") {
    model = std::make_unique<ReluTwoLayer>(random_relu_two_layer(spec.d, spec.hidden, spec.seed));
  } else if (spec.name == "relu_deep") {
    model =
        std::make_unique<ReluDeep>(random_relu_deep(spec.d, {spec.hidden, spec.hidden}, spec.seed));
  } else {
    throw DomainError("unknown model '" + spec.name +
                      "' (expected linear, smooth2, relu2 or relu_deep)");
  }
  if (spec.weight_scale != 1.0) model->set_parameters(spec.weight_scale * model->parameters());
  return model;
}

}  // namespace mixup
