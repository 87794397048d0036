# floatscope report figure: Error against K
# Data: error_vs_K.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot error_vs_K.gp
set terminal svg size 900,640 dynamic noenhanced font "sans,12" background rgb "white"
set output 'error_vs_K.svg'
set title "Error against K"
set grid
set logscale xy 2
set logscale y 10
set format y "%.0e"
set xlabel "K (terms per dot product, log scale)"
set ylabel "max |C - C_exact| / (|A||B|)  (dimensionless, log scale)"
set key below left Left reverse maxcols 1
plot 'error_vs_K.dat' index 0 using 1:2 with linespoints lw 2 lc rgb "#1f77b4" pt 7 title "acc_format=fp32, compensation=none", \
     'error_vs_K.dat' index 1 using 1:2 with linespoints lw 2 lc rgb "#d62728" pt 5 title "acc_format=bf16, compensation=none", \
     'error_vs_K.dat' index 2 using 1:2 with linespoints lw 2 lc rgb "#2ca02c" pt 9 title "acc_format=fp32, compensation=kahan", \
     'error_vs_K.dat' index 3 using 1:2 with lines dt 2 lw 1.5 lc rgb "#8c564b" pt 7 title "deterministic bound gamma_K = Ku/(1-Ku), u=2^-24", \
     'error_vs_K.dat' index 3 using 1:3 with lines dt 3 lw 1.5 lc rgb "#8c564b" pt 7 title "probabilistic bound sqrt(K) u, u=2^-24", \
     'error_vs_K.dat' index 4 using 1:2 with lines dt 2 lw 1.5 lc rgb "#e377c2" pt 5 title "deterministic bound gamma_K = Ku/(1-Ku), u=2^-8", \
     'error_vs_K.dat' index 4 using 1:3 with lines dt 3 lw 1.5 lc rgb "#e377c2" pt 5 title "probabilistic bound sqrt(K) u, u=2^-8"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,640 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,640 noenhanced
}
set output 'error_vs_K.png'
replot
unset output
