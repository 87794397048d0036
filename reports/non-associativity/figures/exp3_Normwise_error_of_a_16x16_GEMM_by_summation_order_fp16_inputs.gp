# floatscope report figure: Normwise error of a 16x16 GEMM by summation order (fp16 inputs)
# Data: exp3_Normwise_error_of_a_16x16_GEMM_by_summation_order_fp16_inputs.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot exp3_Normwise_error_of_a_16x16_GEMM_by_summation_order_fp16_inputs.gp
set terminal svg size 900,700 dynamic noenhanced font "sans,12" background rgb "white"
set output 'exp3_Normwise_error_of_a_16x16_GEMM_by_summation_order_fp16_inputs.svg'
set title "Normwise error of a 16x16 GEMM by summation order (fp16 inputs)"
set grid
set logscale x 2
set logscale y 10
set format y "%.0e"
set xlabel "K"
set ylabel "normwise relative error (fp32 accumulator)"
set key below left Left reverse maxcols 1
plot 'exp3_Normwise_error_of_a_16x16_GEMM_by_summation_order_fp16_inputs.dat' index 0 using 1:2 with linespoints lw 2 dt 1 lc rgb "#1f77b4" pt 7 title "acc_format=fp32, order=sequential", \
     '' index 1 using 1:2 with linespoints lw 2 dt 1 lc rgb "#d62728" pt 5 title "acc_format=fp32, order=reverse", \
     '' index 2 using 1:2 with linespoints lw 2 dt 1 lc rgb "#2ca02c" pt 9 title "acc_format=fp32, order=pairwise", \
     '' index 3 using 1:2 with linespoints lw 2 dt 1 lc rgb "#9467bd" pt 11 title "acc_format=fp32, order=blocked:32", \
     '' index 4 using 1:2 with linespoints lw 2 dt 1 lc rgb "#ff7f0e" pt 13 title "acc_format=fp32, order=splitk:4", \
     '' index 5 using 1:2 with linespoints lw 2 dt 1 lc rgb "#17becf" pt 15 title "acc_format=fp32, order=splitk:16", \
     '' index 6 using 1:2 with linespoints lw 2 dt 1 lc rgb "#8c564b" pt 7 title "acc_format=fp32, order=sequential, block_fma=4,24", \
     '' index 7 using 1:2 with linespoints lw 2 dt 1 lc rgb "#e377c2" pt 5 title "acc_format=fp32, order=sequential, block_fma=8,24", \
     '' index 8 using 1:2 with linespoints lw 2 dt 1 lc rgb "#7f7f7f" pt 9 title "acc_format=fp32, order=sequential, block_fma=16,24", \
     '' index 9 using 1:2 with linespoints lw 2 dt 1 lc rgb "#bcbd22" pt 11 title "acc_format=fp32, order=sequential, block_fma=32,24"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,700 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,700 noenhanced
}
set output 'exp3_Normwise_error_of_a_16x16_GEMM_by_summation_order_fp16_inputs.png'
replot
unset output
