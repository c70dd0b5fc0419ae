# Figure 1b / Figures 5-8 on Fashion-MNIST: the generalization gap (test - train) per epoch, loss
# (top row) and error (bottom row), one column per model; ERM blue, mixup red; solid without
# augmentation, dashed with.
# Variables: csvfile (CSV: epoch, then for each model, augmentation and objective (erm, mixup),
# in that nesting order, the six columns train_loss, train_error, test_loss, test_error,
# loss_gap, error_gap), models (model names in CSV order), panels (a title per model, no
# spaces), augmentations (likewise), pngfile.
set terminal pngcairo size 1400,850 font ",10"
set output pngfile
set datafile separator ","
set key top left noenhanced
set grid
nm = words(models)
na = words(augmentations)
# Column of quantity q (1..6) of model k, augmentation a, objective o (1 = ERM, 2 = mixup).
col(k, a, o, q) = 1 + 6 * (((k - 1) * na + (a - 1)) * 2 + (o - 1)) + q
colour(o) = o == 1 ? "#1f77b4" : "#d62728"
objective(o) = o == 1 ? "ERM" : "mixup"
set multiplot layout 2, nm
set xlabel "epoch"
do for [k = 1:nm] {
  set title word(panels, k) . ": loss gap (test - train)" noenhanced
  set ylabel "loss gap"
  plot for [a = 1:na] for [o = 1:2] csvfile skip 1 using 1:(column(col(k, a, o, 5))) \
       with lines lw 2 lc rgb colour(o) dt a title objective(o) . ", " . word(augmentations, a)
}
do for [k = 1:nm] {
  set title word(panels, k) . ": error gap (test - train)" noenhanced
  set ylabel "error gap"
  plot for [a = 1:na] for [o = 1:2] csvfile skip 1 using 1:(column(col(k, a, o, 6))) \
       with lines lw 2 lc rgb colour(o) dt a title objective(o) . ", " . word(augmentations, a)
}
unset multiplot
