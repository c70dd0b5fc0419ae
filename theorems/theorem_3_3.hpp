#pragma once
// Theorem 3.3 (appendix A.2.4, B.2): for nets with f(x_i) = grad f(x_i)^T x_i and
// hess f(x_i) = 0 (bias-free ReLU nets), |x_i| >= c_x sqrt(d) and theta in Theta,
//   L~_mix(theta, S) >= (1/n) sum_i l~_adv(eps_i sqrt d) >= (1/n) sum_i l~_adv(eps_mix sqrt d)
// with Eq. (6)'s l~_adv and R_i = |cos(grad f(x_i), x_i)|.
// Config keys: configs/theorem-3.3.json (theorem_3_3_schema() is the single source of defaults).
// Data sets by name as in theorem 3.1 (theorems/robustness_chain.hpp); models "relu2" (the
// bias-free two-layer net beta^T relu(W x), i.e. ReluTwoLayer with b = 0 and theta0 = 0, trained
// as a one-hidden-layer ReluDeep so that no bias appears) and "relu_deep" (two hidden layers).

#include <string>

#include <Eigen/Core>

#include "core/models.hpp"
#include "theorems/claim_report.hpp"
#include "theorems/config_schema.hpp"
#include "theorems/registry.hpp"

namespace mixup {

ConfigSchema theorem_3_3_schema();
ClaimReport check_theorem_3_3(const RunContext& context);

// The identities of appendix B.2, probed at one input, for the check and its tests:
//   homogeneity_defect = |f(x) - grad f(x)^T x| / absolute_output(x);
//   curvature_defect   = max over the probe directions u of
//                        |f(x + h u) - 2 f(x) + f(x - h u)| / absolute_output(x), h = step |x|,
//                        over the directions whose segment [x - h u, x + h u] crosses no kink
//                        (ReLU sign patterns equal and non-zero at both ends: then every layer's
//                        pre-activations are affine along the segment, by induction on layers);
//   absolute_output(x) = the net evaluated with |weights|, |biases| and |x| (every unit active):
//                        it bounds the sum of the magnitudes of the terms f adds up, so rounding
//                        in f or grad f^T x is a few (d + widths) eps of it.
// Directions: the d coordinate axes and `random_directions` unit vectors from `engine`.
struct IdentityProbe {
  double homogeneity_defect = 0.0;
  double curvature_defect = 0.0;
  int directions_probed = 0;
  int directions_skipped = 0;  // segments that cross a kink
};
IdentityProbe probe_identities(const Model& model, const Eigen::VectorXd& x, double step,
                               int random_directions, std::uint64_t seed, std::uint64_t index);
double absolute_output(const Model& model, const Eigen::VectorXd& x);

}  // namespace mixup
