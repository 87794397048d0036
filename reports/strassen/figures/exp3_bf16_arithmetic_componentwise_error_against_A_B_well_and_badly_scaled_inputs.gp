# floatscope report figure: bf16 arithmetic: componentwise error against |A||B|, well- and badly scaled inputs
# Data: exp3_bf16_arithmetic_componentwise_error_against_A_B_well_and_badly_scaled_inputs.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot exp3_bf16_arithmetic_componentwise_error_against_A_B_well_and_badly_scaled_inputs.gp
set terminal svg size 900,620 dynamic noenhanced font "sans,12" background rgb "white"
set output 'exp3_bf16_arithmetic_componentwise_error_against_A_B_well_and_badly_scaled_inputs.svg'
set title "bf16 arithmetic: componentwise error against |A||B|, well- and badly scaled inputs"
set grid
set logscale x 2
set logscale y 10
set format y "%.0e"
set xlabel "n (M = N = K)"
set ylabel "max |C^-C|_ij / ((|A||B|)_ij u)"
set key below left Left reverse maxcols 1
plot 'exp3_bf16_arithmetic_componentwise_error_against_A_B_well_and_badly_scaled_inputs.dat' index 0 using 1:2 with linespoints lw 2 dt 1 lc rgb "#1f77b4" pt 7 title "dist=normal, algorithm=classical", \
     '' index 1 using 1:2 with linespoints lw 2 dt 1 lc rgb "#d62728" pt 5 title "dist=normal, algorithm=strassen:1", \
     '' index 2 using 1:2 with linespoints lw 2 dt 1 lc rgb "#2ca02c" pt 9 title "dist=normal, algorithm=strassen:2", \
     '' index 3 using 1:2 with linespoints lw 2 dt 1 lc rgb "#9467bd" pt 11 title "dist=rowscaled:4, algorithm=classical", \
     '' index 4 using 1:2 with linespoints lw 2 dt 1 lc rgb "#ff7f0e" pt 13 title "dist=rowscaled:4, algorithm=strassen:1", \
     '' index 5 using 1:2 with linespoints lw 2 dt 1 lc rgb "#17becf" pt 15 title "dist=rowscaled:4, algorithm=strassen:2"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,620 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,620 noenhanced
}
set output 'exp3_bf16_arithmetic_componentwise_error_against_A_B_well_and_badly_scaled_inputs.png'
replot
unset output
