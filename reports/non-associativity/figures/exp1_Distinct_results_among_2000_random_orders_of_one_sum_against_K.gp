# floatscope report figure: Distinct results among 2000 random orders of one sum, against K
# Data: exp1_Distinct_results_among_2000_random_orders_of_one_sum_against_K.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot exp1_Distinct_results_among_2000_random_orders_of_one_sum_against_K.gp
set terminal svg size 900,560 dynamic noenhanced font "sans,12" background rgb "white"
set output 'exp1_Distinct_results_among_2000_random_orders_of_one_sum_against_K.svg'
set title "Distinct results among 2000 random orders of one sum, against K"
set grid
set logscale x 2
set logscale y 10
set format y "%.0e"
set xlabel "K"
set ylabel "distinct results (max over the 2 outputs; median of 2 repeats)"
set key below left Left reverse maxcols 1
plot 'exp1_Distinct_results_among_2000_random_orders_of_one_sum_against_K.dat' index 0 using 1:2 with linespoints lw 2 dt 1 lc rgb "#1f77b4" pt 7 title "acc_format=fp32", \
     '' index 1 using 1:2 with linespoints lw 2 dt 1 lc rgb "#d62728" pt 5 title "acc_format=bf16", \
     '' index 2 using 1:2 with linespoints lw 2 dt 1 lc rgb "#2ca02c" pt 9 title "acc_format=fp16"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,560 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,560 noenhanced
}
set output 'exp1_Distinct_results_among_2000_random_orders_of_one_sum_against_K.png'
replot
unset output
