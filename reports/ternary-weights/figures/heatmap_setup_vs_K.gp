# floatscope report figure: Median relative error per setup (median over repeats only; grey = exactly 0)
# Data: heatmap_setup_vs_K.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot heatmap_setup_vs_K.gp
set terminal svg size 1160,582 dynamic noenhanced font "sans,12" background rgb "white"
set output 'heatmap_setup_vs_K.svg'
set title "Median relative error per setup (median over repeats only; grey = exactly 0)"
set grid
set xtics ("256" 0, "1024" 1, "4096" 2)
set ytics ("e1m6:bias=-5,specials=none x e1m0:bias=1,specials=none inputs, fp32/rne acc, scheme=bitnet-a8+bitnet-w1.58, reference_of=original, normal" 17, "e1m6:bias=-5,specials=none x e1m0:bias=1,specials=none inputs, fp32/rne acc, scheme=bitnet-a8+bitnet-w1.58, reference_of=original, outliers:0.01:20" 16, "e1m6:bias=-5,specials=none x e1m0:bias=1,specials=none inputs, fp32/rne acc, scheme=bitnet-a8+bitnet-w1.58, reference_of=original, outliers:0.01:100" 15, "e1m6:bias=-5,specials=none x e1m0:bias=1,specials=none inputs, fp32/rne acc, scheme=bitnet-a8+bitnet-w1.58, reference_of=quantised, normal" 14, "e1m6:bias=-5,specials=none x e1m0:bias=1,specials=none inputs, fp32/rne acc, scheme=bitnet-a8+bitnet-w1.58, reference_of=quantised, outliers:0.01:20" 13, "e1m6:bias=-5,specials=none x e1m0:bias=1,specials=none inputs, fp32/rne acc, scheme=bitnet-a8+bitnet-w1.58, reference_of=quantised, outliers:0.01:100" 12, "e1m6:bias=-5,specials=none x e1m6:bias=-5,specials=none inputs, fp64/rne acc, scheme=bitnet-a8, reference_of=original, normal" 11, "e1m6:bias=-5,specials=none x e1m6:bias=-5,specials=none inputs, fp64/rne acc, scheme=bitnet-a8, reference_of=original, outliers:0.01:20" 10, "e1m6:bias=-5,specials=none x e1m6:bias=-5,specials=none inputs, fp64/rne acc, scheme=bitnet-a8, reference_of=original, outliers:0.01:100" 9, "e4m3 x e4m3 inputs, fp32/rne acc, scheme=fp8-tensor, reference_of=original, normal" 8, "e4m3 x e4m3 inputs, fp32/rne acc, scheme=fp8-tensor, reference_of=original, outliers:0.01:20" 7, "e4m3 x e4m3 inputs, fp32/rne acc, scheme=fp8-tensor, reference_of=original, outliers:0.01:100" 6, "e4m3 x e4m3 inputs, fp32/rne acc, scheme=fp8-row, reference_of=original, normal" 5, "e4m3 x e4m3 inputs, fp32/rne acc, scheme=fp8-row, reference_of=original, outliers:0.01:20" 4, "e4m3 x e4m3 inputs, fp32/rne acc, scheme=fp8-row, reference_of=original, outliers:0.01:100" 3, "bf16 x bf16 inputs, fp32/rne acc, scheme=none, reference_of=original, normal" 2, "bf16 x bf16 inputs, fp32/rne acc, scheme=none, reference_of=original, outliers:0.01:20" 1, "bf16 x bf16 inputs, fp32/rne acc, scheme=none, reference_of=original, outliers:0.01:100" 0)
set xrange [-0.5:2.5]
set yrange [-0.5:17.5]
set lmargin 70
set xlabel "K"
unset grid
set cblabel "log10(median relative error)"
set palette rgbformulae 33,13,10
plot 'heatmap_setup_vs_K.dat' index 0 using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder lc palette notitle, \
     '' index 1 using 1:2:(0.5):(0.5) with boxxyerror fs solid 1.0 noborder lc rgb "#d9d9d9" notitle, \
     '' index 0 using 1:2:(sprintf("%.1e", 10**$3)) with labels font ",8" notitle, \
     '' index 1 using 1:2:("0 (exact)") with labels font ",8" notitle

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 1160,582 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 1160,582 noenhanced
}
set output 'heatmap_setup_vs_K.png'
replot
unset output
