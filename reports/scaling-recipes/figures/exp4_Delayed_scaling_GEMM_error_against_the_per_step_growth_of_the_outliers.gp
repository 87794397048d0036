# floatscope report figure: Delayed scaling: GEMM error against the per-step growth of the outliers
# Data: exp4_Delayed_scaling_GEMM_error_against_the_per_step_growth_of_the_outliers.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot exp4_Delayed_scaling_GEMM_error_against_the_per_step_growth_of_the_outliers.gp
set terminal svg size 900,700 dynamic noenhanced font "sans,12" background rgb "white"
set output 'exp4_Delayed_scaling_GEMM_error_against_the_per_step_growth_of_the_outliers.svg'
set title "Delayed scaling: GEMM error against the per-step growth of the outliers"
set grid
set logscale y 10
set format y "%.0e"
set xlabel "outlier growth per step"
set ylabel "normwise and componentwise (|A||B|) error, quantisation included"
set key below left Left reverse maxcols 1
plot 'exp4_Delayed_scaling_GEMM_error_against_the_per_step_growth_of_the_outliers.dat' index 0 using 1:2 with linespoints lw 2 dt 1 lc rgb "#1f77b4" pt 7 title "normwise_rel_err: dist=outliers:0.01:1", \
     '' index 1 using 1:2 with linespoints lw 2 dt 1 lc rgb "#d62728" pt 5 title "normwise_rel_err: dist=outliers:0.01:10", \
     '' index 2 using 1:2 with linespoints lw 2 dt 1 lc rgb "#2ca02c" pt 9 title "normwise_rel_err: dist=outliers:0.01:100", \
     '' index 3 using 1:2 with linespoints lw 2 dt 1 lc rgb "#9467bd" pt 11 title "normwise_rel_err: dist=outliers:0.01:1000", \
     '' index 4 using 1:2 with linespoints lw 2 dt 1 lc rgb "#ff7f0e" pt 13 title "normwise_rel_err: dist=outliers:0.01:10000", \
     '' index 5 using 1:2 with linespoints lw 2 dt 2 lc rgb "#1f77b4" pt 7 title "max_err_over_absprod: dist=outliers:0.01:1", \
     '' index 6 using 1:2 with linespoints lw 2 dt 2 lc rgb "#d62728" pt 5 title "max_err_over_absprod: dist=outliers:0.01:10", \
     '' index 7 using 1:2 with linespoints lw 2 dt 2 lc rgb "#2ca02c" pt 9 title "max_err_over_absprod: dist=outliers:0.01:100", \
     '' index 8 using 1:2 with linespoints lw 2 dt 2 lc rgb "#9467bd" pt 11 title "max_err_over_absprod: dist=outliers:0.01:1000", \
     '' index 9 using 1:2 with linespoints lw 2 dt 2 lc rgb "#ff7f0e" pt 13 title "max_err_over_absprod: dist=outliers:0.01:10000"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,700 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,700 noenhanced
}
set output 'exp4_Delayed_scaling_GEMM_error_against_the_per_step_growth_of_the_outliers.png'
replot
unset output
