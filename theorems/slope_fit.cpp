#include "theorems/slope_fit.hpp"

namespace mixup {

SlopeFit fit_slope(const std::vector<double>& s, const std::vector<double>& error,
                   std::size_t count) {
  SlopeFit fit;
  for (std::size_t k = s.size(); k-- > 0 && fit.s.size() < count;) {
    fit.s.push_back(s[k]);
    fit.error.push_back(error[k]);
  }
  if (fit.s.size() < 3) return fit;
  double mx = 0.0;
  double my = 0.0;
  for (std::size_t k = 0; k < fit.s.size(); ++k) {
    mx += std::log(fit.s[k]);
    my += std::log(fit.error[k]);
  }
  mx /= static_cast<double>(fit.s.size());
  my /= static_cast<double>(fit.s.size());
  double sxy = 0.0;
  double sxx = 0.0;
  for (std::size_t k = 0; k < fit.s.size(); ++k) {
    const double dx = std::log(fit.s[k]) - mx;
    sxy += dx * (std::log(fit.error[k]) - my);
    sxx += dx * dx;
  }
  fit.slope = sxy / sxx;
  return fit;
}

}  // namespace mixup
