Bwj
locationw.binj
basepath/tmpp