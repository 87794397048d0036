# floatscope report figure: fp32 accumulator: error / (|A||B|) against K for each input format
# Data: exp1_fp32_accumulator_error_A_B_against_K_for_each_input_format.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot exp1_fp32_accumulator_error_A_B_against_K_for_each_input_format.gp
set terminal svg size 900,660 dynamic noenhanced font "sans,12" background rgb "white"
set output 'exp1_fp32_accumulator_error_A_B_against_K_for_each_input_format.svg'
set title "fp32 accumulator: error / (|A||B|) against K for each input format"
set grid
set logscale x 2
set logscale y 10
set format y "%.0e"
set xlabel "K"
set ylabel "max |C - C_exact| / (|A||B|) (median of 2 repeats)"
set key below left Left reverse maxcols 1
plot 'exp1_fp32_accumulator_error_A_B_against_K_for_each_input_format.dat' index 0 using 1:2 with linespoints lw 2 dt 1 lc rgb "#1f77b4" pt 7 title "a_format=fp32, dist=normal", \
     '' index 1 using 1:2 with linespoints lw 2 dt 1 lc rgb "#d62728" pt 5 title "a_format=fp32, dist=uniform01", \
     '' index 2 using 1:2 with linespoints lw 2 dt 1 lc rgb "#2ca02c" pt 9 title "a_format=fp16, dist=normal", \
     '' index 3 using 1:2 with linespoints lw 2 dt 1 lc rgb "#9467bd" pt 11 title "a_format=fp16, dist=uniform01", \
     '' index 4 using 1:2 with linespoints lw 2 dt 1 lc rgb "#ff7f0e" pt 13 title "a_format=bf16, dist=normal", \
     '' index 5 using 1:2 with linespoints lw 2 dt 1 lc rgb "#17becf" pt 15 title "a_format=bf16, dist=uniform01", \
     '' index 6 using 1:2 with linespoints lw 2 dt 1 lc rgb "#8c564b" pt 7 title "a_format=e4m3, dist=normal", \
     '' index 7 using 1:2 with linespoints lw 2 dt 1 lc rgb "#e377c2" pt 5 title "a_format=e4m3, dist=uniform01"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,660 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,660 noenhanced
}
set output 'exp1_fp32_accumulator_error_A_B_against_K_for_each_input_format.png'
replot
unset output
