Bwj
locationmodel.onnx.dataj
offset4j
length16p