# floatscope report figure: Largest ulp error per row for output_scale_mode=fused, output_format=e4m3: CDF over all K and repeats
# Data: ulp_cdf_output_scale_mode_fused_output_format_e4m3.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot ulp_cdf_output_scale_mode_fused_output_format_e4m3.gp
set terminal svg size 900,580 dynamic noenhanced font "sans,12" background rgb "white"
set output 'ulp_cdf_output_scale_mode_fused_output_format_e4m3.svg'
set title "Largest ulp error per row for output_scale_mode=fused, output_format=e4m3: CDF over all K and repeats"
set grid
set xlabel "largest error of a row, in ulps of the output format"
set ylabel "fraction of rows (CDF)"
set yrange [0:1.02]
set key below left Left reverse maxcols 1
plot 'ulp_cdf_output_scale_mode_fused_output_format_e4m3.dat' index 0 using 1:2 with steps lw 2 lc rgb "#1f77b4" pt 7 title "output_scale=1", \
     'ulp_cdf_output_scale_mode_fused_output_format_e4m3.dat' index 1 using 1:2 with steps lw 2 lc rgb "#d62728" pt 5 title "output_scale=1.1111111640930176", \
     'ulp_cdf_output_scale_mode_fused_output_format_e4m3.dat' index 2 using 1:2 with steps lw 2 lc rgb "#2ca02c" pt 9 title "output_scale=1.25", \
     'ulp_cdf_output_scale_mode_fused_output_format_e4m3.dat' index 3 using 1:2 with steps lw 2 lc rgb "#9467bd" pt 11 title "output_scale=2"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,580 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,580 noenhanced
}
set output 'ulp_cdf_output_scale_mode_fused_output_format_e4m3.png'
replot
unset output
