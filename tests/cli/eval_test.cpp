// End-to-end specification of `mixup-verify eval`: the quantities it reports, its refusal of
// bad input (one line naming the file and row or key, exit status 2), and thread independence.
#include <cmath>
#include <iomanip>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/data.hpp"
#include "core/mixing.hpp"
#include "tests/support/cli_runner.hpp"

namespace mixup {
namespace {

using testing::CliResult;
using testing::count_lines;
using testing::run_cli;

std::string data_file(const std::string& name) {
  return std::string(MIXUP_TEST_DATA_DIR) + "/" + name;
}

CliResult eval(const std::string& data, const std::string& model,
               const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"eval", "--data", data, "--model", model};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_cli(args);
}

// Every refusal: exit status 2, nothing on stdout, exactly one line on stderr that contains each
// of the given fragments.
void expect_refusal(const CliResult& r, const std::vector<std::string>& fragments) {
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  for (const auto& fragment : fragments) {
    EXPECT_NE(r.err.find(fragment), std::string::npos)
        << "missing '" << fragment << "' in: " << r.err;
  }
}

TEST(Eval, ReportsTheFoundationQuantities) {
  const CliResult r = eval(data_file("eval_small.csv"), data_file("linear_d3.json"),
                           {"--alpha", "0.5", "--beta", "2"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["n"], 4);
  EXPECT_EQ(j["d"], 3);
  for (const char* key :
       {"c_x", "b_x", "in_Theta", "m1", "m2", "q", "standard_loss", "R_i_min", "R_i_median",
        "eps_mix", "adversarial_loss_exact", "adversarial_loss_approx"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["q"], "inf") << "q diverges for alpha = 0.5 <= 1";
  EXPECT_DOUBLE_EQ(j["m1"].get<double>(), dtilde_m1(0.5, 2.0));
  // theta = (1, 0.5, -0.25): x^T theta = 1.875, -1.3125, 1.5, -2.5 with labels 1, 0, 1, 0.
  EXPECT_EQ(j["in_Theta"], true);
  // c_x = min |x_i| / sqrt(d): the smallest row is (-1, -0.5, 0.25), |x| = sqrt(1.3125).
  EXPECT_NEAR(j["c_x"].get<double>(), std::sqrt(1.3125 / 3.0), 1e-15);
  // Lemma 3.1 (a): the two forms of the mixup loss agree (logistic loss is linear in y).
  EXPECT_NEAR(j["mixup_loss"].get<double>(), j["mixup_loss_dtilde"].get<double>(),
              1e-12 * j["mixup_loss"].get<double>());
  EXPECT_DOUBLE_EQ(j["approx_mixup_loss"].get<double>(),
                   j["standard_loss"].get<double>() + j["R1"].get<double>() +
                       j["R2"].get<double>() + j["R3"].get<double>());
}

// Section 3.2 at radius eps sqrt(d), recomputed here from the data file's four rows:
// theta = (1, 0.5, -0.25), u = x^T theta = 1.875, -1.3125, 1.5, -2.5 with labels 1, 0, 1, 0.
TEST(Eval, ReportsTheAdversarialQuantitiesAtRadiusEpsSqrtD) {
  const CliResult r = eval(data_file("eval_small.csv"), data_file("linear_d3.json"),
                           {"--eps", "0.1", "--alpha", "2", "--beta", "3"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const double u[] = {1.875, -1.3125, 1.5, -2.5};
  const double y[] = {1.0, 0.0, 1.0, 0.0};
  const double theta_norm = std::sqrt(1.0 + 0.25 + 0.0625);
  const double radius = 0.1 * std::sqrt(3.0);
  const auto loss = [](double v, double label) { return std::log1p(std::exp(v)) - label * v; };
  double exact = 0.0;
  double approx = 0.0;
  for (int i = 0; i < 4; ++i) {
    // Convex in u: the maximum over the ball is at u +/- radius |theta|.
    exact +=
        std::max(loss(u[i] + radius * theta_norm, y[i]), loss(u[i] - radius * theta_norm, y[i])) /
        4.0;
    const double g = 1.0 / (1.0 + std::exp(-u[i]));  // Eq. (5)
    approx += (loss(u[i], y[i]) + radius * std::abs(g - y[i]) * theta_norm +
               0.5 * radius * radius * g * (1.0 - g) * theta_norm * theta_norm) /
              4.0;
  }
  // Sums of four O(1) terms computed in a different order: 1e-14 relative is ~50 eps.
  EXPECT_NEAR(j["adversarial_loss_exact"].get<double>(), exact, 1e-14 * exact);
  EXPECT_NEAR(j["adversarial_loss_approx"].get<double>(), approx, 1e-14 * approx);
  EXPECT_LE(j["adversarial_loss_pgd"].get<double>(), exact * (1.0 + 1e-14));
  EXPECT_NEAR(j["eps_mix"].get<double>(),
              j["R_i_min"].get<double>() * j["c_x"].get<double>() * dtilde_m1(2.0, 3.0), 1e-15);
  // No exact value for a deep ReLU net: null, with a note naming the field.
  const CliResult deep = eval(data_file("eval_small.csv"), data_file("relu_deep_d3.json"));
  ASSERT_EQ(deep.status, 0) << deep.err;
  const auto k = nlohmann::json::parse(deep.out);
  EXPECT_TRUE(k["adversarial_loss_exact"].is_null());
  EXPECT_NE(k["notes"].dump().find("adversarial_loss_exact"), std::string::npos) << k["notes"];
}

TEST(Eval, RefusesARaggedCsvNamingTheLine) {
  expect_refusal(eval(data_file("ragged.csv"), data_file("linear_d3.json")),
                 {"ragged.csv:2:", "expected 4 columns", "got 3"});
}

TEST(Eval, RefusesANonNumericCellNamingLineAndColumn) {
  expect_refusal(eval(data_file("non_numeric.csv"), data_file("linear_d3.json")),
                 {"non_numeric.csv:2:", "column 2", "'abc' is not a number"});
}

TEST(Eval, RefusesNaNAndInf) {
  expect_refusal(eval(data_file("nan_cell.csv"), data_file("linear_d3.json")),
                 {"nan_cell.csv:3:", "column 2", "not finite"});
  expect_refusal(eval(data_file("inf_cell.csv"), data_file("linear_d3.json")),
                 {"inf_cell.csv:1:", "column 3", "not finite"});
}

TEST(Eval, RefusesALabelOutsideZeroOneForLogisticLoss) {
  expect_refusal(eval(data_file("bad_label.csv"), data_file("linear_d3.json")),
                 {"bad_label.csv:3:", "label 2", "logistic", "0 or 1"});
}

TEST(Eval, RefusesAMissingFile) {
  expect_refusal(eval(data_file("no_such_file.csv"), data_file("linear_d3.json")),
                 {"no_such_file.csv", "cannot open"});
  expect_refusal(eval(data_file("eval_small.csv"), data_file("no_such_model.json")),
                 {"no_such_model.json", "cannot open"});
}

TEST(Eval, RefusesAModelWhoseInputDimensionDiffersFromTheData) {
  expect_refusal(eval(data_file("eval_small.csv"), data_file("linear_d2.json")),
                 {"linear_d2.json", "dimension 2", "eval_small.csv", "3 feature columns"});
}

TEST(Eval, RefusesMalformedModelJson) {
  expect_refusal(eval(data_file("eval_small.csv"), data_file("malformed.json")),
                 {"malformed.json", "malformed JSON"});
  expect_refusal(eval(data_file("eval_small.csv"), data_file("ragged_W.json")),
                 {"ragged_W.json", "key 'W[1]'", "expected 3 numbers"});
  expect_refusal(eval(data_file("eval_small.csv"), data_file("unknown_key.json")),
                 {"unknown_key.json", "key 'gamma'", "unknown key"});
}

TEST(Eval, RefusesANegativeAlpha) {
  expect_refusal(eval(data_file("eval_small.csv"), data_file("linear_d3.json"), {"--alpha", "-1"}),
                 {"--alpha", "> 0", "-1"});
}

TEST(Eval, AcceptsADeepReluModel) {
  const CliResult r = eval(data_file("eval_small.csv"), data_file("relu_deep_d3.json"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["model"], "relu_deep");
}

// The same eval at 1 and 2 OpenMP threads prints the same bytes.  The data spans many reduction
// blocks (600 rows) so that a thread-dependent summation order would show.
TEST(Eval, OutputIsByteIdenticalAtOneAndTwoThreads) {
  const std::string dir = testing::make_temp_dir("eval-threads");
  const Dataset moons = make_two_moons(600, 0.1, 7);
  std::ostringstream csv;
  csv << std::setprecision(17);
  for (Eigen::Index i = 0; i < moons.n(); ++i) {
    csv << moons.X(i, 0) << "," << moons.X(i, 1) << "," << moons.y(i) << "\n";
  }
  testing::write_text_file(dir + "/moons.csv", csv.str());
  testing::write_text_file(dir + "/model.json", R"({"type": "relu2", "W": [[1.3, -0.7], [0.4, 2.1],
      [-1.1, 0.3]], "b": [0.1, -0.2, 0.05], "theta1": [0.9, -1.2, 0.7], "theta0": 0.01})");
  const std::vector<std::string> args = {
      "eval",    "--data", dir + "/moons.csv", "--model", dir + "/model.json",
      "--alpha", "2",      "--beta",           "3"};
  const CliResult one = run_cli(args, {"OMP_NUM_THREADS=1"});
  const CliResult two = run_cli(args, {"OMP_NUM_THREADS=2"});
  ASSERT_EQ(one.status, 0) << one.err;
  ASSERT_EQ(two.status, 0) << two.err;
  EXPECT_EQ(one.out, two.out);
}

TEST(Cli, HelpExitsZeroAndUnknownCommandExitsTwo) {
  EXPECT_EQ(run_cli({"--help"}).status, 0);
  EXPECT_EQ(run_cli({"eval", "--help"}).status, 0);
  EXPECT_EQ(run_cli({"frobnicate"}).status, 2);
  EXPECT_EQ(run_cli({"eval"}).status, 2) << "missing --data and --model";
}

TEST(Cli, ListNamesEveryClaimAndFigureOfTheDesign) {
  const CliResult r = run_cli({"list"});
  ASSERT_EQ(r.status, 0);
  for (const char* id :
       {"lemma-3.1", "lemma-3.2", "lemma-3.3", "lemma-3.4", "theorem-3.1", "theorem-3.2",
        "theorem-3.3", "theorem-3.4", "theorem-3.5", "corollary-3.1", "theorem-b.1", "fig2", "fig3",
        "fig4", "fig1a-fashion", "fig1b-fashion", "lemma-3.1-fashion"}) {
    EXPECT_NE(("\n" + r.out).find(std::string("\n") + id + " "), std::string::npos) << id;
  }
}

}  // namespace
}  // namespace mixup
