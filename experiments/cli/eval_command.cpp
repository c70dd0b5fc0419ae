// `mixup-verify eval`: every quantity of one theta on one dataset, as JSON on stdout.
#include <cmath>
#include <ostream>

#include <nlohmann/json.hpp>

#include "core/adversarial.hpp"
#include "core/data.hpp"
#include "core/errors.hpp"
#include "core/input_geometry.hpp"
#include "core/losses.hpp"
#include "core/mixing.hpp"
#include "core/mixup.hpp"
#include "core/models.hpp"
#include "experiments/cli/commands.hpp"
#include "experiments/io/csv_data.hpp"
#include "experiments/io/json_output.hpp"
#include "experiments/io/model_json.hpp"

namespace mixup::cli {
namespace {

void require_positive(double value, const char* option) {
  if (!(value > 0.0) || !std::isfinite(value)) {
    throw InputError(std::string(option) + ": expected a finite number > 0, got " +
                     nlohmann::json(value).dump());
  }
}

void require_labels(const io::CsvDataset& csv, LossKind loss) {
  for (Eigen::Index i = 0; i < csv.data.n(); ++i) {
    if (!label_is_valid(loss, csv.data.y(i))) {
      throw InputError(csv.path + ":" +
                       std::to_string(csv.line_of_row[static_cast<std::size_t>(i)]) + ": label " +
                       nlohmann::json(csv.data.y(i)).dump() + " is not valid for the " +
                       to_string(loss) + " loss (expected " + allowed_labels(loss) + ")");
    }
  }
}

void require_matching_dimension(const Model& model, const io::CsvDataset& csv,
                                const std::string& model_path) {
  if (model.input_dim() != csv.data.d()) {
    throw InputError(model_path + ": the " + model.type() + " model takes inputs of dimension " +
                     std::to_string(model.input_dim()) + ", but " + csv.path + " has " +
                     std::to_string(csv.data.d()) + " feature columns");
  }
}

// Section 3.2 at radius eta = eps sqrt(d): eps_mix (Theorem 3.1), the exact adversarial loss
// where it is computable (linear models: closed form; two-layer ReLU nets on 2-d inputs:
// line-arrangement enumeration), its second-order approximation (Eq. 5 / Eq. 6) and the PGD
// lower bound (default PgdOptions, seed 0).
void add_adversarial_quantities(const Model& model, LossKind loss, const Dataset& data,
                                const EvalOptions& options, nlohmann::json& result,
                                nlohmann::json& notes) {
  const MixingLaw law{options.alpha, options.beta};
  const double eps_mix_value = eps_mix(model, data, law);
  result["eps_mix"] = io::json_number(eps_mix_value);
  if (std::isnan(eps_mix_value)) {
    notes.push_back("eps_mix: every cosine R_i is undefined (grad f(x_i) = 0 or x_i = 0)");
  }
  const double radius = options.eps * std::sqrt(static_cast<double>(data.d()));
  result["adversarial_radius"] = io::json_number(radius);
  if (const auto* linear = dynamic_cast<const LinearModel*>(&model)) {
    result["adversarial_loss_exact"] =
        io::json_number(exact_adversarial_loss_linear(*linear, loss, data, radius).loss);
  } else if (const auto* net = dynamic_cast<const ReluTwoLayer*>(&model); net && data.d() == 2) {
    result["adversarial_loss_exact"] =
        io::json_number(relu_two_layer_exact_adversarial_loss_2d(*net, loss, data, radius).loss);
    notes.push_back(
        "adversarial_loss_exact: two-layer ReLU net on 2-d inputs, exact by enumerating the "
        "cells of the units' switching lines in each ball");
  } else {
    result["adversarial_loss_exact"] = nullptr;
    notes.push_back(
        "adversarial_loss_exact: available for linear models (closed form) and "
        "two-layer ReLU nets on 2-d inputs; for this " +
        model.type() + " model see adversarial_loss_pgd, a lower bound");
  }
  result["adversarial_loss_approx"] =
      io::json_number(approx_adversarial_loss(model, loss, data, radius));
  result["adversarial_loss_pgd"] =
      io::json_number(pgd_adversarial_loss(model, loss, data, radius).loss);
}

}  // namespace

int run_eval(const EvalOptions& options, std::ostream& out) {
  require_positive(options.alpha, "--alpha");
  require_positive(options.beta, "--beta");
  if (!(options.eps >= 0.0) || !std::isfinite(options.eps)) {
    throw InputError("--eps: expected a finite number >= 0, got " +
                     nlohmann::json(options.eps).dump());
  }
  const LossKind loss = parse_loss_kind(options.loss);
  const io::CsvDataset csv = io::read_csv_dataset(options.data_path);
  const std::unique_ptr<Model> model = io::read_model_json(options.model_path);
  require_matching_dimension(*model, csv, options.model_path);
  require_labels(csv, loss);

  const Dataset& data = csv.data;
  nlohmann::json result;
  nlohmann::json notes = nlohmann::json::array();
  result["n"] = data.n();
  result["d"] = data.d();
  result["model"] = model->type();
  result["loss"] = to_string(loss);
  result["alpha"] = options.alpha;
  result["beta"] = options.beta;
  result["c_x"] = io::json_number(c_x(data.X));
  result["b_x"] = io::json_number(b_x(data.X));
  result["centered"] = is_centered(data.X, 1e-12);
  if (loss == LossKind::kLogistic) {
    result["in_Theta"] = in_theta(*model, data.X, data.y);
  } else {
    result["in_Theta"] = nullptr;
    notes.push_back(
        "in_Theta: Theta (Theorem 3.1) is defined for labels in {0, 1} (logistic loss)");
  }
  // D~ moments (Lemma 3.1): q is "inf" exactly when alpha <= 1 or beta <= 1.
  result["m1"] = io::json_number(dtilde_m1(options.alpha, options.beta));
  result["m2"] = io::json_number(dtilde_m2(options.alpha, options.beta));
  result["q"] = io::json_number(dtilde_q(options.alpha, options.beta));
  if (std::isinf(dtilde_q(options.alpha, options.beta))) {
    notes.push_back("q: E[(1-lam)^2/lam^2] under D~ diverges unless alpha > 1 and beta > 1");
  }
  result["standard_loss"] = io::json_number(standard_loss(*model, loss, data.X, data.y));
  // Lemma 3.1: the exact mixup loss (Eq. 1), its D~ form (Eq. 9) and the approximation (Eq. 3).
  const MixingLaw law{options.alpha, options.beta};
  result["mixup_loss"] = io::json_number(exact_mixup_loss(*model, loss, data, law));
  result["mixup_loss_dtilde"] = io::json_number(exact_mixup_loss_dtilde(*model, loss, data, law));
  const QuadraticApproximation approx = approximate_mixup_loss(*model, loss, data, law);
  result["R1"] = io::json_number(approx.R1);
  result["R2"] = io::json_number(approx.R2);
  result["R3"] = io::json_number(approx.R3);
  result["approx_mixup_loss"] = io::json_number(approx.total());
  const CosineSummary cosines = summarize_cosines(input_gradient_cosines(*model, data.X));
  result["R_i_min"] = io::json_number(cosines.min);
  result["R_i_median"] = io::json_number(cosines.median);
  result["R_i_undefined"] = cosines.undefined;
  if (cosines.undefined > 0) {
    notes.push_back("R_i: " + std::to_string(cosines.undefined) +
                    " samples have grad f(x_i) = 0 or x_i = 0, where the cosine is undefined; "
                    "min and median are over the other samples");
  }
  add_adversarial_quantities(*model, loss, data, options, result, notes);
  result["notes"] = notes;
  out << result.dump(2) << "\n";
  return kExitSuccess;
}

}  // namespace mixup::cli
