# floatscope report figure: Median relative error per setup (median over repeats only; grey = exactly 0)
# Data: heatmap_setup_vs_K.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot heatmap_setup_vs_K.gp
set terminal svg size 1146,450 dynamic noenhanced font "sans,12" background rgb "white"
set output 'heatmap_setup_vs_K.svg'
set title "Median relative error per setup (median over repeats only; grey = exactly 0)"
set grid
set xtics ("256" 0, "1024" 1, "4096" 2, "16384" 3, "65536" 4)
set ytics ("h100-fp8 (e8m13/rtz), promote=-1, uniform01" 11, "h100-fp8 (e8m13/rtz), promote=-1, normal" 10, "h100-fp8 (e8m13/rtz), promote=32, uniform01" 9, "h100-fp8 (e8m13/rtz), promote=32, normal" 8, "h100-fp8 (e8m13/rtz), promote=64, uniform01" 7, "h100-fp8 (e8m13/rtz), promote=64, normal" 6, "h100-fp8 (e8m13/rtz), promote=128, uniform01" 5, "h100-fp8 (e8m13/rtz), promote=128, normal" 4, "h100-fp8 (e8m13/rtz), promote=256, uniform01" 3, "h100-fp8 (e8m13/rtz), promote=256, normal" 2, "fp32/rne acc, promote=-1, uniform01" 1, "fp32/rne acc, promote=-1, normal" 0)
set xrange [-0.5:4.5]
set yrange [-0.5:11.5]
set lmargin 46
set xlabel "K"
unset grid
set cblabel "log10(median relative error)"
set palette rgbformulae 33,13,10
plot 'heatmap_setup_vs_K.dat' index 0 using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder lc palette notitle, \
     '' index 1 using 1:2:(0.5):(0.5) with boxxyerror fs solid 1.0 noborder lc rgb "#d9d9d9" notitle, \
     '' index 0 using 1:2:(sprintf("%.1e", 10**$3)) with labels font ",8" notitle, \
     '' index 1 using 1:2:("0 (exact)") with labels font ",8" notitle

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 1146,450 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 1146,450 noenhanced
}
set output 'heatmap_setup_vs_K.png'
replot
unset output
