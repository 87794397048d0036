# floatscope report figure: GEMM error against the outlier channels' magnitude, per recipe
# Data: exp1_GEMM_error_against_the_outlier_channels_magnitude_per_recipe.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot exp1_GEMM_error_against_the_outlier_channels_magnitude_per_recipe.gp
set terminal svg size 900,660 dynamic noenhanced font "sans,12" background rgb "white"
set output 'exp1_GEMM_error_against_the_outlier_channels_magnitude_per_recipe.svg'
set title "GEMM error against the outlier channels' magnitude, per recipe"
set grid
set logscale x 2
set logscale y 10
set format y "%.0e"
set xlabel "outlier channel factor (1% of the K channels of A)"
set ylabel "normwise relative error, quantisation included (median of 3)"
set key below left Left reverse maxcols 1
plot 'exp1_GEMM_error_against_the_outlier_channels_magnitude_per_recipe.dat' index 0 using 1:2 with linespoints lw 2 dt 1 lc rgb "#1f77b4" pt 7 title "scheme=fp8-tensor", \
     '' index 1 using 1:2 with linespoints lw 2 dt 1 lc rgb "#d62728" pt 5 title "scheme=fp8-row", \
     '' index 2 using 1:2 with linespoints lw 2 dt 1 lc rgb "#2ca02c" pt 9 title "scheme=fp8-tile1x128+fp8-block128x128", \
     '' index 3 using 1:2 with linespoints lw 2 dt 1 lc rgb "#9467bd" pt 11 title "scheme=mxfp8-e4m3, scale_rule=floor", \
     '' index 4 using 1:2 with linespoints lw 2 dt 1 lc rgb "#ff7f0e" pt 13 title "scheme=mxfp8-e4m3, scale_rule=rceil", \
     '' index 5 using 1:2 with linespoints lw 2 dt 1 lc rgb "#17becf" pt 15 title "scheme=mxfp4, scale_rule=floor", \
     '' index 6 using 1:2 with linespoints lw 2 dt 1 lc rgb "#8c564b" pt 7 title "scheme=mxfp4, scale_rule=rceil", \
     '' index 7 using 1:2 with linespoints lw 2 dt 1 lc rgb "#e377c2" pt 5 title "scheme=nvfp4"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,660 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,660 noenhanced
}
set output 'exp1_GEMM_error_against_the_outlier_channels_magnitude_per_recipe.png'
replot
unset output
