# floatscope report figure: Zero-mean data: normwise relative error against K
# Data: exp2_Zero_mean_data_normwise_relative_error_against_K.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot exp2_Zero_mean_data_normwise_relative_error_against_K.gp
set terminal svg size 900,620 dynamic noenhanced font "sans,12" background rgb "white"
set output 'exp2_Zero_mean_data_normwise_relative_error_against_K.svg'
set title "Zero-mean data: normwise relative error against K"
set grid
set logscale x 2
set logscale y 10
set format y "%.0e"
set xlabel "K"
set ylabel "||C - C_exact||_F / ||C_exact||_F (median of 3 repeats)"
set key below left Left reverse maxcols 1
plot 'exp2_Zero_mean_data_normwise_relative_error_against_K.dat' index 0 using 1:2 with linespoints lw 2 dt 1 lc rgb "#1f77b4" pt 7 title "backend=cpu, model=h100-fp8, promote=-1, acc_format=e8m13/rtz", \
     '' index 1 using 1:2 with linespoints lw 2 dt 1 lc rgb "#d62728" pt 5 title "backend=cpu, model=h100-fp8, promote=32, acc_format=e8m13/rtz", \
     '' index 2 using 1:2 with linespoints lw 2 dt 1 lc rgb "#2ca02c" pt 9 title "backend=cpu, model=h100-fp8, promote=64, acc_format=e8m13/rtz", \
     '' index 3 using 1:2 with linespoints lw 2 dt 1 lc rgb "#9467bd" pt 11 title "backend=cpu, model=h100-fp8, promote=128, acc_format=e8m13/rtz", \
     '' index 4 using 1:2 with linespoints lw 2 dt 1 lc rgb "#ff7f0e" pt 13 title "backend=cpu, model=h100-fp8, promote=256, acc_format=e8m13/rtz", \
     '' index 5 using 1:2 with linespoints lw 2 dt 1 lc rgb "#17becf" pt 15 title "backend=cpu, model=custom, promote=-1, acc_format=fp32"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,620 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,620 noenhanced
}
set output 'exp2_Zero_mean_data_normwise_relative_error_against_K.png'
replot
unset output
