# floatscope report figure: Gradients that became nonzero subnormals, loggrad 2^-40..2^0
# Data: exp2_Gradients_that_became_nonzero_subnormals_loggrad_2_40_2_0.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot exp2_Gradients_that_became_nonzero_subnormals_loggrad_2_40_2_0.gp
set terminal svg size 900,580 dynamic noenhanced font "sans,12" background rgb "white"
set output 'exp2_Gradients_that_became_nonzero_subnormals_loggrad_2_40_2_0.svg'
set title "Gradients that became nonzero subnormals, loggrad 2^-40..2^0"
set grid
set logscale y 10
set format y "%.0e"
set xlabel "log2 of the loss scale S"
set ylabel "fraction of A's elements"
set key below left Left reverse maxcols 1
plot 'exp2_Gradients_that_became_nonzero_subnormals_loggrad_2_40_2_0.dat' index 0 using 1:2 with linespoints lw 2 dt 1 lc rgb "#1f77b4" pt 7 title "a_format=fp16", \
     '' index 1 using 1:2 with linespoints lw 2 dt 1 lc rgb "#d62728" pt 5 title "a_format=bf16", \
     '' index 2 using 1:2 with linespoints lw 2 dt 1 lc rgb "#2ca02c" pt 9 title "a_format=e5m2", \
     '' index 3 using 1:2 with linespoints lw 2 dt 1 lc rgb "#9467bd" pt 11 title "a_format=e4m3"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,580 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,580 noenhanced
}
set output 'exp2_Gradients_that_became_nonzero_subnormals_loggrad_2_40_2_0.png'
replot
unset output
