# floatscope report figure: Measured error over the bounds (fp16 accumulator, rne, sequential)
# Data: exp3_Measured_error_over_the_bounds_fp16_accumulator_rne_sequential.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot exp3_Measured_error_over_the_bounds_fp16_accumulator_rne_sequential.gp
set terminal svg size 900,580 dynamic noenhanced font "sans,12" background rgb "white"
set output 'exp3_Measured_error_over_the_bounds_fp16_accumulator_rne_sequential.svg'
set title "Measured error over the bounds (fp16 accumulator, rne, sequential)"
set grid
set logscale x 2
set logscale y 10
set format y "%.0e"
set xlabel "K"
set ylabel "error / bound (solid: gamma_K, dashed: sqrt(K) u)"
set key below left Left reverse maxcols 1
plot 'exp3_Measured_error_over_the_bounds_fp16_accumulator_rne_sequential.dat' index 0 using 1:2 with linespoints lw 2 dt 1 lc rgb "#1f77b4" pt 7 title "ratio_det: dist=normal", \
     '' index 1 using 1:2 with linespoints lw 2 dt 1 lc rgb "#d62728" pt 5 title "ratio_det: dist=uniform01", \
     '' index 2 using 1:2 with linespoints lw 2 dt 2 lc rgb "#1f77b4" pt 7 title "ratio_prob: dist=normal", \
     '' index 3 using 1:2 with linespoints lw 2 dt 2 lc rgb "#d62728" pt 5 title "ratio_prob: dist=uniform01"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,580 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,580 noenhanced
}
set output 'exp3_Measured_error_over_the_bounds_fp16_accumulator_rne_sequential.png'
replot
unset output
