# floatscope report figure: Error against storage bits per weight, K = 4096: ternary (1.6), FP8 e4m3 per row (8), BF16 (16)
# Data: exp3_Error_against_storage_bits_per_weight_K_4096_ternary_1_6_FP8_e4m3_per_row_8_BF16_16.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot exp3_Error_against_storage_bits_per_weight_K_4096_ternary_1_6_FP8_e4m3_per_row_8_BF16_16.gp
set terminal svg size 900,560 dynamic noenhanced font "sans,12" background rgb "white"
set output 'exp3_Error_against_storage_bits_per_weight_K_4096_ternary_1_6_FP8_e4m3_per_row_8_BF16_16.svg'
set title "Error against storage bits per weight, K = 4096: ternary (1.6), FP8 e4m3 per row (8), BF16 (16)"
set grid
set logscale y 10
set format y "%.0e"
set xlabel "bits per weight element (scales included)"
set ylabel "normwise relative error"
set key below left Left reverse maxcols 1
plot 'exp3_Error_against_storage_bits_per_weight_K_4096_ternary_1_6_FP8_e4m3_per_row_8_BF16_16.dat' index 0 using 1:2 with linespoints lw 2 dt 1 lc rgb "#1f77b4" pt 7 title "dist=normal", \
     '' index 1 using 1:2 with linespoints lw 2 dt 1 lc rgb "#d62728" pt 5 title "dist=outliers:0.01:20", \
     '' index 2 using 1:2 with linespoints lw 2 dt 1 lc rgb "#2ca02c" pt 9 title "dist=outliers:0.01:100"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,560 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,560 noenhanced
}
set output 'exp3_Error_against_storage_bits_per_weight_K_4096_ternary_1_6_FP8_e4m3_per_row_8_BF16_16.png'
replot
unset output
