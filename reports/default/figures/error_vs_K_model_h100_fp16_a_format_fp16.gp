# floatscope report figure: Error against K: model=h100-fp16, a_format=fp16
# Data: error_vs_K_model_h100_fp16_a_format_fp16.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot error_vs_K_model_h100_fp16_a_format_fp16.gp
set terminal svg size 900,580 dynamic noenhanced font "sans,12" background rgb "white"
set output 'error_vs_K_model_h100_fp16_a_format_fp16.svg'
set title "Error against K: model=h100-fp16, a_format=fp16"
set grid
set logscale xy 2
set logscale y 10
set format y "%.0e"
set xlabel "K (terms per dot product, log scale)"
set ylabel "max |C - C_exact| / (|A||B|)  (dimensionless, log scale)"
set key below left Left reverse maxcols 1
plot 'error_vs_K_model_h100_fp16_a_format_fp16.dat' index 0 using 1:2 with linespoints lw 2 lc rgb "#1f77b4" pt 7 title "acc_format=fp32, dist=uniform01", \
     'error_vs_K_model_h100_fp16_a_format_fp16.dat' index 1 using 1:2 with linespoints lw 2 lc rgb "#d62728" pt 5 title "acc_format=fp32, dist=normal", \
     'error_vs_K_model_h100_fp16_a_format_fp16.dat' index 2 using 1:2 with lines dt 2 lw 1.5 lc rgb "#555555" title "deterministic bound gamma_K = Ku/(1-Ku), u=2^-24", \
     'error_vs_K_model_h100_fp16_a_format_fp16.dat' index 2 using 1:3 with lines dt 3 lw 1.5 lc rgb "#555555" title "probabilistic bound sqrt(K) u, u=2^-24"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,580 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,580 noenhanced
}
set output 'error_vs_K_model_h100_fp16_a_format_fp16.png'
replot
unset output
