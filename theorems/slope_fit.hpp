#pragma once
// The order of a remainder: the least-squares slope of log |error| against log s, fitted on the
// smallest usable scales of a perturbation-scale experiment (Lemmas 3.1 and 3.3).

#include <cmath>
#include <cstddef>
#include <vector>

namespace mixup {

struct SlopeFit {
  double slope = std::nan("");
  std::vector<double> s;  // the scales fitted on, in the order taken (smallest last given first)
  std::vector<double> error;  // their errors
  bool fitted() const { return !std::isnan(slope); }
};

// Fits on the `count` last entries of (s, error) (the smallest scales when s is descending);
// at least 3 points are needed, otherwise the fit is left unfitted (slope NaN).
SlopeFit fit_slope(const std::vector<double>& s, const std::vector<double>& error,
                   std::size_t count);

}  // namespace mixup
