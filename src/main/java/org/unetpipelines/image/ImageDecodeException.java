package org.unetpipelines.image;

/** An input that is not a readable image of a supported kind; the message says what was wrong. */
public class ImageDecodeException extends Exception {
  public ImageDecodeException(String message) {
    super(message);
  }

  public ImageDecodeException(String message, Throwable cause) {
    super(message, cause);
  }
}
