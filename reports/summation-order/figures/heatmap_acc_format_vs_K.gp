# floatscope report figure: Median relative error over K and acc_format
# Data: heatmap_acc_format_vs_K.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot heatmap_acc_format_vs_K.gp
set terminal svg size 700,450 dynamic noenhanced font "sans,12" background rgb "white"
set output 'heatmap_acc_format_vs_K.svg'
set title "Median relative error over K and acc_format"
set grid
set xtics ("1000" 0, "10000" 1, "100000" 2) rotate by -30
set ytics ("bf16" 0, "fp32" 1)
set xrange [-0.5:2.5]
set yrange [-0.5:1.5]
set xlabel "K"
set ylabel "acc_format"
unset grid
set cblabel "log10(median relative error)"
set palette rgbformulae 33,13,10
plot 'heatmap_acc_format_vs_K.dat' using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder lc palette notitle, \
     '' using 1:2:(sprintf("%.1e", 10**$3)) with labels font ",8" notitle

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 700,450 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 700,450 noenhanced
}
set output 'heatmap_acc_format_vs_K.png'
replot
unset output
