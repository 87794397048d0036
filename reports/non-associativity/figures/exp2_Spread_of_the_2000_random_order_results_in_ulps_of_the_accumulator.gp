# floatscope report figure: Spread of the 2000 random-order results, in ulps of the accumulator
# Data: exp2_Spread_of_the_2000_random_order_results_in_ulps_of_the_accumulator.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot exp2_Spread_of_the_2000_random_order_results_in_ulps_of_the_accumulator.gp
set terminal svg size 900,560 dynamic noenhanced font "sans,12" background rgb "white"
set output 'exp2_Spread_of_the_2000_random_order_results_in_ulps_of_the_accumulator.svg'
set title "Spread of the 2000 random-order results, in ulps of the accumulator"
set grid
set logscale x 2
set logscale y 10
set format y "%.0e"
set xlabel "K"
set ylabel "largest - smallest result (ulps)"
set key below left Left reverse maxcols 1
plot 'exp2_Spread_of_the_2000_random_order_results_in_ulps_of_the_accumulator.dat' index 0 using 1:2 with linespoints lw 2 dt 1 lc rgb "#1f77b4" pt 7 title "acc_format=fp32", \
     '' index 1 using 1:2 with linespoints lw 2 dt 1 lc rgb "#d62728" pt 5 title "acc_format=bf16", \
     '' index 2 using 1:2 with linespoints lw 2 dt 1 lc rgb "#2ca02c" pt 9 title "acc_format=fp16"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,560 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,560 noenhanced
}
set output 'exp2_Spread_of_the_2000_random_order_results_in_ulps_of_the_accumulator.png'
replot
unset output
