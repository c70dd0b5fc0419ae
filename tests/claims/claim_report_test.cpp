// Specification of the claim report: verdicts follow from recorded margins, never from a flag.
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "theorems/claim_report.hpp"
#include "theorems/config_schema.hpp"

namespace mixup {
namespace {

Check inequality_check(double tolerance) {
  Check check;
  check.name = "lhs >= rhs";
  check.kind = "inequality";
  check.tolerance = tolerance;
  return check;
}

TEST(ClaimReport, VerdictIsVacuousWhenNoDecidingCheckHasAnInstance) {
  ClaimReport report;
  report.checks.push_back(inequality_check(0.0));
  Check measurement;
  measurement.kind = "measurement";
  measurement.record(-1.0, {});
  report.checks.push_back(measurement);
  EXPECT_EQ(report.verdict(), Verdict::kVacuous);
}

TEST(ClaimReport, VerdictFailsOnAViolationBeyondTheTolerance) {
  ClaimReport report;
  Check check = inequality_check(1e-12);
  EXPECT_TRUE(check.record(0.5, {{"i", 0}}));
  EXPECT_TRUE(check.record(-1e-13, {{"i", 1}})) << "within tolerance";
  EXPECT_FALSE(check.record(-1e-6, {{"i", 2}}));
  report.checks.push_back(check);
  EXPECT_EQ(report.verdict(), Verdict::kFails);
  EXPECT_EQ(check.violations, 1);
  EXPECT_EQ(check.worst["i"], 2) << "the witness is the instance with the least margin";
  EXPECT_DOUBLE_EQ(check.min_margin, -1e-6);
}

TEST(ClaimReport, VerdictHoldsWhenEveryInstanceHolds) {
  ClaimReport report;
  Check check = inequality_check(0.0);
  check.record(0.1, {});
  check.record(0.0, {});
  report.checks.push_back(check);
  EXPECT_EQ(report.verdict(), Verdict::kHolds);
}

TEST(ClaimReport, NaNMarginIsAViolation) {
  Check check = inequality_check(0.0);
  EXPECT_FALSE(check.record(std::numeric_limits<double>::quiet_NaN(), {{"i", 3}}));
  EXPECT_EQ(check.worst["i"], 3);
  EXPECT_TRUE(check.worst["margin"].is_null());
}

ConfigSchema example_schema() {
  return ConfigSchema({
      param("alphas", ParamType::kNumberList, {0.5, 1.0}, "Beta parameters a").above(0.0),
      param("dataset", ParamType::kString, "two-moons", "data set")
          .one_of({"two-moons", "gaussian"}),
      param("n", ParamType::kInteger, 100, "samples").at_least(2),
  });
}

TEST(ConfigSchema, FillsDefaults) {
  const auto resolved = example_schema().resolve({{"n", 7}}, "c.json");
  EXPECT_EQ(resolved["n"], 7);
  EXPECT_EQ(resolved["dataset"], "two-moons");
}

TEST(ConfigSchema, RefusesAnUnknownKeyNamingIt) {
  try {
    example_schema().resolve({{"nn", 7}}, "c.json");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("c.json: nn: unknown key"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("alphas"), std::string::npos) << "lists allowed keys";
  }
}

TEST(ConfigSchema, RefusesAnOutOfRangeListElementWithItsPath) {
  try {
    example_schema().resolve({{"alphas", {1.0, -1.0}}}, "c.json");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("c.json: alphas[1]: expected a number > 0, got -1"),
              std::string::npos)
        << e.what();
  }
}

TEST(ConfigSchema, RefusesWrongTypesAndChoices) {
  EXPECT_THROW(example_schema().resolve({{"n", 2.5}}, "c.json"), InputError);
  EXPECT_THROW(example_schema().resolve({{"n", "ten"}}, "c.json"), InputError);
  EXPECT_THROW(example_schema().resolve({{"dataset", "mnist"}}, "c.json"), InputError);
  EXPECT_THROW(example_schema().resolve(nlohmann::json::array(), "c.json"), InputError);
}

TEST(ConfigSchema, OverridesParseJsonValues) {
  nlohmann::json user = nlohmann::json::object();
  ConfigSchema::apply_override(user, "alphas=[2, 3]", "--set");
  ConfigSchema::apply_override(user, "dataset=gaussian", "--set");
  const auto resolved = example_schema().resolve(user, "--set");
  EXPECT_EQ(resolved["alphas"][1], 3);
  EXPECT_EQ(resolved["dataset"], "gaussian");
  EXPECT_THROW(ConfigSchema::apply_override(user, "novalue", "--set"), InputError);
}

}  // namespace
}  // namespace mixup
