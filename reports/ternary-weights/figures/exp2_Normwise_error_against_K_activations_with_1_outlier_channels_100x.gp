# floatscope report figure: Normwise error against K, activations with 1% outlier channels (100x)
# Data: exp2_Normwise_error_against_K_activations_with_1_outlier_channels_100x.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot exp2_Normwise_error_against_K_activations_with_1_outlier_channels_100x.gp
set terminal svg size 900,600 dynamic noenhanced font "sans,12" background rgb "white"
set output 'exp2_Normwise_error_against_K_activations_with_1_outlier_channels_100x.svg'
set title "Normwise error against K, activations with 1% outlier channels (100x)"
set grid
set logscale x 2
set logscale y 10
set format y "%.0e"
set xlabel "K"
set ylabel "normwise relative error"
set key below left Left reverse maxcols 1
plot 'exp2_Normwise_error_against_K_activations_with_1_outlier_channels_100x.dat' index 0 using 1:2 with linespoints lw 2 dt 1 lc rgb "#1f77b4" pt 7 title "scheme=bitnet-a8+bitnet-w1.58, a_format=e1m6:bias=-5,specials=none", \
     '' index 1 using 1:2 with linespoints lw 2 dt 1 lc rgb "#d62728" pt 5 title "scheme=bitnet-a8, a_format=e1m6:bias=-5,specials=none", \
     '' index 2 using 1:2 with linespoints lw 2 dt 1 lc rgb "#2ca02c" pt 9 title "scheme=fp8-tensor, a_format=e4m3", \
     '' index 3 using 1:2 with linespoints lw 2 dt 1 lc rgb "#9467bd" pt 11 title "scheme=fp8-row, a_format=e4m3", \
     '' index 4 using 1:2 with linespoints lw 2 dt 1 lc rgb "#ff7f0e" pt 13 title "scheme=none, a_format=bf16"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,600 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,600 noenhanced
}
set output 'exp2_Normwise_error_against_K_activations_with_1_outlier_channels_100x.png'
replot
unset output
