# floatscope report figure: Delayed scaling: elements clamped against the per-step growth of the outliers (16-step history)
# Data: exp3_Delayed_scaling_elements_clamped_against_the_per_step_growth_of_the_outliers_16_step_history.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot exp3_Delayed_scaling_elements_clamped_against_the_per_step_growth_of_the_outliers_16_step_history.gp
set terminal svg size 900,600 dynamic noenhanced font "sans,12" background rgb "white"
set output 'exp3_Delayed_scaling_elements_clamped_against_the_per_step_growth_of_the_outliers_16_step_history.svg'
set title "Delayed scaling: elements clamped against the per-step growth of the outliers (16-step history)"
set grid
set xlabel "outlier growth per step"
set ylabel "clamped fraction of A and B"
set key below left Left reverse maxcols 1
plot 'exp3_Delayed_scaling_elements_clamped_against_the_per_step_growth_of_the_outliers_16_step_history.dat' index 0 using 1:2 with linespoints lw 2 dt 1 lc rgb "#1f77b4" pt 7 title "dist=outliers:0.01:1", \
     '' index 1 using 1:2 with linespoints lw 2 dt 1 lc rgb "#d62728" pt 5 title "dist=outliers:0.01:10", \
     '' index 2 using 1:2 with linespoints lw 2 dt 1 lc rgb "#2ca02c" pt 9 title "dist=outliers:0.01:100", \
     '' index 3 using 1:2 with linespoints lw 2 dt 1 lc rgb "#9467bd" pt 11 title "dist=outliers:0.01:1000", \
     '' index 4 using 1:2 with linespoints lw 2 dt 1 lc rgb "#ff7f0e" pt 13 title "dist=outliers:0.01:10000"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,600 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,600 noenhanced
}
set output 'exp3_Delayed_scaling_elements_clamped_against_the_per_step_growth_of_the_outliers_16_step_history.png'
replot
unset output
