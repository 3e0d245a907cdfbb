BwJabcdj
locationw.binp