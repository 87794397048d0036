# floatscope report figure: Error against K for a_format=fp16, dist=uniform01: every accumulator and model, with the bounds (solid/dashed = distribution)
# Data: error_vs_K_a_format_fp16_dist_uniform01.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot error_vs_K_a_format_fp16_dist_uniform01.gp
set terminal svg size 900,780 dynamic noenhanced font "sans,12" background rgb "white"
set output 'error_vs_K_a_format_fp16_dist_uniform01.svg'
set title "Error against K for a_format=fp16, dist=uniform01: every accumulator and model, with the bounds (solid/dashed = distribution)"
set grid
set logscale x 2
set format x "2^%L"
set logscale y 10
set format y "1e%L"
set xlabel "K (terms per dot product)"
set ylabel "max |C - C_exact| / (|A||B|)  (median over repeats)"
set key below left Left reverse maxcols 1
plot 'error_vs_K_a_format_fp16_dist_uniform01.dat' index 0 using 1:2 with linespoints lw 2 dt 1 lc rgb "#1f77b4" pt 7 title "fp32/rne acc, order=sequential, compensation=none", \
     'error_vs_K_a_format_fp16_dist_uniform01.dat' index 1 using 1:2 with linespoints lw 2 dt 1 lc rgb "#d62728" pt 5 title "fp16/rne acc, order=sequential, compensation=none", \
     'error_vs_K_a_format_fp16_dist_uniform01.dat' index 2 using 1:2 with linespoints lw 2 dt 1 lc rgb "#2ca02c" pt 9 title "bf16/rne acc, order=sequential, compensation=none", \
     'error_vs_K_a_format_fp16_dist_uniform01.dat' index 3 using 1:2 with linespoints lw 2 dt 1 lc rgb "#9467bd" pt 11 title "fp16/sr acc, order=sequential, compensation=none", \
     'error_vs_K_a_format_fp16_dist_uniform01.dat' index 4 using 1:2 with linespoints lw 2 dt 1 lc rgb "#ff7f0e" pt 13 title "fp16/rne acc, order=pairwise, compensation=none", \
     'error_vs_K_a_format_fp16_dist_uniform01.dat' index 5 using 1:2 with linespoints lw 2 dt 1 lc rgb "#17becf" pt 15 title "fp16/rne acc, order=blocked:32, compensation=none", \
     'error_vs_K_a_format_fp16_dist_uniform01.dat' index 6 using 1:2 with linespoints lw 2 dt 1 lc rgb "#8c564b" pt 7 title "fp16/rne acc, order=sequential, compensation=kahan", \
     'error_vs_K_a_format_fp16_dist_uniform01.dat' index 7 using 1:2 with linespoints lw 2 dt 1 lc rgb "#e377c2" pt 5 title "bf16/rne acc, order=sequential, compensation=kahan", \
     'error_vs_K_a_format_fp16_dist_uniform01.dat' index 8 using 1:2 with lines dt 4 lw 1 lc rgb "#1f77b4" title "bound gamma_K = Ku/(1-Ku), u=2^-24: fp32/rne acc, order=sequential, compensation=none", \
     'error_vs_K_a_format_fp16_dist_uniform01.dat' index 8 using 1:3 with lines dt 3 lw 1 lc rgb "#1f77b4" title "bound sqrt(K) u, u=2^-24: fp32/rne acc, order=sequential, compensation=none", \
     'error_vs_K_a_format_fp16_dist_uniform01.dat' index 9 using 1:2 with lines dt 4 lw 1 lc rgb "#d62728" title "bound gamma_K = Ku/(1-Ku), u=2^-11: fp16/rne acc, order=sequential, compensation=none; fp16/sr acc, order=sequential, compensation=none; fp16/rne acc, order=pairwise, compensation=none; fp16/rne acc, order=blocked:32, compensation=none; fp16/rne acc, order=sequential, compensation=kahan", \
     'error_vs_K_a_format_fp16_dist_uniform01.dat' index 9 using 1:3 with lines dt 3 lw 1 lc rgb "#d62728" title "bound sqrt(K) u, u=2^-11: fp16/rne acc, order=sequential, compensation=none; fp16/sr acc, order=sequential, compensation=none; fp16/rne acc, order=pairwise, compensation=none; fp16/rne acc, order=blocked:32, compensation=none; fp16/rne acc, order=sequential, compensation=kahan", \
     'error_vs_K_a_format_fp16_dist_uniform01.dat' index 10 using 1:2 with lines dt 4 lw 1 lc rgb "#2ca02c" title "bound gamma_K = Ku/(1-Ku), u=2^-8: bf16/rne acc, order=sequential, compensation=none; bf16/rne acc, order=sequential, compensation=kahan", \
     'error_vs_K_a_format_fp16_dist_uniform01.dat' index 10 using 1:3 with lines dt 3 lw 1 lc rgb "#2ca02c" title "bound sqrt(K) u, u=2^-8: bf16/rne acc, order=sequential, compensation=none; bf16/rne acc, order=sequential, compensation=kahan"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,780 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,780 noenhanced
}
set output 'error_vs_K_a_format_fp16_dist_uniform01.png'
replot
unset output
