# floatscope report figure: Error against K for dist=lognormal:3: every accumulator and model, with the bounds (solid/dashed = distribution)
# Data: error_vs_K_dist_lognormal_3.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot error_vs_K_dist_lognormal_3.gp
set terminal svg size 900,620 dynamic noenhanced font "sans,12" background rgb "white"
set output 'error_vs_K_dist_lognormal_3.svg'
set title "Error against K for dist=lognormal:3: every accumulator and model, with the bounds (solid/dashed = distribution)"
set grid
set logscale x 2
set format x "2^%L"
set logscale y 10
set format y "1e%L"
set xlabel "K (terms per dot product)"
set ylabel "max |C - C_exact| / (|A||B|)  (median over repeats)"
set key below left Left reverse maxcols 1
plot 'error_vs_K_dist_lognormal_3.dat' index 8 using 1:2 with linespoints lw 2 dt 1 lc rgb "#7f7f7f" pt 9 title "output_format=bf16, output_scale=1, output_scale_mode=fused", \
     'error_vs_K_dist_lognormal_3.dat' index 9 using 1:2 with linespoints lw 2 dt 1 lc rgb "#bcbd22" pt 11 title "output_format=bf16, output_scale=1, output_scale_mode=after", \
     'error_vs_K_dist_lognormal_3.dat' index 10 using 1:2 with linespoints lw 2 dt 1 lc rgb "#000000" pt 13 title "output_format=bf16, output_scale=1.1111111640930176, output_scale_mode=fused", \
     'error_vs_K_dist_lognormal_3.dat' index 11 using 1:2 with linespoints lw 2 dt 1 lc rgb "#393b79" pt 15 title "output_format=bf16, output_scale=1.1111111640930176, output_scale_mode=after", \
     'error_vs_K_dist_lognormal_3.dat' index 12 using 1:2 with lines dt 4 lw 1 lc rgb "#1f77b4" title "bound gamma_K = Ku/(1-Ku), u=2^-24: output_format=fp16, output_scale=1, output_scale_mode=fused; output_format=fp16, output_scale=1, output_scale_mode=after; output_format=fp16, output_scale=1.1111111640930176, output_scale_mode=fused; output_format=fp16, output_scale=1.1111111640930176, output_scale_mode=after; output_format=fp16, output_scale=1.25, output_scale_mode=fused; output_format=fp16, output_scale=1.25, output_scale_mode=after; output_format=fp16, output_scale=2, output_scale_mode=fused; output_format=fp16, output_scale=2, output_scale_mode=after; output_format=bf16, output_scale=1, output_scale_mode=fused; output_format=bf16, output_scale=1, output_scale_mode=after; output_format=bf16, output_scale=1.1111111640930176, output_scale_mode=fused; output_format=bf16, output_scale=1.1111111640930176, output_scale_mode=after", \
     'error_vs_K_dist_lognormal_3.dat' index 12 using 1:3 with lines dt 3 lw 1 lc rgb "#1f77b4" title "bound sqrt(K) u, u=2^-24: output_format=fp16, output_scale=1, output_scale_mode=fused; output_format=fp16, output_scale=1, output_scale_mode=after; output_format=fp16, output_scale=1.1111111640930176, output_scale_mode=fused; output_format=fp16, output_scale=1.1111111640930176, output_scale_mode=after; output_format=fp16, output_scale=1.25, output_scale_mode=fused; output_format=fp16, output_scale=1.25, output_scale_mode=after; output_format=fp16, output_scale=2, output_scale_mode=fused; output_format=fp16, output_scale=2, output_scale_mode=after; output_format=bf16, output_scale=1, output_scale_mode=fused; output_format=bf16, output_scale=1, output_scale_mode=after; output_format=bf16, output_scale=1.1111111640930176, output_scale_mode=fused; output_format=bf16, output_scale=1.1111111640930176, output_scale_mode=after"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,620 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,620 noenhanced
}
set output 'error_vs_K_dist_lognormal_3.png'
replot
unset output
