# floatscope report figure: Log-normal outputs (lognormal:5, K = 1): fraction that underflows to zero
# Data: exp5_Log_normal_outputs_lognormal_5_K_1_fraction_that_underflows_to_zero.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot exp5_Log_normal_outputs_lognormal_5_K_1_fraction_that_underflows_to_zero.gp
set terminal svg size 900,660 dynamic noenhanced font "sans,12" background rgb "white"
set output 'exp5_Log_normal_outputs_lognormal_5_K_1_fraction_that_underflows_to_zero.svg'
set title "Log-normal outputs (lognormal:5, K = 1): fraction that underflows to zero"
set grid
set xlabel "dropout rate p"
set ylabel "nonzero outputs stored as zero"
set key below left Left reverse maxcols 1
plot 'exp5_Log_normal_outputs_lognormal_5_K_1_fraction_that_underflows_to_zero.dat' index 0 using 1:2 with linespoints lw 2 dt 1 lc rgb "#1f77b4" pt 7 title "output_format=fp16, output_scale_mode=fused", \
     '' index 1 using 1:2 with linespoints lw 2 dt 1 lc rgb "#d62728" pt 5 title "output_format=fp16, output_scale_mode=after", \
     '' index 2 using 1:2 with linespoints lw 2 dt 1 lc rgb "#2ca02c" pt 9 title "output_format=bf16, output_scale_mode=fused", \
     '' index 3 using 1:2 with linespoints lw 2 dt 1 lc rgb "#9467bd" pt 11 title "output_format=bf16, output_scale_mode=after", \
     '' index 4 using 1:2 with linespoints lw 2 dt 1 lc rgb "#ff7f0e" pt 13 title "output_format=e4m3, output_scale_mode=fused", \
     '' index 5 using 1:2 with linespoints lw 2 dt 1 lc rgb "#17becf" pt 15 title "output_format=e4m3, output_scale_mode=after", \
     '' index 6 using 1:2 with linespoints lw 2 dt 1 lc rgb "#8c564b" pt 7 title "output_format=e5m2, output_scale_mode=fused", \
     '' index 7 using 1:2 with linespoints lw 2 dt 1 lc rgb "#e377c2" pt 5 title "output_format=e5m2, output_scale_mode=after"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,660 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,660 noenhanced
}
set output 'exp5_Log_normal_outputs_lognormal_5_K_1_fraction_that_underflows_to_zero.png'
replot
unset output
