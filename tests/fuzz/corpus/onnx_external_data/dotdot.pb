Bwj
location../w.binj
length4p