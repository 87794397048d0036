# floatscope report figure: Relative error of the computed sum against K
# Data: exp2_Relative_error_of_the_computed_sum_against_K.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot exp2_Relative_error_of_the_computed_sum_against_K.gp
set terminal svg size 900,620 dynamic noenhanced font "sans,12" background rgb "white"
set output 'exp2_Relative_error_of_the_computed_sum_against_K.svg'
set title "Relative error of the computed sum against K"
set grid
set logscale x 2
set logscale y 10
set format y "%.0e"
set xlabel "K"
set ylabel "|computed - exact| / exact (mean over seeds)"
set key below left Left reverse maxcols 1
plot 'exp2_Relative_error_of_the_computed_sum_against_K.dat' index 0 using 1:2 with linespoints lw 2 dt 1 lc rgb "#1f77b4" pt 7 title "a_format=fp16, rounding=rne", \
     '' index 1 using 1:2 with linespoints lw 2 dt 1 lc rgb "#d62728" pt 5 title "a_format=fp16, rounding=sr", \
     '' index 2 using 1:2 with linespoints lw 2 dt 1 lc rgb "#2ca02c" pt 9 title "a_format=bf16, rounding=rne", \
     '' index 3 using 1:2 with linespoints lw 2 dt 1 lc rgb "#9467bd" pt 11 title "a_format=bf16, rounding=sr", \
     '' index 4 using 1:2 with linespoints lw 2 dt 1 lc rgb "#ff7f0e" pt 13 title "a_format=fp32, rounding=rne", \
     '' index 5 using 1:2 with linespoints lw 2 dt 1 lc rgb "#17becf" pt 15 title "a_format=fp32, rounding=sr"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,620 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,620 noenhanced
}
set output 'exp2_Relative_error_of_the_computed_sum_against_K.png'
replot
unset output
