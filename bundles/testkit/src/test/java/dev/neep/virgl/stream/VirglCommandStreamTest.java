package dev.neep.virgl.stream;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import java.nio.ByteBuffer;
import org.junit.Test;

public class VirglCommandStreamTest {

    @Test
    public void headerIsCommandObjectAndLength() {
        assertEquals(0x0005_0801, VirglCommandStream.header(VirglCommandStream.CCMD_CREATE_OBJECT,
                VirglCommandStream.OBJECT_SURFACE, 5));
    }

    @Test
    public void headerFieldsThatDoNotFitAreRefused() {
        for (int[] bad : new int[][] {{256, 0, 0}, {1, 256, 0}, {1, 0, 0x10000}, {1, 0, -1}}) {
            try {
                VirglCommandStream.header(bad[0], bad[1], bad[2]);
                fail("accepted " + bad[0] + "/" + bad[1] + "/" + bad[2]);
            } catch (IllegalArgumentException expected) {
                // refused
            }
        }
    }

    @Test
    public void surfaceCarriesHandleResourceFormatLevelAndLayers() {
        assertArrayEquals(new int[] {0x0005_0801, 3, 9, 2, 1, 4 | 6 << 16},
                new VirglCommandStream().createSurface(3, 9, 2, 1, 4, 6).toDwords());
    }

    @Test
    public void framebufferStateCountsColourBuffersThenDepthThenHandles() {
        assertArrayEquals(new int[] {0x0004_0005, 2, 7, 3, 4},
                new VirglCommandStream().setFramebufferState(7, 3, 4).toDwords());
    }

    @Test
    public void moreThanEightColourBuffersAreRefused() {
        try {
            new VirglCommandStream().setFramebufferState(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
            fail("nine colour buffers accepted");
        } catch (IllegalArgumentException expected) {
            // refused
        }
    }

    @Test
    public void clearCarriesFloatColourDoubleDepthLowDwordFirstAndStencil() {
        long depth = Double.doubleToRawLongBits(0.5);
        assertArrayEquals(new int[] {0x0008_0007, VirglCommandStream.CLEAR_COLOR0 | VirglCommandStream.CLEAR_DEPTH,
                Float.floatToRawIntBits(0.25f), Float.floatToRawIntBits(0.5f), Float.floatToRawIntBits(0.75f),
                Float.floatToRawIntBits(1f), (int) depth, (int) (depth >>> 32), 9},
                new VirglCommandStream().clear(VirglCommandStream.CLEAR_COLOR0 | VirglCommandStream.CLEAR_DEPTH,
                        0.25f, 0.5f, 0.75f, 1f, 0.5, 9).toDwords());
    }

    @Test
    public void bytesAreLittleEndianDwordsInOrder() {
        VirglCommandStream stream = new VirglCommandStream().destroyObject(VirglCommandStream.OBJECT_SURFACE, 0x01020304);
        ByteBuffer bytes = stream.toByteBuffer();
        assertEquals(8, bytes.remaining());
        assertArrayEquals(new byte[] {3, 8, 1, 0, 4, 3, 2, 1}, bytes.array());
    }

    @Test
    public void streamGrowsPastItsFirstBuffer() {
        VirglCommandStream stream = new VirglCommandStream();
        for (int i = 0; i < 100; i++) {
            stream.clearColor(0, 0, 0, 1);
        }
        assertEquals(900, stream.sizeInDwords());
        assertEquals(900 * 4, stream.toByteBuffer().remaining());
    }
}
