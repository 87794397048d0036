# floatscope report figure: Outputs stored differently when the rescale is fused and when it follows the store (K = 256)
# Data: exp3_Outputs_stored_differently_when_the_rescale_is_fused_and_when_it_follows_the_store_K_256.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot exp3_Outputs_stored_differently_when_the_rescale_is_fused_and_when_it_follows_the_store_K_256.gp
set terminal svg size 900,580 dynamic noenhanced font "sans,12" background rgb "white"
set output 'exp3_Outputs_stored_differently_when_the_rescale_is_fused_and_when_it_follows_the_store_K_256.svg'
set title "Outputs stored differently when the rescale is fused and when it follows the store (K = 256)"
set grid
set xlabel "dropout rate p"
set ylabel "fraction of outputs that differ"
set key below left Left reverse maxcols 1
plot 'exp3_Outputs_stored_differently_when_the_rescale_is_fused_and_when_it_follows_the_store_K_256.dat' index 0 using 1:2 with linespoints lw 2 dt 1 lc rgb "#1f77b4" pt 7 title "output_format=fp16", \
     '' index 1 using 1:2 with linespoints lw 2 dt 1 lc rgb "#d62728" pt 5 title "output_format=bf16", \
     '' index 2 using 1:2 with linespoints lw 2 dt 1 lc rgb "#2ca02c" pt 9 title "output_format=e4m3", \
     '' index 3 using 1:2 with linespoints lw 2 dt 1 lc rgb "#9467bd" pt 11 title "output_format=e5m2"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,580 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,580 noenhanced
}
set output 'exp3_Outputs_stored_differently_when_the_rescale_is_fused_and_when_it_follows_the_store_K_256.png'
replot
unset output
