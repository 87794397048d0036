# floatscope report figure: Median relative error per setup (median over repeats only; grey = exactly 0)
# Data: heatmap_setup_vs_scheme.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot heatmap_setup_vs_scheme.gp
set terminal svg size 1600,990 dynamic noenhanced font "sans,12" background rgb "white"
set output 'heatmap_setup_vs_scheme.svg'
set title "Median relative error per setup (median over repeats only; grey = exactly 0)"
set grid
set xtics ("fp8-delayed" 0, "fp8-row" 1, "fp8-tensor" 2, "fp8-tile1x128+fp8-block128x128" 3, "mxfp4" 4, "mxfp8-e4m3" 5, "nvfp4" 6)
set ytics ("scale_rule=, amax_history_len=0, outlier_growth=1, outliers:0.01:1" 34, "scale_rule=, amax_history_len=0, outlier_growth=1, outliers:0.01:10" 33, "scale_rule=, amax_history_len=0, outlier_growth=1, outliers:0.01:100" 32, "scale_rule=, amax_history_len=0, outlier_growth=1, outliers:0.01:1000" 31, "scale_rule=, amax_history_len=0, outlier_growth=1, outliers:0.01:10000" 30, "scale_rule=, amax_history_len=16, outlier_growth=1, outliers:0.01:1" 29, "scale_rule=, amax_history_len=16, outlier_growth=1.05, outliers:0.01:1" 28, "scale_rule=, amax_history_len=16, outlier_growth=1.25, outliers:0.01:1" 27, "scale_rule=, amax_history_len=16, outlier_growth=2, outliers:0.01:1" 26, "scale_rule=, amax_history_len=16, outlier_growth=1, outliers:0.01:10" 25, "scale_rule=, amax_history_len=16, outlier_growth=1.05, outliers:0.01:10" 24, "scale_rule=, amax_history_len=16, outlier_growth=1.25, outliers:0.01:10" 23, "scale_rule=, amax_history_len=16, outlier_growth=2, outliers:0.01:10" 22, "scale_rule=, amax_history_len=16, outlier_growth=1, outliers:0.01:100" 21, "scale_rule=, amax_history_len=16, outlier_growth=1.05, outliers:0.01:100" 20, "scale_rule=, amax_history_len=16, outlier_growth=1.25, outliers:0.01:100" 19, "scale_rule=, amax_history_len=16, outlier_growth=2, outliers:0.01:100" 18, "scale_rule=, amax_history_len=16, outlier_growth=1, outliers:0.01:1000" 17, "scale_rule=, amax_history_len=16, outlier_growth=1.05, outliers:0.01:1000" 16, "scale_rule=, amax_history_len=16, outlier_growth=1.25, outliers:0.01:1000" 15, "scale_rule=, amax_history_len=16, outlier_growth=2, outliers:0.01:1000" 14, "scale_rule=, amax_history_len=16, outlier_growth=1, outliers:0.01:10000" 13, "scale_rule=, amax_history_len=16, outlier_growth=1.05, outliers:0.01:10000" 12, "scale_rule=, amax_history_len=16, outlier_growth=1.25, outliers:0.01:10000" 11, "scale_rule=, amax_history_len=16, outlier_growth=2, outliers:0.01:10000" 10, "scale_rule=floor, amax_history_len=0, outlier_growth=1, outliers:0.01:1" 9, "scale_rule=rceil, amax_history_len=0, outlier_growth=1, outliers:0.01:1" 8, "scale_rule=floor, amax_history_len=0, outlier_growth=1, outliers:0.01:10" 7, "scale_rule=rceil, amax_history_len=0, outlier_growth=1, outliers:0.01:10" 6, "scale_rule=floor, amax_history_len=0, outlier_growth=1, outliers:0.01:100" 5, "scale_rule=rceil, amax_history_len=0, outlier_growth=1, outliers:0.01:100" 4, "scale_rule=floor, amax_history_len=0, outlier_growth=1, outliers:0.01:1000" 3, "scale_rule=rceil, amax_history_len=0, outlier_growth=1, outliers:0.01:1000" 2, "scale_rule=floor, amax_history_len=0, outlier_growth=1, outliers:0.01:10000" 1, "scale_rule=rceil, amax_history_len=0, outlier_growth=1, outliers:0.01:10000" 0)
set xrange [-0.5:6.5]
set yrange [-0.5:34.5]
set lmargin 70
set xlabel "scheme"
unset grid
set cblabel "log10(median relative error)"
set palette rgbformulae 33,13,10
plot 'heatmap_setup_vs_scheme.dat' index 0 using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder lc palette notitle, \
     '' index 1 using 1:2:(0.5):(0.5) with boxxyerror fs solid 1.0 noborder lc rgb "#d9d9d9" notitle, \
     '' index 0 using 1:2:(sprintf("%.1e", 10**$3)) with labels font ",8" notitle, \
     '' index 1 using 1:2:("0 (exact)") with labels font ",8" notitle

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 1600,990 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 1600,990 noenhanced
}
set output 'heatmap_setup_vs_scheme.png'
replot
unset output
