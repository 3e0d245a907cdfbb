# The engine benchmarks' two pictures (docs/benchmarks-engine.png), from the
# tables bench_devices writes. Usage:
#   gnuplot -e "cycles='p-cycles.tsv'; batch='p-batch.tsv'; out='out.png'" scripts/plot-engine.gp
# Left: engine cycles per image by scheme, per model and engine (log scale:
# the CNN takes about a hundred times the MLP's cycles). Right: images per
# second at 300 MHz against the images a run takes.
set terminal pngcairo size 1200,500 font "DejaVu Sans,10"
set output out
set datafile separator "\t"
set termoption noenhanced
set key autotitle columnhead
set multiplot layout 1,2

set title "Engine cycles per image, batch 8 (lower is better)"
set ylabel "cycles per image"
set logscale y
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xtics nomirror rotate by -20
set grid ytics
set key top left
plot cycles using 2:xtic(1) linecolor rgb "#bbbbbb", \
     ''     using 3 linecolor rgb "#4477aa", \
     ''     using 4 linecolor rgb "#ee6677"

unset logscale y
set xtics norotate
set title "Throughput against images per run, ctr (higher is better)"
set xlabel "images per engine run"
set ylabel "images/s at 300 MHz"
set logscale y
set style data linespoints
set key top left
stats batch using 0 nooutput
columns = STATS_columns
plot for [c=2:columns] batch using 1:c linewidth 2 pointtype 7

unset multiplot
