package org.unetpipelines.train;

import org.unetpipelines.model.Serving;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Run in a forked JVM by {@link SavedModelExportTest}: loads a SavedModel through the serving
 * contract alone (tag, signature, input and output keys) and writes its predictions.
 * Args: savedModelDir inputFile outputFile; files hold n, h, w, c then floats (big-endian).
 */
public final class SavedModelPredict {
  public static void main(String[] args) throws Exception {
    int n;
    int h;
    int w;
    int c;
    float[] x;
    try (DataInputStream in = new DataInputStream(Files.newInputStream(Path.of(args[1])))) {
      n = in.readInt();
      h = in.readInt();
      w = in.readInt();
      c = in.readInt();
      x = new float[n * h * w * c];
      for (int i = 0; i < x.length; i++) {
        x[i] = in.readFloat();
      }
    }
    try (SavedModelBundle b = SavedModelBundle.load(args[0], Serving.TAG);
        TFloat32 t = TFloat32.tensorOf(Shape.of(n, h, w, c), DataBuffers.of(x));
        Result r = b.function(Serving.SIGNATURE).call(Map.of(Serving.INPUT, t))) {
      TFloat32 p = (TFloat32) r.get(Serving.OUTPUT).orElseThrow();
      long[] s = p.shape().asArray();
      float[] out = new float[(int) p.size()];
      p.copyTo(DataBuffers.of(out, false, false));
      try (DataOutputStream o = new DataOutputStream(Files.newOutputStream(Path.of(args[2])))) {
        for (long d : s) {
          o.writeInt((int) d);
        }
        for (float v : out) {
          o.writeFloat(v);
        }
      }
    }
  }
}
