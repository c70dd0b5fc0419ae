# Figure 2: train/test loss per epoch of the run trained on L_mix (exact, Eq. 1) and of the run
# trained on its approximation (Eq. 3), each under its own loss; dotted: the exact L_mix of the
# approximately trained run (train set).
# Variables: files (space-separated CSVs, one per model), titles (model names), pngfile.
set terminal pngcairo size 1200,450 font ",10"
set output pngfile
set datafile separator ","
set key top right noenhanced
set xlabel "epoch"
set ylabel "loss"
n = words(files)
set multiplot layout 1, n
do for [k = 1:n] {
  set title word(titles, k) noenhanced
  plot word(files, k) using 1:2 with lines lw 2 lc rgb "#1f77b4" title "L_mix run: L_mix train", \
       ''            using 1:3 with lines lw 2 dt 2 lc rgb "#1f77b4" title "L_mix run: L_mix test", \
       ''            using 1:4 with lines lw 2 lc rgb "#d62728" title "approx run: approx train", \
       ''            using 1:5 with lines lw 2 dt 2 lc rgb "#d62728" title "approx run: approx test", \
       ''            using 1:6 with lines lw 1 dt 3 lc rgb "#d62728" title "approx run: L_mix train"
}
unset multiplot
