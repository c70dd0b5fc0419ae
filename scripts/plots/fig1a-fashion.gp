# Figure 1a on Fashion-MNIST: robust accuracy under l_inf FGSM against the attack size eps, ERM
# and mixup (a = 5, b = 0.5); points are the mean over seeds, bars the min and max over seeds.
# Variables: csvfile (CSV: eps, then erm_mean, erm_std, erm_min, erm_max, mixup_mean, mixup_std,
# mixup_min, mixup_max), plottitle, mixuptitle (the key of the mixup curve), pngfile.
set terminal pngcairo size 900,600 font ",11"
set output pngfile
set datafile separator ","
set key top right noenhanced
set title plottitle noenhanced
set xlabel "FGSM attack size eps (l_inf, pixels in [0, 1])" noenhanced
set ylabel "robust test accuracy"
set yrange [0:1]
set grid
set offsets graph 0.02, graph 0.02, 0, 0
plot csvfile skip 1 using 1:2:4:5 with yerrorlines lw 2 pt 7 lc rgb "#1f77b4" title "ERM", \
     ''      skip 1 using 1:6:8:9 with yerrorlines lw 2 pt 5 lc rgb "#d62728" title mixuptitle
