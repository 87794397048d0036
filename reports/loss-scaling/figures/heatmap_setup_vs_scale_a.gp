# floatscope report figure: Median relative error per setup (median over repeats only; grey = exactly 0)
# Data: heatmap_setup_vs_scale_a.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot heatmap_setup_vs_scale_a.gp
set terminal svg size 3202,450 dynamic noenhanced font "sans,12" background rgb "white"
set output 'heatmap_setup_vs_scale_a.svg'
set title "Median relative error per setup (median over repeats only; grey = exactly 0)"
set grid
set xtics ("5.960464477539063e-08" 0, "1.1920928955078125e-07" 1, "2.384185791015625e-07" 2, "4.76837158203125e-07" 3, "9.5367431640625e-07" 4, "1.9073486328125e-06" 5, "3.814697265625e-06" 6, "7.62939453125e-06" 7, "1.52587890625e-05" 8, "3.0517578125e-05" 9, "6.103515625e-05" 10, "0.0001220703125" 11, "0.000244140625" 12, "0.00048828125" 13, "0.0009765625" 14, "0.001953125" 15, "0.00390625" 16, "0.0078125" 17, "0.015625" 18, "0.03125" 19, "0.0625" 20, "0.125" 21, "0.25" 22, "0.5" 23, "1" 24)
set ytics ("fp16 x fp16, loggrad" 7, "fp16 x fp16, loggrad:-36:-20" 6, "bf16 x bf16, loggrad" 5, "bf16 x bf16, loggrad:-36:-20" 4, "e5m2 x e4m3, loggrad" 3, "e5m2 x e4m3, loggrad:-36:-20" 2, "e4m3 x e4m3, loggrad" 1, "e4m3 x e4m3, loggrad:-36:-20" 0)
set xrange [-0.5:24.5]
set yrange [-0.5:7.5]
set lmargin 30
set xlabel "scale_a"
unset grid
set cblabel "log10(median relative error)"
set palette rgbformulae 33,13,10
plot 'heatmap_setup_vs_scale_a.dat' index 0 using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder lc palette notitle, \
     '' index 1 using 1:2:(0.5):(0.5) with boxxyerror fs solid 1.0 noborder lc rgb "#d9d9d9" notitle, \
     '' index 0 using 1:2:(sprintf("%.1e", 10**$3)) with labels font ",8" notitle, \
     '' index 1 using 1:2:("0 (exact)") with labels font ",8" notitle

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 3202,450 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 3202,450 noenhanced
}
set output 'heatmap_setup_vs_scale_a.png'
replot
unset output
