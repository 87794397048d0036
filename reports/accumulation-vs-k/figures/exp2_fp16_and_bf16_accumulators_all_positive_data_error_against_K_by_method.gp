# floatscope report figure: fp16 and bf16 accumulators, all-positive data: error against K by method
# Data: exp2_fp16_and_bf16_accumulators_all_positive_data_error_against_K_by_method.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot exp2_fp16_and_bf16_accumulators_all_positive_data_error_against_K_by_method.gp
set terminal svg size 900,700 dynamic noenhanced font "sans,12" background rgb "white"
set output 'exp2_fp16_and_bf16_accumulators_all_positive_data_error_against_K_by_method.svg'
set title "fp16 and bf16 accumulators, all-positive data: error against K by method"
set grid
set logscale x 2
set logscale y 10
set format y "%.0e"
set xlabel "K"
set ylabel "max |C - C_exact| / (|A||B|)"
set key below left Left reverse maxcols 1
plot 'exp2_fp16_and_bf16_accumulators_all_positive_data_error_against_K_by_method.dat' index 0 using 1:2 with linespoints lw 2 dt 1 lc rgb "#1f77b4" pt 7 title "acc_format=fp16, rounding=rne, order=sequential, compensation=none", \
     '' index 1 using 1:2 with linespoints lw 2 dt 1 lc rgb "#d62728" pt 5 title "acc_format=bf16, rounding=rne, order=sequential, compensation=none", \
     '' index 2 using 1:2 with linespoints lw 2 dt 1 lc rgb "#2ca02c" pt 9 title "acc_format=fp16, rounding=sr, order=sequential, compensation=none", \
     '' index 3 using 1:2 with linespoints lw 2 dt 1 lc rgb "#9467bd" pt 11 title "acc_format=bf16, rounding=sr, order=sequential, compensation=none", \
     '' index 4 using 1:2 with linespoints lw 2 dt 1 lc rgb "#ff7f0e" pt 13 title "acc_format=fp16, rounding=rne, order=pairwise, compensation=none", \
     '' index 5 using 1:2 with linespoints lw 2 dt 1 lc rgb "#17becf" pt 15 title "acc_format=fp16, rounding=rne, order=blocked:32, compensation=none", \
     '' index 6 using 1:2 with linespoints lw 2 dt 1 lc rgb "#8c564b" pt 7 title "acc_format=bf16, rounding=rne, order=pairwise, compensation=none", \
     '' index 7 using 1:2 with linespoints lw 2 dt 1 lc rgb "#e377c2" pt 5 title "acc_format=bf16, rounding=rne, order=blocked:32, compensation=none", \
     '' index 8 using 1:2 with linespoints lw 2 dt 1 lc rgb "#7f7f7f" pt 9 title "acc_format=fp16, rounding=rne, order=sequential, compensation=kahan", \
     '' index 9 using 1:2 with linespoints lw 2 dt 1 lc rgb "#bcbd22" pt 11 title "acc_format=bf16, rounding=rne, order=sequential, compensation=kahan"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,700 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,700 noenhanced
}
set output 'exp2_fp16_and_bf16_accumulators_all_positive_data_error_against_K_by_method.png'
replot
unset output
