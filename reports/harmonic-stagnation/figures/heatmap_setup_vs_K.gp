# floatscope report figure: Median relative error per setup (median over repeats only; grey = exactly 0)
# Data: heatmap_setup_vs_K.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot heatmap_setup_vs_K.gp
set terminal svg size 1745,450 dynamic noenhanced font "sans,12" background rgb "white"
set output 'heatmap_setup_vs_K.svg'
set title "Median relative error per setup (median over repeats only; grey = exactly 0)"
set grid
set xtics ("16" 0, "64" 1, "128" 2, "256" 3, "512" 4, "1024" 5, "4096" 6, "16384" 7, "65536" 8, "100000" 9, "1048576" 10, "3000000" 11)
set ytics ("fp16 inputs, fp16/rne acc" 5, "fp16 inputs, fp16/sr acc" 4, "bf16 inputs, bf16/rne acc" 3, "bf16 inputs, bf16/sr acc" 2, "fp32 inputs, fp32/rne acc" 1, "fp32 inputs, fp32/sr acc" 0)
set xrange [-0.5:11.5]
set yrange [-0.5:5.5]
set lmargin 27
set xlabel "K"
unset grid
set cblabel "log10(median relative error)"
set palette rgbformulae 33,13,10
plot 'heatmap_setup_vs_K.dat' index 0 using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder lc palette notitle, \
     '' index 1 using 1:2:(0.5):(0.5) with boxxyerror fs solid 1.0 noborder lc rgb "#d9d9d9" notitle, \
     '' index 0 using 1:2:(sprintf("%.1e", 10**$3)) with labels font ",8" notitle, \
     '' index 1 using 1:2:("0 (exact)") with labels font ",8" notitle

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 1745,450 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 1745,450 noenhanced
}
set output 'heatmap_setup_vs_K.png'
replot
unset output
