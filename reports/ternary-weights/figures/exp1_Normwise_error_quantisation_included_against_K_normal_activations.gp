# floatscope report figure: Normwise error (quantisation included) against K, normal activations
# Data: exp1_Normwise_error_quantisation_included_against_K_normal_activations.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot exp1_Normwise_error_quantisation_included_against_K_normal_activations.gp
set terminal svg size 900,620 dynamic noenhanced font "sans,12" background rgb "white"
set output 'exp1_Normwise_error_quantisation_included_against_K_normal_activations.svg'
set title "Normwise error (quantisation included) against K, normal activations"
set grid
set logscale x 2
set logscale y 10
set format y "%.0e"
set xlabel "K"
set ylabel "normwise relative error"
set key below left Left reverse maxcols 1
plot 'exp1_Normwise_error_quantisation_included_against_K_normal_activations.dat' index 0 using 1:2 with linespoints lw 2 dt 1 lc rgb "#1f77b4" pt 7 title "scheme=bitnet-a8+bitnet-w1.58, a_format=e1m6:bias=-5,specials=none, reference_of=original", \
     '' index 1 using 1:2 with linespoints lw 2 dt 1 lc rgb "#d62728" pt 5 title "scheme=bitnet-a8+bitnet-w1.58, a_format=e1m6:bias=-5,specials=none, reference_of=quantised", \
     '' index 2 using 1:2 with linespoints lw 2 dt 1 lc rgb "#2ca02c" pt 9 title "scheme=bitnet-a8, a_format=e1m6:bias=-5,specials=none, reference_of=original", \
     '' index 3 using 1:2 with linespoints lw 2 dt 1 lc rgb "#9467bd" pt 11 title "scheme=fp8-tensor, a_format=e4m3, reference_of=original", \
     '' index 4 using 1:2 with linespoints lw 2 dt 1 lc rgb "#ff7f0e" pt 13 title "scheme=fp8-row, a_format=e4m3, reference_of=original", \
     '' index 5 using 1:2 with linespoints lw 2 dt 1 lc rgb "#17becf" pt 15 title "scheme=none, a_format=bf16, reference_of=original"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,620 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,620 noenhanced
}
set output 'exp1_Normwise_error_quantisation_included_against_K_normal_activations.png'
replot
unset output
