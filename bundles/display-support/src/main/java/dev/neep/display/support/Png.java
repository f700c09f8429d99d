package dev.neep.display.support;

import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/** PNG encoding through ImageIO. */
public final class Png {

    private Png() {
    }

    /** The image as PNG, compressed as ImageIO's PNG writer does by default. */
    public static byte[] encode(RenderedImage image) throws IOException {
        return encode(image, null);
    }

    /**
     * The image as PNG with the writer's compression quality {@code quality}, 0 to 1: the JDK's
     * writer deflates less the higher it is, which is faster and larger.
     */
    public static byte[] encode(RenderedImage image, float quality) throws IOException {
        return encode(image, Float.valueOf(quality));
    }

    private static byte[] encode(RenderedImage image, Float quality) throws IOException {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
        if (!writers.hasNext()) {
            throw new IOException("no PNG writer in ImageIO");
        }
        ImageWriter writer = writers.next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            ImageWriteParam param = null;
            if (quality != null) {
                param = writer.getDefaultWriteParam();
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(quality);
            }
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
