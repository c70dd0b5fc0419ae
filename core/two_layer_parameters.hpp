#pragma once
// The parameters shared by the two-layer models f(x) = theta1^T s(W x + b) + theta0 (ReluTwoLayer,
// SmoothTwoLayer; core/models.hpp): their shape check and their flattening, in the order
// parameters() promises: [W column by column; b; theta1; theta0].  Internal to core/.

#include <Eigen/Core>

namespace mixup::two_layer {

// Throws DomainError, naming `model`, unless W is non-empty and b, theta1 have W.rows() entries.
void require_shapes(const char* model, const Eigen::MatrixXd& W, const Eigen::VectorXd& b,
                    const Eigen::VectorXd& theta1);

// m d + 2 m + 1 for W of m rows and d columns.
Eigen::Index parameter_count(const Eigen::MatrixXd& W);

Eigen::VectorXd flatten(const Eigen::MatrixXd& W, const Eigen::VectorXd& b,
                        const Eigen::VectorXd& theta1, double theta0);

// The inverse of flatten for parameters of the shapes already held; theta must have
// parameter_count(W) entries (the caller checks).
void assign(const Eigen::VectorXd& theta, Eigen::MatrixXd& W, Eigen::VectorXd& b,
            Eigen::VectorXd& theta1, double& theta0);

}  // namespace mixup::two_layer
