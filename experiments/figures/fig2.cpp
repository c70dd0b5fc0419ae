// Figure 2: training on the mixup loss L_mix (Eq. 1, exact) and on its quadratic approximation
// L~_mix (Eq. 3) from the same initialization, two-moons; train and test loss of each run under
// its own loss, per epoch.  The paper gives no (a, b), width or optimizer: the config states
// ours (full-batch gradient descent, a = b = 1, 16 hidden units by default).
#include <cmath>

#include "core/errors.hpp"
#include "core/mixup.hpp"
#include "core/training.hpp"
#include "experiments/figures/figures.hpp"
#include "theorems/claim_models.hpp"

namespace mixup::figures {
namespace {

struct Fig2Settings {
  Eigen::Index n_train;
  Eigen::Index n_test;
  int epochs;
};

Fig2Settings settings(const RunContext& context) {
  const auto& c = context.config;
  if (context.quick) return {30, 30, 15};
  return {c["n_train"].get<Eigen::Index>(), c["n_test"].get<Eigen::Index>(),
          c["epochs"].get<int>()};
}

Dataset rows_of(const Dataset& data, Eigen::Index begin, Eigen::Index count) {
  return {data.X.middleRows(begin, count), data.y.segment(begin, count)};
}

// One model: both runs, one CSV row per epoch.
std::vector<std::vector<double>> train_both(const Model& init, const Dataset& train,
                                            const Dataset& test, const TrainOptions& base) {
  std::vector<std::vector<double>> rows(static_cast<std::size_t>(base.epochs) + 1);
  TrainOptions exact = base;
  exact.objective = Objective::kExactMixup;
  std::unique_ptr<Model> model = init.clone();
  mixup::train(*model, train, exact, [&](int epoch, const Model& m) {
    auto& row = rows[static_cast<std::size_t>(epoch)];
    row = {static_cast<double>(epoch), exact_mixup_loss(m, base.loss, train, base.law),
           exact_mixup_loss(m, base.loss, test, base.law)};
  });
  TrainOptions approximate = base;
  approximate.objective = Objective::kApproximateMixup;
  model = init.clone();
  mixup::train(*model, train, approximate, [&](int epoch, const Model& m) {
    auto& row = rows[static_cast<std::size_t>(epoch)];
    row.push_back(approximate_mixup_loss(m, base.loss, train, base.law).total());
    row.push_back(approximate_mixup_loss(m, base.loss, test, base.law).total());
    // How the approximately trained model does on the exact mixup loss.
    row.push_back(exact_mixup_loss(m, base.loss, train, base.law));
  });
  return rows;
}

}  // namespace

ConfigSchema fig2_schema() {
  using T = ParamType;
  return ConfigSchema({
      param("seed", T::kInteger, 2, "seed of data and initialization").at_least(0),
      param("n_train", T::kInteger, 200, "two-moons training samples").at_least(2),
      param("n_test", T::kInteger, 200, "two-moons test samples").at_least(2),
      param("noise", T::kNumber, 0.1, "two-moons noise standard deviation").at_least(0.0),
      param("models", T::kStringList, {"linear", "relu2"}, "models")
          .one_of({"linear", "relu2", "smooth2"}),
      param("hidden", T::kInteger, 16, "hidden units").at_least(1),
      param("alpha", T::kNumber, 1.0, "mixing law Beta(alpha, beta)").above(0.0),
      param("beta", T::kNumber, 1.0, "mixing law Beta(alpha, beta)").above(0.0),
      param("epochs", T::kInteger, 200, "full-batch gradient steps").at_least(1),
      param("learning_rate", T::kNumber, 0.5, "gradient descent step").above(0.0),
      param("momentum", T::kNumber, 0.0, "heavy-ball momentum").at_least(0.0).below(1.0),
  });
}

ClaimReport run_fig2(const RunContext& context) {
  const auto& c = context.config;
  const Fig2Settings size = settings(context);
  const auto seed = c["seed"].get<std::uint64_t>();
  const Dataset all = make_two_moons(size.n_train + size.n_test, c["noise"].get<double>(), seed);
  const Dataset train_set = rows_of(all, 0, size.n_train);  // make_two_moons shuffles
  const Dataset test_set = rows_of(all, size.n_train, size.n_test);
  TrainOptions base;
  base.loss = LossKind::kLogistic;
  base.law = {c["alpha"].get<double>(), c["beta"].get<double>()};
  base.learning_rate = c["learning_rate"].get<double>();
  base.momentum = c["momentum"].get<double>();
  base.epochs = size.epochs;
  base.seed = seed;

  ClaimReport report;
  report.claim = "fig2";
  report.paper_ref = "Figure 2";
  report.statement = "training on L_mix and on L~_mix from the same initialization (two-moons)";
  Check finals;
  finals.name = "final losses (each run under its own loss)";
  finals.kind = "measurement";
  std::string files;
  std::string titles;
  for (const auto& name : c["models"].get<std::vector<std::string>>()) {
    ModelSpec spec;
    spec.name = name;
    spec.d = 2;
    spec.hidden = c["hidden"].get<Eigen::Index>();
    spec.seed = seed;
    const auto init = make_model(spec);
    const auto rows = train_both(*init, train_set, test_set, base);
    const std::string csv = context.out_dir + "/fig2_" + name + ".csv";
    write_csv(
        csv,
        {"epoch", "mix_train", "mix_test", "approx_train", "approx_test", "approx_run_mix_train"},
        rows);
    const auto& last = rows.back();
    finals.measured[name] = {{"mix_train", last[1]},
                             {"mix_test", last[2]},
                             {"approx_train", last[3]},
                             {"approx_test", last[4]},
                             {"approx_run_mix_train", last[5]}};
    report.figures.push_back({{"name", "fig2 " + name}, {"csv", csv}});
    files += (files.empty() ? "" : " ") + csv;
    titles += (titles.empty() ? "" : " ") + name;
  }
  report.checks.push_back(finals);
  const std::string png = context.out_dir + "/fig2.png";
  render_png("fig2", {{"files", files}, {"titles", titles}}, png);
  report.figures.push_back({{"name", "fig2"}, {"png", png}});
  return report;
}

}  // namespace mixup::figures
