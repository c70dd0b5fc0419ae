# Corollary 3.1: for each trained model (one column of the plot), the measured generalization gap
# (held-out loss minus training loss, bar to + 3 SE) against the bound and its two terms.
# Log scale: a gap <= 0 is drawn at the floor 1e-4 (open marker) with its + 3 SE end if positive.
# Variables: csvfile (header: rank,n,objective_index,theta_norm,gamma,rho,r,train_loss,test_loss,
# test_se,gap,complexity_term,confidence_term,bound; objective_index 0 erm, 1 sampled-mixup,
# 2 exact-mixup), pngfile.
set terminal pngcairo size 1200,520 font ",10"
set output pngfile
set datafile separator ","
# The header line names the columns; without this it would count as record 0 of $0.
set datafile columnheaders
set key top right noenhanced font ",9"
set logscale y
set yrange [1e-4:*]
set grid ytics
set xtics rotate by 30 right noenhanced
set ylabel "loss difference"
set title "Corollary 3.1: generalization gap vs bound (logistic GLM)" noenhanced
floor = 1e-4
stats csvfile using 14 nooutput
set xrange [-0.7:STATS_records - 0.3]
set bmargin 7
objective(k) = (k == 0) ? "erm" : (k == 1) ? "mixup" : "exact-mixup"
label(rank, n, k) = sprintf("r%d n%d %s", rank, n, objective(k))
plot csvfile using 0:14:xtic(label($1, $2, $3)) with points pt 9 ps 2 lc rgb "black" title "bound", \
     ''      using 0:12 with points pt 6 ps 1.5 lc rgb "#2ca02c" title "complexity term 2 L L_A r sqrt(rank/n)", \
     ''      using 0:13 with points pt 4 ps 1.5 lc rgb "#9467bd" title "confidence term B sqrt(log(1/delta)/2n)", \
     ''      using 0:($11 > 0 ? $11 : 1/0):($11 > 0 ? $11 : floor):($11 + 3*$10) with yerrorbars pt 7 ps 1.2 lc rgb "#d62728" title "gap (to + 3 SE)", \
     ''      using 0:($11 > 0 ? 1/0 : floor) with points pt 6 ps 1.2 lc rgb "#d62728" title "gap <= 0 (drawn at 1e-4)"
