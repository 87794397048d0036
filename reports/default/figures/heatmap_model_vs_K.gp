# floatscope report figure: Median relative error over K and model
# Data: heatmap_model_vs_K.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot heatmap_model_vs_K.gp
set terminal svg size 700,450 dynamic noenhanced font "sans,12" background rgb "white"
set output 'heatmap_model_vs_K.svg'
set title "Median relative error over K and model"
set grid
set xtics ("16" 0, "64" 1, "256" 2, "1024" 3, "4096" 4) rotate by -30
set ytics ("custom" 0, "h100-bf16" 1, "h100-fp16" 2, "h100-fp8" 3, "h100-fp8-promote128" 4, "h100-tf32" 5)
set xrange [-0.5:4.5]
set yrange [-0.5:5.5]
set xlabel "K"
set ylabel "model"
unset grid
set cblabel "log10(median relative error)"
set palette rgbformulae 33,13,10
plot 'heatmap_model_vs_K.dat' using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder lc palette notitle, \
     '' using 1:2:(sprintf("%.1e", 10**$3)) with labels font ",8" notitle

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 700,450 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 700,450 noenhanced
}
set output 'heatmap_model_vs_K.png'
replot
unset output
