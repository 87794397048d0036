# floatscope report figure: Error against K for a_format=e1m6:bias=-5,specials=none, b_format=e1m6:bias=-5,specials=none: every accumulator and model, with the bounds (solid/dashed = distribution)
# Data: error_vs_K_a_format_e1m6_bias_5_specials_none_b_format_e1m6_bias_5_specials_none.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot error_vs_K_a_format_e1m6_bias_5_specials_none_b_format_e1m6_bias_5_specials_none.gp
set terminal svg size 900,600 dynamic noenhanced font "sans,12" background rgb "white"
set output 'error_vs_K_a_format_e1m6_bias_5_specials_none_b_format_e1m6_bias_5_specials_none.svg'
set title "Error against K for a_format=e1m6:bias=-5,specials=none, b_format=e1m6:bias=-5,specials=none: every accumulator and model, with the bounds (solid/dashed = distribution)"
set grid
set logscale x 2
set format x "2^%L"
set logscale y 10
set format y "1e%L"
set xlabel "K (terms per dot product)"
set ylabel "max |C - C_exact| / (|A||B|)  (median over repeats)"
set key below left Left reverse maxcols 1
plot 'error_vs_K_a_format_e1m6_bias_5_specials_none_b_format_e1m6_bias_5_specials_none.dat' index 0 using 1:2 with linespoints lw 2 dt 1 lc rgb "#1f77b4" pt 7 title "fp64/rne acc, scheme=bitnet-a8, reference_of=original, normal", \
     'error_vs_K_a_format_e1m6_bias_5_specials_none_b_format_e1m6_bias_5_specials_none.dat' index 1 using 1:2 with linespoints lw 2 dt 2 lc rgb "#1f77b4" pt 7 title "fp64/rne acc, scheme=bitnet-a8, reference_of=original, outliers:0.01:20", \
     'error_vs_K_a_format_e1m6_bias_5_specials_none_b_format_e1m6_bias_5_specials_none.dat' index 2 using 1:2 with linespoints lw 2 dt 3 lc rgb "#1f77b4" pt 7 title "fp64/rne acc, scheme=bitnet-a8, reference_of=original, outliers:0.01:100", \
     'error_vs_K_a_format_e1m6_bias_5_specials_none_b_format_e1m6_bias_5_specials_none.dat' index 3 using 1:2 with lines dt 4 lw 1 lc rgb "#1f77b4" title "bound gamma_K = Ku/(1-Ku), u=2^-53: fp64/rne acc, scheme=bitnet-a8, reference_of=original", \
     'error_vs_K_a_format_e1m6_bias_5_specials_none_b_format_e1m6_bias_5_specials_none.dat' index 3 using 1:3 with lines dt 3 lw 1 lc rgb "#1f77b4" title "bound sqrt(K) u, u=2^-53: fp64/rne acc, scheme=bitnet-a8, reference_of=original"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,600 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,600 noenhanced
}
set output 'error_vs_K_a_format_e1m6_bias_5_specials_none_b_format_e1m6_bias_5_specials_none.png'
replot
unset output
