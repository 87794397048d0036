# floatscope report figure: Componentwise error against |A||B| in units of u, badly scaled inputs (rowscaled:4)
# Data: exp2_Componentwise_error_against_A_B_in_units_of_u_badly_scaled_inputs_rowscaled_4.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot exp2_Componentwise_error_against_A_B_in_units_of_u_badly_scaled_inputs_rowscaled_4.gp
set terminal svg size 900,680 dynamic noenhanced font "sans,12" background rgb "white"
set output 'exp2_Componentwise_error_against_A_B_in_units_of_u_badly_scaled_inputs_rowscaled_4.svg'
set title "Componentwise error against |A||B| in units of u, badly scaled inputs (rowscaled:4)"
set grid
set logscale x 2
set logscale y 10
set format y "%.0e"
set xlabel "n (M = N = K)"
set ylabel "max |C^-C|_ij / ((|A||B|)_ij u)"
set key below left Left reverse maxcols 1
plot 'exp2_Componentwise_error_against_A_B_in_units_of_u_badly_scaled_inputs_rowscaled_4.dat' index 0 using 1:2 with linespoints lw 2 dt 1 lc rgb "#1f77b4" pt 7 title "a_format=fp32, algorithm=classical", \
     '' index 1 using 1:2 with linespoints lw 2 dt 1 lc rgb "#d62728" pt 5 title "a_format=fp32, algorithm=strassen:1", \
     '' index 2 using 1:2 with linespoints lw 2 dt 1 lc rgb "#2ca02c" pt 9 title "a_format=fp32, algorithm=strassen:2", \
     '' index 3 using 1:2 with linespoints lw 2 dt 1 lc rgb "#9467bd" pt 11 title "a_format=bf16, algorithm=classical", \
     '' index 4 using 1:2 with linespoints lw 2 dt 1 lc rgb "#ff7f0e" pt 13 title "a_format=bf16, algorithm=strassen:1", \
     '' index 5 using 1:2 with linespoints lw 2 dt 1 lc rgb "#17becf" pt 15 title "a_format=bf16, algorithm=strassen:2", \
     '' index 6 using 1:2 with linespoints lw 2 dt 1 lc rgb "#8c564b" pt 7 title "a_format=fp16, algorithm=classical", \
     '' index 7 using 1:2 with linespoints lw 2 dt 1 lc rgb "#e377c2" pt 5 title "a_format=fp16, algorithm=strassen:1", \
     '' index 8 using 1:2 with linespoints lw 2 dt 1 lc rgb "#7f7f7f" pt 9 title "a_format=fp16, algorithm=strassen:2"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,680 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,680 noenhanced
}
set output 'exp2_Componentwise_error_against_A_B_in_units_of_u_badly_scaled_inputs_rowscaled_4.png'
replot
unset output
