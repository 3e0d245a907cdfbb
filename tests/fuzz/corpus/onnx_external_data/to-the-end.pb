Bwj
locationweights/w.binj
offset100p